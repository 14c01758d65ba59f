"""Builders for namespaced block types, schemas and documents, used by every Prefect test.

Each builder checks the answer it depends on, so a test that is about documents fails with a
message about the block type create when that is what broke.
"""

import copy
import json
import time
from functools import cache
from typing import Any

from .. import fixtures_dir
from ..checks import expect, expect_equal, fail
from ..client import ApiClient, Exchange
from ..run import Run
from ..steps import expect_step_json
from ..timestamps import NotATimestamp, is_later, same_instant
from . import releases

MASK = "********"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
# A server may keep milliseconds only: two writes this far apart get distinct timestamps.
CLOCK_STEP = 0.01


def secret_schema_checksum(run: Run) -> str:
    """The checksum the client of the run's Prefect release computes for its Secret block
    (``fixtures/prefect/releases.toml``)."""
    return releases.chosen(run.settings).secret_schema_checksum


def malformed_id_status(run: Run, collection: str, method: str) -> int:
    """What the run's Prefect release answers to a path id that is not a UUID: 404 where no
    route matches; before 3.4.8 (``malformed_path_id`` in ``fixtures/prefect/releases.toml``)
    block type and schema paths matched and the id failed validation (422), or the path had no
    route for the method (405: there is no PATCH of a schema)."""
    release = releases.chosen(run.settings)
    if collection == "block_documents" or release.fact("malformed_path_id") == 404:
        return 404
    return 405 if (collection, method) == ("block_schemas", "PATCH") else 422


@cache
def _fixture(name: str) -> Any:
    return json.loads((fixtures_dir() / "block_schemas" / name).read_text())


def known_checksums() -> list[dict]:
    """Checksums seen on the real server, for fields that reference no other schema (those would
    need block types outside the run's namespace)."""
    return [
        case
        for case in _fixture("known_checksums.json")["cases"]
        if not case["fields"].get("block_schema_references")
    ]


def widget_fields(slug: str, title: str) -> dict:
    """The fields a client sends for a class with a str, a SecretStr and a dict field."""
    fields = copy.deepcopy(_fixture("widget.json"))
    fields.pop("description")
    fields["title"] = title
    fields["block_type_slug"] = slug
    return fields


@cache
def real_keys(kind: str) -> tuple[str, ...]:
    """The keys the real server gives an object of ``kind`` (``block_type``, ``block_schema``,
    ``block_document``): the properties of its JSON Schema, the fields of the client's model."""
    schema = json.loads((fixtures_dir() / "schemas" / "prefect" / f"{kind}.json").read_text())
    return tuple(schema["properties"])


MISSING = object()


def expect_same_object(actual: Any, expected: dict, kind: str, what: str, exchange) -> None:
    """``actual`` is the object ``expected`` describes: equal on every key the real server gives
    such an object (what the client's model reads). A key more is not compared here: the client
    ignores it (PF-API-no-extra-fields, SHOULD)."""
    __tracebackhide__ = True
    expect(isinstance(actual, dict), f"{what} must be an object", f"gave {actual!r}", exchange)
    for key in real_keys(kind):
        found = actual.get(key, MISSING)
        expect(found is not MISSING, f"{what} must carry {key}", "left it out", exchange)
        expect_equal(found, expected.get(key), f"{what}'s {key}", exchange)


def expect_nested_type_and_schema(document: dict, block_type: dict, schema: dict, exchange) -> None:
    """A document carries its full block type and its schema (with that schema's type)."""
    __tracebackhide__ = True
    expect_same_object(
        document["block_type"], block_type, "block_type", "the nested block_type", exchange
    )
    nested = document["block_schema"]
    expect_equal(nested["id"], schema["id"], "block_schema.id", exchange)
    expect_equal(nested["checksum"], schema["checksum"], "block_schema.checksum", exchange)
    expect_equal(
        nested["block_type"]["slug"], block_type["slug"], "block_schema.block_type.slug", exchange
    )


def let_the_clock_move() -> None:
    """Wait long enough that a write now gets a later timestamp than the one before."""
    time.sleep(CLOCK_STEP)


