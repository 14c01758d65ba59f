"""Nested blocks: schemas that reference other schemas, documents that reference documents.

Facts of the real server this follows (see shared/spec section 5):
- a schema's ``block_schema_references`` are stored as rows, not in ``fields``; a referenced
  schema that does not exist yet is created from the parent's ``definitions``;
- on read, ``block_schema_references`` is rebuilt from the rows and each child's full fields go
  back into ``definitions`` under the child's title (grandchildren flattened beside it);
- a document's top-level ``{"$ref": {"block_document_id": ...}}`` values are stored as rows, not
  in ``data``; reads insert each child's data, masked by the child's own schema, in their place.
"""

import uuid
from typing import Any

from pydantic import BaseModel, ValidationError

from .checksum import checksum_of, plain_referenced_definitions
from .secrets import mask_secrets
from .store import NotFound, Store

MAX_DEPTH = 50
DEFINITIONS_PREFIX = "#/definitions/"


class NestingError(Exception):
    """A nested reference the server refuses; carries the HTTP status and detail."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


# ---- schemas -------------------------------------------------------------------------------


def _entries(references: Any) -> list[tuple[str, dict]]:
    """(field name, reference) pairs; 400 for anything but an object of reference objects (or
    lists of them), where the real server answers 500."""
    if not isinstance(references, dict):
        raise NestingError(400, "block_schema_references must be an object.")
    pairs = []
    for name, value in references.items():
        for entry in value if isinstance(value, list) else [value]:
            if not _is_reference(entry):
                raise NestingError(
                    400,
                    f"Invalid block schema reference for {name!r}: expected an object with"
                    " block_schema_checksum and block_type_slug strings.",
                )
            pairs.append((name, entry))
    return pairs


def _is_reference(entry: Any) -> bool:
    return isinstance(entry, dict) and all(
        isinstance(entry.get(key), str) for key in ("block_schema_checksum", "block_type_slug")
    )


def _refs_in(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return found + [ref for child in value.values() for ref in _refs_in(child)]
    if isinstance(value, list):
        return [ref for child in value for ref in _refs_in(child)]
    return []


def _child_fields(definitions: dict, fields: dict, name: str, slug: str) -> dict:
    refs = _refs_in(fields.get("properties", {}).get(name, {}))
    keys = [ref.replace(DEFINITIONS_PREFIX, "") for ref in refs]
    if len(keys) == 1:
        found = definitions.get(keys[0])
    else:
        found = next(
            (
                definitions[key]
                for key in keys
                if definitions.get(key, {}).get("block_type_slug") == slug
            ),
            None,
        )
    if not isinstance(found, dict):
        raise NestingError(
            400,
            f"Unable to create nested block schema for block type {slug!r} due to missing"
            " definition.",
        )
    return found


def create_schema(
    store: Store,
    fields: dict,
    type_id: str,
    capabilities: list[str],
    version: str,
    definitions: dict | None = None,
) -> tuple[dict, bool]:
    """Create a schema and, recursively, the referenced schemas it needs; (schema, created)."""
    references = _entries(fields.get("block_schema_references", {}))
    definitions = definitions or fields.get("definitions")
    for_checksum = {**fields, "definitions": definitions} if definitions else fields
    checksum = checksum_of(for_checksum)
    try:
        return store.block_schema_by_checksum(checksum, version), False
    except NotFound:
        pass
    stored = {key: value for key, value in fields.items() if key != "block_schema_references"}
    if definitions:
        kept = plain_referenced_definitions({**stored, "definitions": definitions})
        if kept:
            stored["definitions"] = kept
        else:
            stored.pop("definitions", None)
    with store.transaction():
        schema = store.create_block_schema(stored, checksum, capabilities, version, type_id)
        for name, entry in references:
            child = _referenced_schema(store, fields, name, entry, definitions)
            store.add_schema_reference(schema["id"], name, child["id"])
    return schema, True


def _referenced_schema(store: Store, fields: dict, name: str, entry: dict, definitions) -> dict:
    slug = entry.get("block_type_slug")
    try:
        child_type = store.block_type_by_slug(str(slug))
    except NotFound as missing:
        raise NestingError(
            409,
            f"Cannot create block schema because block type {slug!r} was not found."
            "Did you forget to register the block type?",
        ) from missing
    try:
        return store.block_schema_by_checksum(str(entry.get("block_schema_checksum")))
    except NotFound:
        pass
    if not definitions:
        raise NestingError(
            400,
            "Unable to create nested block schema due to missing definitions in root block"
            " schema fields",
        )
    child_fields = _child_fields(definitions, fields, name, child_type["slug"])
    child, _ = create_schema(
        store, child_fields, child_type["id"], [], "non-versioned", definitions
    )
    return child


def full_fields(store: Store, schema: dict) -> dict:
    """A schema's fields as every read returns them: references and definitions rebuilt."""
    fields = dict(schema["fields"])
    references: dict[str, Any] = {}
    block_definitions: dict[str, Any] = {}
    for name, child in store.schema_references(schema["id"]):
        entry = {
            "block_schema_checksum": child["checksum"],
            "block_type_slug": store.block_type(child["block_type_id"])["slug"],
        }
        if name in references:
            previous = references[name]
            references[name] = [*(previous if isinstance(previous, list) else [previous]), entry]
        else:
            references[name] = entry
        child_fields = full_fields(store, child)
        grandchildren = child_fields.pop("definitions", {})
        block_definitions[child_fields.get("title", child["checksum"])] = child_fields
        block_definitions.update(grandchildren)
    fields["block_schema_references"] = references
    if block_definitions:
        fields["definitions"] = {**fields.get("definitions", {}), **block_definitions}
    return fields


