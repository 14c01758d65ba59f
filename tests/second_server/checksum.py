"""Block schema checksums, computed the way the Prefect client computes them before it looks a
schema up by checksum (so that its lookups find what it saved): the SHA-256 of the JSON text of
``[[fields], {}]`` with sorted keys and Python's default separators, after every
``secret_fields`` key is dropped and ``definitions`` is cut to the plain (non-block) definitions
some ``$ref`` reaches."""

import hashlib
import json
from typing import Any

DEFINITIONS_PREFIX = "#/definitions/"


def without_key(value: Any, key: str) -> Any:
    """``value`` with ``key`` dropped from every object, at any depth (lists are not entered:
    the client's walk does not enter them either)."""
    if not isinstance(value, dict):
        return value
    return {name: without_key(item, key) for name, item in value.items() if name != key}


def references_in(value: Any) -> list[Any]:
    """Every ``$ref`` value in ``value``, objects and lists entered, in document order."""
    found: list[Any] = []
    if isinstance(value, dict):
        if value.get("$ref"):
            found.append(value["$ref"])
        for item in value.values():
            found += references_in(item)
    elif isinstance(value, list):
        for item in value:
            found += references_in(item)
    return found


def plain_definitions_reached(start: Any, definitions: dict, kept: dict) -> None:
    """Adds to ``kept`` the definitions ``start`` reaches through ``$ref``, directly or through
    other kept definitions, leaving out empty ones and blocks (those with a block_type_slug)."""
    for reference in references_in(start):
        if not isinstance(reference, str):
            continue
        key = reference.replace(DEFINITIONS_PREFIX, "")
        definition = definitions.get(key)
        if key in kept or not isinstance(definition, dict) or not definition:
            continue
        if definition.get("block_type_slug") is None:
            kept[key] = definition
            plain_definitions_reached(definition, definitions, kept)


def hashed_form(fields: dict) -> dict:
    """The part of ``fields`` the checksum covers."""
    stripped = without_key(fields, "secret_fields")
    definitions = stripped.get("definitions")
    if isinstance(definitions, dict) and definitions:
        kept: dict = {}
        plain_definitions_reached(stripped, definitions, kept)
        if kept:
            stripped["definitions"] = kept
        else:
            del stripped["definitions"]
    return stripped


def schema_checksum(fields: dict) -> str:
    text = json.dumps([[hashed_form(fields)], {}], sort_keys=True)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