def stamps(before: dict, after: dict, exchange: Exchange) -> tuple[bool, bool, bool]:
    """Whether ``created`` stayed, ``updated`` is not earlier, and ``updated`` is later, from
    ``before`` to ``after``: compared as instants (any fractional precision, ``Z`` or an
    offset), never as strings."""
    __tracebackhide__ = True
    try:
        kept = same_instant(after["created"], before["created"])
        not_earlier = not is_later(before["updated"], after["updated"])
        later = is_later(after["updated"], before["updated"])
    except NotATimestamp as error:
        fail("created and updated must be ISO 8601 timestamps with a zone", str(error), exchange)
    return kept, not_earlier, later


def expect_timestamps_kept_in_order(before: dict, after: dict, exchange: Exchange) -> None:
    """After an update ``created`` stays where it was and ``updated`` does not move back (a
    server keeping whole seconds leaves it where it was within a second)."""
    __tracebackhide__ = True
    kept, not_earlier, _ = stamps(before, after, exchange)
    expect(
        kept,
        f"'created' after an update must stay {before['created']}",
        f"gave {after['created']}",
        exchange,
    )
    expect(
        not_earlier,
        f"'updated' after an update must not be earlier than {before['updated']}",
        f"gave {after['updated']}",
        exchange,
    )


def expect_updated_moved(before: dict, after: dict, exchange: Exchange) -> None:
    """After an update ``updated`` is later than before (the real server keeps microseconds)."""
    __tracebackhide__ = True
    _, _, later = stamps(before, after, exchange)
    expect(
        later,
        f"'updated' after an update must be later than {before['updated']}",
        f"gave {after['updated']}",
        exchange,
    )


def listings_of(api: ApiClient, block_type: dict) -> dict[str, Exchange]:
    """The /filter answers that list a block type, its schemas and its documents (anonymous
    ones included), each scoped to that type."""
    by_slug = {"block_types": {"slug": {"any_": [block_type["slug"]]}}}
    by_id = {"block_schemas": {"block_type_id": {"any_": [block_type["id"]]}}}
    every_document = {**by_slug, "block_documents": {"is_anonymous": None}}
    return {
        "/block_types/filter": api.post("/block_types/filter", by_slug),
        "/block_schemas/filter": api.post("/block_schemas/filter", by_id),
        "/block_documents/filter": api.post("/block_documents/filter", every_document),
    }


def expect_unlisted(listing: Exchange, object_id: str, what: str) -> None:
    """A /filter answer that does not list the object ``object_id``."""
    __tracebackhide__ = True
    body = listing.json
    expect(isinstance(body, list), f"{listing.path} must answer a list", "did not", listing)
    ids = [item.get("id") for item in body if isinstance(item, dict)]
    expect(
        object_id not in ids, f"{what} must not be listed by {listing.path}", "listed it", listing
    )


