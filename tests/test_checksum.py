"""Both checksum recipes, the suite's and the reference server's (written separately, so a
wrong recipe cannot pass by agreeing with itself), against values seen on the real server."""

import json

import pytest

from conformance import fixtures_dir
from conformance.prefect.checksum import schema_checksum
from reference_server.prefect.checksum import checksum_of
from reference_server.prefect.system_blocks import captured, system_blocks

KNOWN = json.loads((fixtures_dir() / "block_schemas" / "known_checksums.json").read_text())["cases"]


def served_as_registered(fields: dict) -> bool:
    """No references to other schemas and no unreferenced definitions: the real server serves
    such fields as they were registered. It hashed the others from registration fields that had
    more definitions than it serves, so their served fields cannot hash to their checksums (the
    reference server keeps the checksums it observed for them)."""
    definitions = fields.get("definitions") or {}
    return not fields.get("block_schema_references") and all(
        f'"#/definitions/{name}"' in json.dumps(fields) for name in definitions
    )


SYSTEM = [
    block
    for release in captured()
    for block in system_blocks(release)
    if served_as_registered(block["block_schema"]["fields"])
]
RECIPES = {"suite": schema_checksum, "reference server": checksum_of}


@pytest.mark.parametrize("recipe", RECIPES)
@pytest.mark.parametrize("case", KNOWN, ids=lambda case: case["name"])
def test_known_checksums(case, recipe):
    assert RECIPES[recipe](case["fields"]) == case["checksum"]


@pytest.mark.parametrize("recipe", RECIPES)
@pytest.mark.parametrize("block", SYSTEM, ids=lambda block: block["block_type"]["slug"])
def test_system_block_schemas_hash_to_the_real_servers_checksums(block, recipe):
    fields = block["block_schema"]["fields"]
    assert RECIPES[recipe](fields) == block["block_schema"]["checksum"]


def test_the_known_cases_include_definitions_and_nested_secret_fields():
    """The cases that tell a full recipe from one that strips secret_fields only at the top or
    does not prune definitions."""
    nested = [
        case
        for case in KNOWN
        if case["fields"].get("definitions")
        and any("secret_fields" in d for d in case["fields"]["definitions"].values())
    ]
    assert len(nested) >= 2


@pytest.mark.parametrize("recipe", RECIPES)
def test_unreferenced_and_block_definitions_do_not_count(recipe):
    plain = {
        "title": "T",
        "properties": {"a": {"$ref": "#/definitions/A"}},
        "definitions": {"A": {"type": "string"}},
    }
    extra = json.loads(json.dumps(plain))
    extra["definitions"]["Unused"] = {"type": "integer"}
    extra["definitions"]["Child"] = {"block_type_slug": "child", "type": "object"}
    extra["secret_fields"] = ["a"]
    assert RECIPES[recipe](extra) == RECIPES[recipe](plain)
