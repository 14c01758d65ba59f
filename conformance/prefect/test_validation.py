"""The real server's validation beyond what clients rely on: where a 422 locates its errors
(``PF-*-422-locations``) and the refusal of keys an operation does not take
(``PF-API-extra-keys``, ``PF-FLT-extra-keys``). The MUST clauses ask for the 422 of an invalid
request without its locations, and take a server that ignores an extra key; no client reads a
422's ``loc`` (the UI shows the first error's ``msg``) or sends an extra key. One SHOULD clause
per area, as the real server's words are (``test_wording.py``)."""

from collections.abc import Callable

import pytest

from .checks import expect_validation_error
from .helpers import Blocks

# Each case: (clause, what it sends) -> (the answer, the location the real server names).
Case = Callable[[Blocks], tuple]


def type_create(body: Callable[[str], dict], loc: list) -> Case:
    """A block type create of ``body(fresh slug)``."""

    def case(blocks: Blocks) -> tuple:
        return blocks.api.post("/block_types/", body(blocks.unique("bad"))), loc

    return case


def type_patch(key: str) -> Case:
    def case(blocks: Blocks) -> tuple:
        created = blocks.block_type("frozen")
        value = True if key == "is_protected" else blocks.unique("renamed")
        return blocks.api.patch(f"/block_types/{created['id']}", {key: value}), ["body", key]

    return case


def schema_create(body: Callable[[str], dict], loc: list) -> Case:
    """A schema create of ``body(the id of a fresh block type)``."""

    def case(blocks: Blocks) -> tuple:
        block_type = blocks.block_type("badschema")
        return blocks.api.post("/block_schemas/", body(block_type["id"])), loc

    return case


def document_create(change: Callable[[dict], None], loc: list) -> Case:
    """A document create of a valid body that ``change`` spoils."""

    def case(blocks: Blocks) -> tuple:
        block_type, schema = blocks.type_and_schema("baddoc")
        body = blocks.document_body(block_type, schema, blocks.unique("bad"))
        change(body)
        return blocks.api.post("/block_documents/", body), loc

    return case


def document_patch(change: dict) -> Case:
    def case(blocks: Blocks) -> tuple:
        document = blocks.document(*blocks.type_and_schema("frozen"))
        answer = blocks.api.patch(f"/block_documents/{document['id']}", change)
        return answer, ["body", next(iter(change))]

    return case


def filter_body(path: str, body: dict, loc: list) -> Case:
    def case(blocks: Blocks) -> tuple:
        return blocks.api.post(path, body), loc

    return case


def named(name: str) -> Callable[[dict], None]:
    return lambda body: body.update(name=name)


TYPE_CREATES = {
    **{
        f"slug {bad!r}": type_create(
            lambda slug, bad=bad: {"name": slug, "slug": bad}, ["body", "slug"]
        )
        for bad in ("Bad-Slug", "bad slug", "bad_slug", "bad.slug", "slüg")
    },
    **{
        f"name {bad!r}": type_create(
            lambda slug, bad=bad: {"name": bad, "slug": slug}, ["body", "name"]
        )
        for bad in ("", "my/type", "my%type", "a&b", "a>b", "a<b")
    },
    "missing name": type_create(lambda slug: {"slug": slug}, ["body", "name"]),
    "missing slug": type_create(lambda slug: {"name": slug}, ["body", "slug"]),
    "int name": type_create(lambda slug: {"name": 5, "slug": slug}, ["body", "name"]),
}
TYPE_EXTRA_KEYS = {
    "create with an unknown key": type_create(
        lambda slug: {"name": slug, "slug": slug, "bogus": 1}, ["body", "bogus"]
    ),
    "create with is_protected": type_create(
        lambda slug: {"name": slug, "slug": slug, "is_protected": True}, ["body", "is_protected"]
    ),
    **{f"PATCH of {key}": type_patch(key) for key in ("name", "slug", "is_protected", "bogus")},
}
SCHEMA_CREATES = {
    "missing block_type_id": schema_create(
        lambda type_id: {"fields": {}}, ["body", "block_type_id"]
    ),
    "null fields": schema_create(
        lambda type_id: {"block_type_id": type_id, "fields": None}, ["body", "fields"]
    ),
    "null version": schema_create(
        lambda type_id: {"block_type_id": type_id, "version": None}, ["body", "version"]
    ),
    "malformed block_type_id": schema_create(
        lambda type_id: {"block_type_id": "nope"}, ["body", "block_type_id"]
    ),
    "int version": schema_create(
        lambda type_id: {"block_type_id": type_id, "version": 1}, ["body", "version"]
    ),
    "int capability": schema_create(
        lambda type_id: {"block_type_id": type_id, "capabilities": [1]},
        ["body", "capabilities", 0],
    ),
    "capabilities a string": schema_create(
        lambda type_id: {"block_type_id": type_id, "capabilities": "read"},
        ["body", "capabilities"],
    ),
}
SCHEMA_EXTRA_KEYS = {
    "client-sent checksum": schema_create(
        lambda type_id: {"block_type_id": type_id, "checksum": "sha256:" + "0" * 64},
        ["body", "checksum"],
    ),
    "unknown key": schema_create(
        lambda type_id: {"block_type_id": type_id, "fields": {}, "bogus": 1}, ["body", "bogus"]
    ),
}
DOCUMENT_CREATES = {
    **{
        f"name {bad!r}": document_create(named(bad), ["body", "name"])
        for bad in ("UpperCase", "has space", "under_score", "dot.name", "a/b", "a%b", "émoji-ü")
    },
    "no name": document_create(lambda body: body.pop("name"), ["body"]),
    "null name": document_create(named(None), ["body"]),
    "empty name": document_create(named(""), ["body"]),
    "missing block_schema_id": document_create(
        lambda body: body.pop("block_schema_id"), ["body", "block_schema_id"]
    ),
    "missing block_type_id": document_create(
        lambda body: body.pop("block_type_id"), ["body", "block_type_id"]
    ),
    "malformed block_schema_id": document_create(
        lambda body: body.update(block_schema_id="nope"), ["body", "block_schema_id"]
    ),
    "list data": document_create(lambda body: body.update(data=[1, 2]), ["body", "data"]),
    "null data": document_create(lambda body: body.update(data=None), ["body", "data"]),
    "PATCH with null data": document_patch({"data": None}),
}
DOCUMENT_EXTRA_KEYS = {
    "create with an unknown key": document_create(
        lambda body: body.update(bogus=1), ["body", "bogus"]
    ),
    **{
        f"PATCH of {key}": document_patch({key: value})
        for key, value in (("name", "renamed"), ("is_anonymous", True), ("bogus", 1))
    },
}
FILTER_EXTRA_KEYS = {
    "block_documents.bogus": filter_body(
        "/block_documents/filter",
        {"block_documents": {"bogus": {}}},
        ["body", "block_documents", "bogus"],
    ),
    "block_types.operator": filter_body(
        "/block_types/filter",
        {"block_types": {"operator": "or_"}},
        ["body", "block_types", "operator"],
    ),
    "block_schemas.name": filter_body(
        "/block_schemas/filter",
        {"block_schemas": {"name": {}}},
        ["body", "block_schemas", "name"],
    ),
}
FILTER_VALUES = {
    "unknown sort": filter_body(
        "/block_documents/filter", {"sort": "NAME_SIDEWAYS"}, ["body", "sort"]
    ),
    **{
        f"negative offset on {path}": filter_body(path, {"offset": -1}, ["body", "offset"])
        for path in ("/block_types/filter", "/block_schemas/filter", "/block_documents/filter")
    },
}