# ---- documents -----------------------------------------------------------------------------


def split_references(data: dict) -> tuple[dict, dict[str, str]]:
    """``data`` without its top-level references, and {key: referenced document id}."""
    plain, references = {}, {}
    for key, value in data.items():
        if not (isinstance(value, dict) and "$ref" in value):
            plain[key] = value
            continue
        target = value["$ref"]
        if not isinstance(target, dict):
            raise NestingError(400, f"Received block reference that is not an object in key {key}")
        if "block_document_id" not in target:
            raise NestingError(
                400, f"Received block reference without a block_document_id in key {key}"
            )
        try:
            reference = BlockDocumentReferenceCreate(
                reference_block_document_id=target["block_document_id"]
            )
        except ValidationError as error:
            raise NestingError(400, str(error)) from error  # pydantic's text, as the real server
        references[key] = str(reference.reference_block_document_id)
    return plain, references


class BlockDocumentReferenceCreate(BaseModel):
    """Named as the real server's model, because its validation error text names it."""

    reference_block_document_id: uuid.UUID


def check_acyclic(store: Store, parent_id: str, references: dict[str, str]) -> None:
    for child_id in references.values():
        if store.reaches(child_id, parent_id):
            raise NestingError(
                400,
                "Cannot create block document reference: it would introduce a cycle into the"
                f" block_document_reference graph (parent={parent_id}, reference={child_id}).",
            )


def hydrate(
    store: Store, document: dict, include_secrets: bool, depth: int = 0
) -> tuple[dict, dict]:
    """(data, block_document_references) of a document with its references resolved."""
    if depth > MAX_DEPTH:
        raise NestingError(400, f"Block document references are nested deeper than {MAX_DEPTH}.")
    secret_fields = store.block_schema(document["block_schema_id"])["fields"].get(
        "secret_fields", []
    )
    data = document["data"] if include_secrets else mask_secrets(document["data"], secret_fields)
    data = dict(data)
    references = {}
    for name, child_id in store.document_references(document["id"]):
        child = store.block_document(child_id)
        child_data, child_references = hydrate(store, child, include_secrets, depth + 1)
        data[name] = child_data
        references[name] = {
            "block_document": {
                "id": child["id"],
                "name": child["name"],
                "block_type": store.block_type(child["block_type_id"]),
                "is_anonymous": child["is_anonymous"],
                "block_document_references": child_references,
            }
        }
    return data, references
