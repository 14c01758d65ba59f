"""Block schemas: create, server-side checksums, de-duplication, reads, validation, delete."""

import copy

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status
from .checks import expect_detail, expect_refused_or_ignored, expect_validation_error
from .checksum import schema_checksum
from .helpers import (
    UNKNOWN_ID,
    expect_same_object,
    expect_unlisted,
    known_checksums,
    listings_of,
    nested_fields,
    secret_schema_checksum,
    widget_fields,
)


@pytest.mark.clause("PF-BS-create")
def test_create_echoes_fields_capabilities_and_version(api, blocks):
    block_type = blocks.block_type("schema")
    fields = widget_fields(block_type["slug"], "Echo")
    sent = {
        "block_type_id": block_type["id"],
        "fields": fields,
        "capabilities": ["read-path", "write-path"],
        "version": f"{blocks.ns}1.0.0",
    }
    answer = api.post("/block_schemas/", sent)
    created = expect_json(answer, 201, "block_schema")
    expect_equal(created["fields"], fields, "the created schema's fields", answer)
    # the real server keeps them in a frozenset: their order changes with its hash seed
    found = created["capabilities"]
    expect_equal(sorted(found), sorted(sent["capabilities"]), "capabilities (any order)", answer)
    expect_equal(created["version"], sent["version"], "version", answer)
    expect_equal(created["block_type_id"], block_type["id"], "block_type_id", answer)
    expect_same_object(
        created["block_type"], block_type, "block_type", "the nested block_type", answer
    )


@pytest.mark.clause("PF-BS-create")
def test_create_defaults_version_capabilities_and_references(api, blocks):
    block_type = blocks.block_type("defaults")
    fields = widget_fields(block_type["slug"], "Defaults")
    fields.pop("block_schema_references")
    answer = api.post("/block_schemas/", {"block_type_id": block_type["id"], "fields": fields})
    created = expect_json(answer, 201, "block_schema")
    expect_equal(created["version"], "non-versioned", "the default version", answer)
    expect_equal(created["capabilities"], [], "the default capabilities", answer)
    expect_equal(
        created["fields"]["block_schema_references"], {}, "fields.block_schema_references", answer
    )


@pytest.mark.clause("PF-BS-checksum")
@pytest.mark.parametrize("case", known_checksums(), ids=lambda case: case["name"])
def test_checksum_is_computed_like_the_client_does(api, blocks, case):
    block_type = blocks.block_type("sum")
    # The version is unique to this run, so (checksum, version) is new and the answer is a 201.
    created = blocks.block_schema(block_type, case["fields"], version=blocks.unique("v"))
    expect_equal(created["checksum"], case["checksum"], f"the checksum of {case['name']}", None)


def with_plain_definitions(fields: dict) -> dict:
    """``fields`` plus a plain definition a $ref reaches through allOf (hashed) and one no $ref
    reaches (not hashed), beside the block definitions (not hashed either)."""
    fields = copy.deepcopy(fields)
    fields["properties"]["mode"] = {"allOf": [{"$ref": "#/definitions/Mode"}], "position": 2}
    fields["definitions"]["Mode"] = {"title": "Mode", "enum": ["a", "b"], "type": "string"}
    fields["definitions"]["Unused"] = {"title": "Unused", "type": "integer"}
    return fields


@pytest.mark.clause("PF-BS-checksum")
def test_checksum_of_a_nested_schema_is_computed_like_the_client_does(api, blocks):
    """Three levels with secret_fields at every depth, block and plain definitions: the parent's
    checksum and those of the children the server creates from its definitions."""
    types = {level: blocks.block_type(level) for level in ("leaf", "middle", "top")}
    fields = nested_fields({level: block_type["slug"] for level, block_type in types.items()})
    top = with_plain_definitions(fields["top"])
    answer = api.post(
        "/block_schemas/",
        {"block_type_id": types["top"]["id"], "fields": top, "version": blocks.unique("v")},
    )
    created = expect_json(answer, 201, "block_schema", "creating a nested schema must answer 201")
    expect_equal(
        created["checksum"], schema_checksum(top), "the checksum of the nested schema", answer
    )
    for level in ("middle", "leaf"):
        scope = {"block_schemas": {"block_type_id": {"any_": [types[level]["id"]]}}}
        listed = api.post("/block_schemas/filter", scope)
        checksums = [s["checksum"] for s in expect_json(listed, 200, "block_schema_list")]
        expected = [schema_checksum(fields[level])]
        expect_equal(checksums, expected, f"the checksum of the {level} schema created", listed)


SUCCESSES = tuple(range(200, 300))


