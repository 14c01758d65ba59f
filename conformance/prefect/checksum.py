"""Block schema checksums, computed the way the Prefect client computes them locally.

The suite uses it as a client does (to look a schema up before creating it); the reference
server uses it to store checksums. PF-BS-checksum pins it to values seen on the real server.

The recipe (drop every ``secret_fields`` key, keep only the non-block definitions that some
``$ref`` reaches, hash Python's default ``json.dumps`` of ``[[fields], {}]`` with sorted keys)
is the real client's; ``tests/test_checksum.py`` pins it to checksums the real server gave.
"""

import copy
import hashlib
import json
from collections.abc import Iterator
from typing import Any

DEFINITIONS_PREFIX = "#/definitions/"


def _drop_secret_fields(value: Any) -> Any:
    if isinstance(value, dict):
        value.pop("secret_fields", None)
        for child in value.values():
            _drop_secret_fields(child)
    return value


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "$ref" and isinstance(child, str):
                yield child
            else:
                yield from _refs(child)
    elif isinstance(value, list):
        for child in value:
            yield from _refs(child)


def reachable_plain_definitions(fields: dict) -> dict:
    """The non-block definitions of ``fields`` that a ``$ref`` anywhere in ``fields`` names."""
    definitions = fields.get("definitions") or {}
    kept = {}
    for ref in _refs(fields):
        name = ref.replace(DEFINITIONS_PREFIX, "")
        definition = definitions.get(name)
        if isinstance(definition, dict) and definition and "block_type_slug" not in definition:
            kept[name] = definition
    return kept


def prune_definitions(fields: dict) -> dict:
    """``fields`` with ``definitions`` cut down to the reachable non-block ones (or removed)."""
    if not isinstance(fields.get("definitions"), dict) or not fields["definitions"]:
        return fields
    pruned = dict(fields)
    kept = reachable_plain_definitions(fields)
    if kept:
        pruned["definitions"] = kept
    else:
        del pruned["definitions"]
    return pruned


def schema_checksum(fields: dict) -> str:
    """``sha256:<hex>`` of a block schema's ``fields``."""
    stripped = prune_definitions(_drop_secret_fields(copy.deepcopy(fields)))
    canonical = json.dumps([[stripped], {}], sort_keys=True)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
