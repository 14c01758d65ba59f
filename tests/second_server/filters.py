"""The /filter and /count queries: which objects a filter keeps, and in which order.

A filter object is a set of sub-filters combined with ``and_`` (or ``or_`` where it has an
``operator``); a sub-filter holds operators that must all hold and holds when it has none.
``any_`` keeps the objects whose value is in the list (an empty list keeps nothing), ``all_``
the schemas with every listed capability, ``like_`` is a case-insensitive substring match in
which ``%`` stands for any text, ``_`` for one character and a backslash makes the next
character literal. Document filters keep named documents only unless they say otherwise.
"""

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from .store import BlockDocument, BlockSchema, BlockType, Store

NOT_ANONYMOUS = {"eq_": False}


@lru_cache(maxsize=256)
def like_pattern(pattern: str) -> re.Pattern:
    parts, escaped = [], False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            parts.append({"%": ".*", "_": "."}.get(char) or re.escape(char))
    if escaped:
        parts.append(re.escape("\\"))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def like(pattern: str | None, value: str) -> bool:
    return not pattern or like_pattern(pattern).search(value) is not None


def in_any(condition: dict | None, value: str) -> bool:
    """An ``any_`` sub-filter: absent, null or without ``any_`` holds."""
    if not condition or condition.get("any_") is None:
        return True
    return value in condition["any_"]


def in_ids(condition: dict | None, value: str) -> bool:
    """An ``any_`` sub-filter of UUIDs, which name the same id in either case."""
    if not condition or condition.get("any_") is None:
        return True
    return value in [found.lower() for found in condition["any_"]]


def combined(results: list[bool], spec: dict) -> bool:
    if spec.get("operator") == "or_":
        return any(results) if results else True
    return all(results)


def type_matches(block_type: BlockType, spec: dict | None) -> bool:
    if not spec:
        return True
    name = spec.get("name") or {}
    return like(name.get("like_"), block_type.name) and in_any(spec.get("slug"), block_type.slug)


def schema_matches(schema: BlockSchema, spec: dict | None) -> bool:
    if spec is None:
        return True
    results = []
    if spec.get("block_type_id") is not None:
        results.append(in_ids(spec["block_type_id"], schema.block_type_id))
    if (capabilities := spec.get("block_capabilities")) is not None:
        wanted = capabilities.get("all_") or []
        results.append(set(wanted) <= set(schema.capabilities))
    if spec.get("id") is not None:
        results.append(in_ids(spec["id"], schema.id))
    if spec.get("version") is not None:
        results.append(in_any(spec["version"], schema.version))
    return combined(results, spec)


def document_matches(document: BlockDocument, spec: dict | None) -> bool:
    spec = {"is_anonymous": NOT_ANONYMOUS} if spec is None else spec
    results = []
    if spec.get("id") is not None:
        results.append(in_ids(spec["id"], document.id))
    anonymous = spec.get("is_anonymous", NOT_ANONYMOUS)
    if anonymous is not None:
        results.append(anonymous.get("eq_") is None or anonymous["eq_"] == document.is_anonymous)
    if spec.get("block_type_id") is not None:
        results.append(in_ids(spec["block_type_id"], document.block_type_id))
    if (name := spec.get("name")) is not None:
        results.append(in_any(name, document.name) and like(name.get("like_"), document.name))
    return combined(results, spec)


def types_kept(store: Store, query: dict) -> list[BlockType]:
    """The block types a /block_types/filter query keeps, by name (ties: insertion order)."""
    schemas = query.get("block_schemas")

    def has_schema(block_type: BlockType) -> bool:
        return any(
            s.block_type_id == block_type.id and schema_matches(s, schemas)
            for s in store.schemas.values()
        )

    kept = [
        t
        for t in store.types.values()
        if type_matches(t, query.get("block_types")) and (schemas is None or has_schema(t))
    ]
    return sorted(kept, key=lambda block_type: block_type.name)


def schemas_kept(store: Store, query: dict) -> list[BlockSchema]:
    """The schemas a /block_schemas/filter query keeps, newest first."""
    spec = query.get("block_schemas")
    return [s for s in reversed(store.schemas.values()) if schema_matches(s, spec)]


SORTS: dict[str, tuple[Callable[[Store, BlockDocument], Any], bool]] = {
    "NAME_ASC": (lambda store, d: d.name, False),
    "NAME_DESC": (lambda store, d: d.name, True),
    "BLOCK_TYPE_AND_NAME_ASC": (
        lambda store, d: (store.types[d.block_type_id].name, d.name),
        False,
    ),
}


def documents_kept(store: Store, query: dict) -> list[BlockDocument]:
    """The documents a /block_documents/filter or /count query keeps, sorted as it asks."""
    types, schemas = query.get("block_types"), query.get("block_schemas")
    kept = [
        d
        for d in store.documents.values()
        if document_matches(d, query.get("block_documents"))
        and type_matches(store.types[d.block_type_id], types)
        and schema_matches(store.schemas[d.block_schema_id], schemas)
    ]
    key, descending = SORTS[query.get("sort") or "NAME_ASC"]
    return sorted(kept, key=lambda document: key(store, document), reverse=descending)


def page(items: Iterable, offset: int, limit: int) -> list:
    return list(items)[offset : offset + limit]