@pytest.mark.clause("PF-BS-dedup")
def test_same_checksum_and_version_returns_the_existing_schema(api, blocks):
    block_type = blocks.block_type("dedup")
    first = blocks.block_schema(block_type)
    again = api.post(
        "/block_schemas/", {"block_type_id": block_type["id"], "fields": first["fields"]}
    )
    expect_status(again, *SUCCESSES, requirement="a duplicate (checksum, version) must get a 2xx")
    body = expect_json(again, again.status, "block_schema")
    expect_equal(body["id"], first["id"], "the id of the de-duplicated schema", again)
    expect_equal(body["checksum"], first["checksum"], "the checksum", again)
    listed = api.post(
        "/block_schemas/filter", {"block_schemas": {"block_type_id": {"any_": [block_type["id"]]}}}
    )
    ids = [schema["id"] for schema in expect_json(listed, 200, "block_schema_list")]
    expect_equal(ids, [first["id"]], "the type's schemas after the duplicate POST", listed)


@pytest.mark.clause("PF-BS-dedup-status")
def test_the_existing_schema_is_answered_with_200(api, blocks):
    block_type = blocks.block_type("dedup")
    first = blocks.block_schema(block_type)
    again = api.post(
        "/block_schemas/", {"block_type_id": block_type["id"], "fields": first["fields"]}
    )
    expect_json(again, 200, "block_schema", "a duplicate (checksum, version) must get 200")


@pytest.mark.clause("PF-BS-new-version")
def test_same_fields_under_a_new_version_is_a_new_schema(api, blocks):
    block_type = blocks.block_type("versions")
    first = blocks.block_schema(block_type, version="1.0.0")
    second = blocks.block_schema(block_type, first["fields"], version="2.0.0")
    expect_equal(second["checksum"], first["checksum"], "the checksum of the new version", None)
    expect_equal(second["id"] != first["id"], True, "a new id for the new version", None)


@pytest.mark.clause("PF-BS-read-checksum")
def test_read_by_checksum_with_and_without_version(api, blocks):
    block_type = blocks.block_type("bychecksum")
    older = blocks.block_schema(block_type, version="1.0.1")
    newer = blocks.block_schema(block_type, older["fields"], version="1.1.0")
    path = f"/block_schemas/checksum/{older['checksum']}"
    for version, expected in [("1.0.1", older), ("1.1.0", newer), (None, newer)]:
        answer = api.get(path, params={"version": version} if version else None)
        body = expect_json(answer, 200, "block_schema")
        expect_equal(body["id"], expected["id"], f"the schema for version={version}", answer)


@pytest.mark.clause("PF-BS-read-checksum")
def test_read_unknown_checksum_or_version_is_404(api, blocks):
    schema = blocks.block_schema(blocks.block_type("nochecksum"), version="1.0.0")
    missing = "sha256:" + "0" * 64
    expect_detail(api.get(f"/block_schemas/checksum/{missing}"), 404)
    answer = api.get(f"/block_schemas/checksum/{schema['checksum']}", params={"version": "9.9.9"})
    expect_detail(answer, 404, requirement="?version='9.9.9' must get 404")


@pytest.mark.clause("PF-BS-read-checksum-empty-version")
def test_an_empty_version_is_not_read_as_no_version(api, blocks):
    schema = blocks.block_schema(blocks.block_type("noversion"), version="1.0.0")
    answer = api.get(f"/block_schemas/checksum/{schema['checksum']}", params={"version": ""})
    expect_detail(answer, 404, requirement="?version='' must get 404")


@pytest.mark.clause("PF-BS-read-id")
def test_read_by_id(api, blocks):
    schema = blocks.block_schema(blocks.block_type("byid"))
    answer = api.get(f"/block_schemas/{schema['id']}")
    body = expect_json(answer, 200, "block_schema")
    for key in ("id", "checksum", "fields", "block_type_id", "version"):
        expect_equal(body[key], schema[key], f"{key} read by id", answer)
    found = sorted(body["capabilities"])
    expect_equal(found, sorted(schema["capabilities"]), "capabilities read by id", answer)
    expect_detail(api.get(f"/block_schemas/{UNKNOWN_ID}"), 404)


@pytest.mark.clause("PF-BS-404-type")
def test_unknown_block_type_is_refused_but_not_as_a_conflict(api):
    answer = api.post("/block_schemas/", {"block_type_id": UNKNOWN_ID, "fields": {"title": "x"}})
    refusals = [status for status in range(400, 500) if status != 409]
    expect_status(
        answer,
        *refusals,
        requirement="a schema of an unknown block type must get a 4xx other than 409 "
        "(which the client reads as 'already exists')",
    )


