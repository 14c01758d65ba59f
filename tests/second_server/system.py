"""The block types and schemas a fresh real Prefect server has (the protected ``secret``,
``webhook`` and ``local-file-system`` among them), registered at start-up and by
``POST /block_types/install_system_block_types`` from facts recorded from a real 3.9.1 server
(``system_blocks.json.gz``, written by ``record.py``)."""

import copy
import gzip
import json
from functools import cache
from pathlib import Path

from .store import BlockSchema, BlockType, Store, now

FACTS = Path(__file__).with_name("system_blocks.json.gz")
TYPE_TEXTS = ("logo_url", "documentation_url", "description", "code_example")


@cache
def facts() -> dict:
    return json.loads(gzip.decompress(FACTS.read_bytes()))


def prefect_version() -> str:
    return facts()["prefect_version"]


def register_system_blocks(store: Store) -> None:
    """Each recorded type by slug (made, or brought back to its recorded texts), and each
    recorded schema that its checksum and version do not name yet."""
    for recorded in facts()["block_types"]:
        block_type = store.type_by_slug(recorded["slug"])
        if block_type is None:
            block_type = BlockType(**recorded)
            store.types[block_type.id] = block_type
            continue
        block_type.name, block_type.is_protected = recorded["name"], recorded["is_protected"]
        for key in TYPE_TEXTS:
            setattr(block_type, key, recorded[key])
        block_type.updated = now()
    for recorded in facts()["block_schemas"]:
        if store.schema_with(recorded["checksum"], recorded["version"]) is not None:
            continue
        block_type = store.type_by_slug(recorded["block_type_slug"])
        schema = BlockSchema(
            recorded["checksum"],
            copy.deepcopy(recorded["fields"]),
            block_type.id,
            list(recorded["capabilities"]),
            recorded["version"],
        )
        store.schemas[schema.id] = schema
