"""The server side of block schema checksums: ``sha256:`` over the fields a schema is stored
with, as the real Prefect server computes them.

What counts: ``secret_fields`` is left out at
every depth, and of ``definitions`` only the plain (non-block) ones that some ``$ref`` names are
kept. The hash input is Python's ``json.dumps`` with sorted keys of ``[[fields], {}]``. The suite
keeps its own, separately written, recipe; tests pin both to values seen on the real server.
"""

import hashlib
import json
from typing import Any

REFERENCE_PREFIX = "#/definitions/"


def without_secret_fields(value: Any) -> Any:
    """A copy of ``value`` without any ``secret_fields`` key, however deep."""
    if isinstance(value, dict):
        return {k: without_secret_fields(v) for k, v in value.items() if k != "secret_fields"}
    if isinstance(value, list):
        return [without_secret_fields(item) for item in value]
    return value


def referenced_names(value: Any) -> set[str]:
    """The definition names of every ``$ref`` string inside ``value``."""
    names: set[str] = set()
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, dict):
            for key, child in current.items():
                if key == "$ref" and isinstance(child, str):
                    names.add(child.removeprefix(REFERENCE_PREFIX))
                else:
                    pending.append(child)
        elif isinstance(current, list):
            pending.extend(current)
    return names


def plain_definitions(definitions: dict) -> dict:
    """The definitions that are not blocks (no ``block_type_slug``) and not empty."""
    return {
        name: definition
        for name, definition in definitions.items()
        if isinstance(definition, dict) and definition and "block_type_slug" not in definition
    }


def plain_referenced_definitions(fields: dict) -> dict:
    """The definitions of ``fields`` that are not blocks (no ``block_type_slug``), are not empty,
    and are named by some ``$ref``; the others are the server's to rebuild or drop."""
    definitions = fields.get("definitions")
    if not isinstance(definitions, dict):
        return {}
    wanted = referenced_names(fields)
    return {name: d for name, d in plain_definitions(definitions).items() if name in wanted}


def checksum_of(fields: dict) -> str:
    hashed = without_secret_fields(fields)
    if isinstance(hashed.get("definitions"), dict) and hashed["definitions"]:
        kept = plain_referenced_definitions(hashed)
        if kept:
            hashed["definitions"] = kept
        else:
            del hashed["definitions"]
    text = json.dumps([[hashed], {}], sort_keys=True)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