@pytest.mark.clause("PF-BS-404-type-status")
def test_unknown_block_type_is_404(api):
    answer = api.post("/block_schemas/", {"block_type_id": UNKNOWN_ID, "fields": {"title": "x"}})
    expect_detail(answer, 404)


MALFORMED_SCHEMAS = {
    "missing-type": (lambda type_id: {"fields": {}}, ["body", "block_type_id"]),
    "fields-null": (lambda type_id: {"block_type_id": type_id, "fields": None}, ["body", "fields"]),
    "version-null": (
        lambda type_id: {"block_type_id": type_id, "version": None},
        ["body", "version"],
    ),
    "malformed-type-id": (lambda type_id: {"block_type_id": "nope"}, ["body", "block_type_id"]),
    "int-version": (lambda type_id: {"block_type_id": type_id, "version": 1}, ["body", "version"]),
    "int-capability": (
        lambda type_id: {"block_type_id": type_id, "capabilities": [1]},
        ["body", "capabilities", 0],
    ),
    "capabilities-string": (
        lambda type_id: {"block_type_id": type_id, "capabilities": "read"},
        ["body", "capabilities"],
    ),
}


FAKE_CHECKSUM = "sha256:" + "0" * 64
# Keys a schema create does not take, with the location the real server names.
EXTRA_SCHEMA_KEYS = {
    "checksum": ({"checksum": FAKE_CHECKSUM}, ["body", "checksum"]),
    "unknown-key": ({"bogus": 1}, ["body", "bogus"]),
}


@pytest.mark.clause("PF-BS-422-body")
@pytest.mark.parametrize("case", MALFORMED_SCHEMAS)
def test_malformed_schema_body_is_refused(api, blocks, case):
    build, _ = MALFORMED_SCHEMAS[case]
    block_type = blocks.block_type("badschema")
    expect_validation_error(api.post("/block_schemas/", build(block_type["id"])))


@pytest.mark.clause("PF-BS-422-body")
@pytest.mark.parametrize("case", EXTRA_SCHEMA_KEYS)
def test_a_key_a_schema_create_does_not_take_is_refused_or_ignored(api, blocks, case):
    block_type = blocks.block_type("extraschema")
    fields = widget_fields(block_type["slug"], "Extra")
    extra, _ = EXTRA_SCHEMA_KEYS[case]
    answer = api.post(
        "/block_schemas/", {"block_type_id": block_type["id"], "fields": fields, **extra}
    )
    requirement = f"a schema create with {case} must be refused with 422 or ignored (201)"
    listed = {"block_schemas": {"block_type_id": {"any_": [block_type["id"]]}}}
    if not expect_refused_or_ignored(answer, 201, requirement):
        found = api.post("/block_schemas/filter", listed)
        expect_equal(expect_json(found, 200, "block_schema_list"), [], "schemas created", found)
        return
    created = expect_json(answer, 201, "block_schema")
    expect(
        created["checksum"] == schema_checksum(fields),
        "the schema must get the checksum the server computes, not one a client sent",
        f"gave {created['checksum']}",
        answer,
    )


@pytest.mark.clause("PF-BS-delete")
def test_delete_schema(api, blocks):
    block_type = blocks.block_type("delschema")
    schema = blocks.block_schema(block_type)
    answer = api.delete(f"/block_schemas/{schema['id']}")
    expect_status(answer, 204, requirement="deleting a schema must answer 204")
    expect_detail(api.get(f"/block_schemas/{schema['id']}"), 404)
    listing = listings_of(api, block_type)["/block_schemas/filter"]
    expect_json(listing, 200, "block_schema_list")
    expect_unlisted(listing, schema["id"], "the deleted schema")
    expect_detail(api.delete(f"/block_schemas/{schema['id']}"), 404)


@pytest.mark.clause("PF-BS-protected-delete")
def test_schema_of_protected_type_refuses_deletion(api, blocks):
    _, schema = blocks.secret_type_and_schema()
    answer = api.delete(f"/block_schemas/{schema['id']}")
    expect_detail(answer, 403)
    expect_json(api.get(f"/block_schemas/{schema['id']}"), 200, "block_schema")


@pytest.mark.clause("PF-SYS-secret-schema")
def test_secret_schema_is_registered(run, api):
    answer = api.get(f"/block_schemas/checksum/{secret_schema_checksum(run)}")
    body = expect_json(answer, 200, "block_schema", "the client's Secret schema must be found")
    expect_equal(body["block_type"]["slug"], "secret", "the schema's block type", answer)
    expect_equal(body["block_type"]["is_protected"], True, "is_protected of its type", answer)
    expect_equal(
        "value" in body["fields"].get("secret_fields", []), True, "'value' in secret_fields", answer
    )
