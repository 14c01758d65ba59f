"""Journey PF-JRN-custom-block: a block class the server has never seen (a free-form JSON field,
a ``SecretStr`` field and a field with a default) saved, loaded and overwritten; then the class
as its next versions define it: a field added (a new schema checksum for an existing type) and
a new release with the same fields (the same checksum under a new schema version)."""

import warnings
from typing import Any

from journey_kit import NAMESPACE, Journey
from prefect.blocks.core import Block
from prefect.client.orchestration import get_client
from pydantic import SecretStr

# The later versions of the class take over its slug on purpose.
warnings.filterwarnings("ignore", message=".*matches existing registered type")

SLUG = f"{NAMESPACE}jrn-probe"
NAME = f"{NAMESPACE}jrn-probe-doc"
EVOLVED_NAME = f"{NAMESPACE}jrn-probe-evolved"
RELEASED_NAME = f"{NAMESPACE}jrn-probe-released"
SETTINGS = {"retries": 3, "nested": {"flag": True, "items": [1, "two", None]}, "ratio": 0.5}


def first_version() -> type[Block]:
    """Version 1.0 of the class."""

    class Probe(Block):
        _block_type_name = SLUG
        _block_type_slug = SLUG
        _block_schema_version = "1.0"

        settings: dict[str, Any]
        token: SecretStr
        label: str = "default-label"

    return Probe


def version_with_a_field(version: str) -> type[Block]:
    """The class with a field added: version 1.1, then released again as 2.0 (the same name,
    docstring and fields make the same schema checksum)."""

    class Probe(Block):
        _block_type_name = SLUG
        _block_type_slug = SLUG
        _block_schema_version = version

        settings: dict[str, Any]
        token: SecretStr
        label: str = "default-label"
        region: str = "eu"

    return Probe


def values(block: Block) -> dict:
    shown = block.model_dump(exclude={"token"})
    version = type(block).get_block_schema_version()
    return {**shown, "token": block.token.get_secret_value(), "class_version": version}


def document_schema(name: str) -> dict:
    """The schema of the saved document, as the client reads the document."""
    with get_client(sync_client=True) as client:
        document = client.read_block_document_by_name(name, SLUG)
    schema = document.block_schema
    return {
        "checksum": schema.checksum,
        "version": schema.version,
        "properties": sorted(schema.fields.get("properties", {})),
        "secret_fields": schema.fields.get("secret_fields"),
        "block_type_slug": document.block_type.slug,
    }


def type_schemas() -> list[dict]:
    """Every schema of the type, as (checksum, version), in checksum order."""
    with get_client(sync_client=True) as client:
        block_type = client.read_block_type_by_slug(SLUG)
        schemas = client.read_block_schemas()
    mine = [schema for schema in schemas if schema.block_type_id == block_type.id]
    return sorted(
        ({"checksum": schema.checksum, "version": schema.version} for schema in mine),
        key=lambda schema: (schema["version"], schema["checksum"]),
    )


def saved(journey: Journey, block: Block, name: str, document: str) -> bool:
    """Save ``block`` as ``name``; the id the save returns is the id of ``document``."""
    return bool(journey.name(block.save(name), f"{document} id"))


def main() -> None:
    journey = Journey()
    step = journey.step
    Probe = first_version()
    ProbeWithAField = version_with_a_field("1.1")
    ProbeNextRelease = version_with_a_field("2.0")
    # the checksums the client computes for each version's fields (2.0 has 1.1's fields)
    journey.name(Probe._calculate_schema_checksum(), "checksum of version 1.0")
    journey.name(ProbeWithAField._calculate_schema_checksum(), "checksum of versions 1.1 and 2.0")
    step("save", lambda: saved(journey, Probe(settings=SETTINGS, token="t0ken"), NAME, "doc"))
    step("load", lambda: values(Probe.load(NAME)))
    step("document_schema", lambda: document_schema(NAME))
    replaced = Probe(settings={"v": 2}, token="n3w", label="second")
    step("save_with_overwrite", lambda: bool(replaced.save(NAME, overwrite=True)))
    step("load_after_overwrite", lambda: values(Probe.load(NAME)))
    step("load_through_block", lambda: values(Block.load(f"{SLUG}/{NAME}")))
    evolved = ProbeWithAField(settings={"a": [1]}, token="evolved", region="us")
    step("save_with_a_field_added", lambda: saved(journey, evolved, EVOLVED_NAME, "evolved doc"))
    step("load_with_a_field_added", lambda: values(ProbeWithAField.load(EVOLVED_NAME)))
    step("document_schema_with_a_field_added", lambda: document_schema(EVOLVED_NAME))
    step("load_old_document_with_a_field_added", lambda: values(ProbeWithAField.load(NAME)))
    released = ProbeNextRelease(settings={"b": None}, token="released")
    step("save_next_release", lambda: saved(journey, released, RELEASED_NAME, "released doc"))
    step("load_next_release", lambda: values(ProbeNextRelease.load(RELEASED_NAME)))
    step("document_schema_next_release", lambda: document_schema(RELEASED_NAME))
    step("type_schemas", type_schemas)
    journey.finish()


if __name__ == "__main__":
    main()