LOCATIONS: dict[str, dict[str, Case]] = {
    "PF-BT-422-locations": {**TYPE_CREATES, **TYPE_EXTRA_KEYS},
    "PF-BS-422-locations": {**SCHEMA_CREATES, **SCHEMA_EXTRA_KEYS},
    "PF-BD-422-locations": {**DOCUMENT_CREATES, **DOCUMENT_EXTRA_KEYS},
    "PF-FLT-422-locations": {**FILTER_EXTRA_KEYS, **FILTER_VALUES},
}
# Keys an operation does not take: their location is asked where they are refused (a server
# that ignores them fails PF-API-extra-keys or PF-FLT-extra-keys, not a location clause).
EXTRA_KEYS = {*TYPE_EXTRA_KEYS, *SCHEMA_EXTRA_KEYS, *DOCUMENT_EXTRA_KEYS, *FILTER_EXTRA_KEYS}
REFUSED: dict[str, dict[str, Case]] = {
    "PF-API-extra-keys": {
        **{f"block type {name}": case for name, case in TYPE_EXTRA_KEYS.items()},
        **{f"schema with a {name}": case for name, case in SCHEMA_EXTRA_KEYS.items()},
        **{f"document {name}": case for name, case in DOCUMENT_EXTRA_KEYS.items()},
    },
    "PF-FLT-extra-keys": FILTER_EXTRA_KEYS,
}


def cases_of(table: dict[str, dict[str, Case]], clause: str) -> list:
    return [pytest.param(clause, name, id=name) for name in table[clause]]


def check_location(blocks: Blocks, clause: str, name: str) -> None:
    __tracebackhide__ = True
    answer, loc = LOCATIONS[clause][name](blocks)
    if name in EXTRA_KEYS and 200 <= answer.status < 300:
        return  # ignored, not refused: the extra-keys clauses judge that
    expect_validation_error(answer, loc, requirement=f"{name} must get 422")


def check_refused(blocks: Blocks, clause: str, name: str) -> None:
    __tracebackhide__ = True
    answer, _ = REFUSED[clause][name](blocks)
    expect_validation_error(answer, requirement=f"{name}: an invalid request must get 422")


@pytest.mark.clause("PF-BT-422-locations")
@pytest.mark.parametrize("clause, name", cases_of(LOCATIONS, "PF-BT-422-locations"))
def test_block_type_errors_name_the_real_servers_locations(blocks, clause, name):
    check_location(blocks, clause, name)


@pytest.mark.clause("PF-BS-422-locations")
@pytest.mark.parametrize("clause, name", cases_of(LOCATIONS, "PF-BS-422-locations"))
def test_block_schema_errors_name_the_real_servers_locations(blocks, clause, name):
    check_location(blocks, clause, name)


@pytest.mark.clause("PF-BD-422-locations")
@pytest.mark.parametrize("clause, name", cases_of(LOCATIONS, "PF-BD-422-locations"))
def test_block_document_errors_name_the_real_servers_locations(blocks, clause, name):
    check_location(blocks, clause, name)


@pytest.mark.clause("PF-FLT-422-locations")
@pytest.mark.parametrize("clause, name", cases_of(LOCATIONS, "PF-FLT-422-locations"))
def test_filter_errors_name_the_real_servers_locations(blocks, clause, name):
    check_location(blocks, clause, name)


@pytest.mark.clause("PF-API-extra-keys")
@pytest.mark.parametrize("clause, name", cases_of(REFUSED, "PF-API-extra-keys"))
def test_keys_an_operation_does_not_take_are_refused(blocks, clause, name):
    check_refused(blocks, clause, name)


@pytest.mark.clause("PF-FLT-extra-keys")
@pytest.mark.parametrize("clause, name", cases_of(REFUSED, "PF-FLT-extra-keys"))
def test_unknown_keys_inside_filters_are_refused(blocks, clause, name):
    check_refused(blocks, clause, name)
