"""The checksum recipe against values observed on the real server."""

import json

import pytest

from conformance import fixtures_dir
from conformance.prefect.checksum import schema_checksum

KNOWN = json.loads((fixtures_dir() / "block_schemas" / "known_checksums.json").read_text())["cases"]
SYSTEM = json.loads(
    (fixtures_dir().parent / "reference_server" / "prefect" / "system_blocks.json").read_text()
)


@pytest.mark.parametrize("case", KNOWN, ids=lambda case: case["name"])
def test_known_checksums(case):
    assert schema_checksum(case["fields"]) == case["checksum"]


@pytest.mark.parametrize("block", SYSTEM, ids=lambda block: block["block_type"]["slug"])
def test_system_block_schemas_hash_to_the_real_servers_checksums(block):
    assert schema_checksum(block["block_schema"]["fields"]) == block["block_schema"]["checksum"]


def test_unreferenced_and_block_definitions_do_not_count():
    plain = {
        "title": "T",
        "properties": {"a": {"$ref": "#/definitions/A"}},
        "definitions": {"A": {"type": "string"}},
    }
    extra = json.loads(json.dumps(plain))
    extra["definitions"]["Unused"] = {"type": "integer"}
    extra["definitions"]["Child"] = {"block_type_slug": "child", "type": "object"}
    extra["secret_fields"] = ["a"]
    assert schema_checksum(extra) == schema_checksum(plain)