class Blocks:
    """Creates objects under the run namespace through the run's client (so clean-up sees them)."""

    def __init__(self, api: ApiClient, namespace: str, run: Run) -> None:
        self.api = api
        self.ns = namespace
        self.run = run

    def unique(self, label: str = "x") -> str:
        """A fresh lower-case name in the namespace, valid as slug and document name."""
        return f"{self.ns}{label}-{self.run.draws.token_hex(3)}"

    def block_type(self, label: str = "type", **extra: Any) -> dict:
        """A new block type (a step of PF-BT-create)."""
        slug = self.unique(label)
        body = {"name": f"{slug} name", "slug": slug, **extra}
        __tracebackhide__ = True
        answer = self.api.post("/block_types/", body)
        return expect_step_json(
            answer,
            201,
            "block_type",
            "PF-BT-create",
            "creating a block type must answer 201",
            given=bool(extra),
        )

    def block_schema(
        self, block_type: dict, fields: dict | None = None, version: str | None = None, **extra
    ) -> dict:
        """A new schema of the type (a step of PF-BS-create); by default the client's fields
        of a class with a str, a SecretStr and a dict field."""
        __tracebackhide__ = True
        given = fields is not None or bool(extra)
        if fields is None:
            fields = widget_fields(block_type["slug"], f"{block_type['slug']} widget")
        body = {"block_type_id": block_type["id"], "fields": fields, **extra}
        if version is not None:
            body["version"] = version
        answer = self.api.post("/block_schemas/", body)
        return expect_step_json(
            answer,
            201,
            "block_schema",
            "PF-BS-create",
            "creating a block schema must answer 201",
            given=given,
        )

    def type_and_schema(self, label: str = "type") -> tuple[dict, dict]:
        block_type = self.block_type(label)
        return block_type, self.block_schema(block_type)

    def document_body(self, block_type: dict, schema: dict, name: str | None, **extra) -> dict:
        body = {
            "name": name,
            "data": {"host": "db.example", "password": "hunter2", "settings": {"port": 5432}},
            "block_schema_id": schema["id"],
            "block_type_id": block_type["id"],
            "is_anonymous": False,
        }
        body.update(extra)
        return body

    def document(self, block_type: dict, schema: dict, name: str | None = None, **extra) -> dict:
        """A new document of the type and schema (a step of PF-BD-create, or of
        PF-BD-anonymous for an anonymous one)."""
        __tracebackhide__ = True
        anonymous = extra.get("is_anonymous") is True
        given = name is not None or bool(set(extra) - {"is_anonymous"})
        name = name if name is not None or anonymous else self.unique("doc")
        answer = self.api.post(
            "/block_documents/", self.document_body(block_type, schema, name, **extra)
        )
        return expect_step_json(
            answer,
            201,
            "block_document",
            "PF-BD-anonymous" if anonymous else "PF-BD-create",
            "creating a document must answer 201",
            given=given,
        )

    def secret_type_and_schema(self) -> tuple[dict, dict]:
        """The protected system ``secret`` type and its registered Secret schema (steps of
        PF-BT-system-types and PF-SYS-secret-schema)."""
        block_type = expect_step_json(
            self.api.get("/block_types/slug/secret"),
            200,
            "block_type",
            "PF-BT-system-types",
            "the protected system type 'secret' must exist",
        )
        schema = expect_step_json(
            self.api.get(f"/block_schemas/checksum/{secret_schema_checksum(self.run)}"),
            200,
            "block_schema",
            "PF-SYS-secret-schema",
            "the Secret block schema must be registered",
        )
        return block_type, schema


def nested_fields(slugs: dict[str, str]) -> dict[str, dict]:
    """Schema fields as the client sends them for Top(middle: Middle(leaf: Leaf(token: SecretStr)))
    with the given slugs for 'top', 'middle' and 'leaf' (shape observed from the 3.8.8 client)."""
    from .checksum import schema_checksum

    leaf = {
        "block_schema_references": {},
        "block_type_slug": slugs["leaf"],
        "properties": {
            "token": {
                "format": "password",
                "title": "Token",
                "type": "string",
                "writeOnly": True,
                "position": 0,
            },
            "n": {"default": 1, "title": "N", "type": "integer", "position": 1},
        },
        "required": ["token"],
        "secret_fields": ["token"],
        "title": "Leaf",
        "type": "object",
    }
    middle = {
        "block_schema_references": {
            "leaf": {
                "block_schema_checksum": schema_checksum(leaf),
                "block_type_slug": slugs["leaf"],
            }
        },
        "block_type_slug": slugs["middle"],
        "properties": {
            "leaf": {"$ref": "#/definitions/Leaf", "position": 0},
            "label": {"default": "m", "title": "Label", "type": "string", "position": 1},
        },
        "required": ["leaf"],
        "secret_fields": ["leaf.token"],
        "title": "Middle",
        "type": "object",
    }
    top = {
        "block_schema_references": {
            "middle": {
                "block_schema_checksum": schema_checksum({**middle, "definitions": {"Leaf": leaf}}),
                "block_type_slug": slugs["middle"],
            }
        },
        "block_type_slug": slugs["top"],
        "properties": {
            "middle": {"$ref": "#/definitions/Middle", "position": 0},
            "note": {"default": "t", "title": "Note", "type": "string", "position": 1},
        },
        "required": ["middle"],
        "secret_fields": ["middle.leaf.token"],
        "title": "Top",
        "type": "object",
        "definitions": {"Leaf": leaf, "Middle": middle},
    }
    return {"leaf": leaf, "middle": {**middle, "definitions": {"Leaf": leaf}}, "top": top}
