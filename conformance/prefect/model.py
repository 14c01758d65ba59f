"""An in-memory model of /block_documents/filter: the oracle for generated filters.

It encodes the semantics the hand-written clauses pin down (anonymous defaulting, and_/or_ over
sub-filters where a sub-filter without operators is TRUE, like_ as a case-insensitive substring
match with % and _ wildcards, the three sorts, paging).
"""

import re
from dataclasses import dataclass

DEFAULT_IS_ANONYMOUS = {"eq_": False}


@dataclass(frozen=True)
class Doc:
    id: str
    name: str
    type_id: str
    type_name: str
    is_anonymous: bool


def like(pattern: str, value: str) -> bool:
    """SQL ``value LIKE '%' || pattern || '%'`` with SQLite's ASCII case folding."""
    regex = "".join(
        ".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern
    )
    return re.search(regex, value, re.IGNORECASE | re.ASCII | re.DOTALL) is not None


def _sub_filters(doc: Doc, spec: dict) -> list[bool]:
    """One truth value per sub-filter present: the AND of its operators (True if it has none)."""
    subs = []
    if (ids := spec.get("id")) is not None:
        subs.append(ids.get("any_") is None or doc.id in ids["any_"])
    anonymous = spec.get("is_anonymous", DEFAULT_IS_ANONYMOUS)
    if anonymous is not None:
        subs.append(anonymous.get("eq_") is None or doc.is_anonymous == anonymous["eq_"])
    if (types := spec.get("block_type_id")) is not None:
        subs.append(types.get("any_") is None or doc.type_id in types["any_"])
    if (name := spec.get("name")) is not None:
        in_list = name.get("any_") is None or doc.name in name["any_"]
        subs.append(in_list and (not name.get("like_") or like(name["like_"], doc.name)))
    return subs


def matches(doc: Doc, spec: dict | None) -> bool:
    subs = _sub_filters(doc, spec if spec is not None else {})
    if (spec or {}).get("operator") == "or_":
        return any(subs) if subs else True
    return all(subs)


SORT_KEYS = {
    "NAME_ASC": (lambda doc: doc.name, False),
    "NAME_DESC": (lambda doc: doc.name, True),
    "BLOCK_TYPE_AND_NAME_ASC": (lambda doc: (doc.type_name, doc.name), False),
}


def expected_names(docs: list[Doc], body: dict) -> list[str]:
    """The names the filter body must return, in order (names are unique in the data set)."""
    selected = [doc for doc in docs if matches(doc, body.get("block_documents"))]
    key, reverse = SORT_KEYS[body.get("sort") or "NAME_ASC"]
    ordered = sorted(selected, key=key, reverse=reverse)
    offset = body.get("offset") or 0
    limit = body.get("limit")
    window = ordered[offset:] if limit is None else ordered[offset : offset + limit]
    return [doc.name for doc in window]
