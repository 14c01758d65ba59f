"""Query strings of the list endpoints: pages, sort keys and filters, each checked (400 for a
value the endpoint does not know), and the pagination envelope of the answers."""

import math
from collections.abc import Mapping, Sequence

from fastapi import HTTPException
from starlette.datastructures import QueryParams

from ..store import ascii_int
from .store import Page, Query

DEFAULT_PAGE_SIZE = 25
SORT_COLUMNS = {
    "createdAt": "created_at",
    "createdBy": "created_by",
    "name": "name",
    "title": "title",
}


def positive_int(params: QueryParams, key: str, default: int) -> int:
    raw = params.get(key)
    if raw is None:
        return default
    value = ascii_int(raw)
    if value is None or value < 1:
        raise HTTPException(400, f"{key} must be a whole number of at least 1, got {raw!r}")
    return value


def sort_order(params: QueryParams, fields: Sequence[str], default_descending: bool):
    """``sort=field:asc|desc`` (repeatable) as (column, descending) pairs; creation order
    (newest first when ``default_descending``) when none is given."""
    order = []
    for entry in params.getlist("sort"):
        field, _, direction = entry.partition(":")
        direction = direction or "asc"
        if field not in fields or direction not in ("asc", "desc"):
            raise HTTPException(
                400, f"sort {entry!r} must be field:asc or field:desc with a field of {fields}"
            )
        order.append((SORT_COLUMNS[field], direction == "desc"))
    return order or [("created_at", default_descending)]


def one_of(params: QueryParams, key: str, allowed: Sequence[str]) -> list[str]:
    values = params.getlist(key)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise HTTPException(400, f"{key} {unknown} must be among {list(allowed)}")
    return values


def boolean(params: QueryParams, key: str) -> bool | None:
    raw = params.get(key)
    if raw is None:
        return None
    if raw.lower() not in ("true", "false"):
        raise HTTPException(400, f"{key} must be true or false, got {raw!r}")
    return raw.lower() == "true"


def listing(
    params: QueryParams,
    where: list[tuple[str, Sequence]],
    sort_fields: Sequence[str],
    default_descending: bool = True,
) -> Query:
    return Query(
        where=where,
        order=sort_order(params, sort_fields, default_descending),
        page_size=positive_int(params, "pageSize", DEFAULT_PAGE_SIZE),
        page_number=positive_int(params, "pageNumber", 1),
    )


def prefix_filters(params: QueryParams, columns: Mapping[str, str]) -> list[tuple[str, list]]:
    """``name``/``title`` prefix matches (case-sensitive, no wildcards)."""
    where = []
    for key, column in columns.items():
        if (value := params.get(key)) is not None:
            where.append((f"substr({column}, 1, length(?)) = ?", [value, value]))
    return where


def in_filter(column: str, values: list) -> list[tuple[str, list]]:
    if not values:
        return []
    marks = ", ".join("?" for _ in values)
    return [(f"{column} IN ({marks})", list(values))]


def envelope(page: Page, items: list, query: Query, items_key: str, count_key: str) -> dict:
    """One page of ``items`` (the page's objects as shown) with the pagination fields."""
    return {
        items_key: items,
        count_key: page.total,
        "pageCount": math.ceil(page.total / query.page_size),
        "pageNumber": query.page_number,
        "pageSize": query.page_size,
    }
