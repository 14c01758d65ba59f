"""Everything a blocks server holds, read through its filter endpoints, for before/after checks."""

import httpx

PAGE = 200


def _all(client: httpx.Client, path: str, body: dict) -> list[dict]:
    items, offset = [], 0
    while True:
        answer = client.post(path, json={**body, "limit": PAGE, "offset": offset})
        answer.raise_for_status()
        page = answer.json()
        items.extend(page)
        if len(page) < PAGE:
            return items
        offset += PAGE


# PF-BT-protected-update PATCHes the protected 'secret' type and restores its fields; the server
# bumps 'updated' on every PATCH and no API can set it back. That one timestamp, wherever the type
# appears (nested in schemas and documents too), is the only thing left out of the comparison.
TOUCHED_TYPE_SLUG = "secret"


def _without_touched_type_updated(value):
    if isinstance(value, dict):
        touched = value.get("slug") == TOUCHED_TYPE_SLUG and "is_protected" in value
        return {
            k: _without_touched_type_updated(v)
            for k, v in value.items()
            if not (touched and k == "updated")
        }
    if isinstance(value, list):
        return [_without_touched_type_updated(v) for v in value]
    return value


def snapshot(base_url: str, headers: dict | None = None) -> dict[str, dict[str, dict]]:
    """{kind: {id: object}} for block types, schemas and documents (anonymous ones included,
    secrets in clear)."""
    with httpx.Client(base_url=base_url, headers=headers or {}, timeout=30) as client:
        kinds = {
            "block_types": _all(client, "/block_types/filter", {}),
            "block_schemas": _all(client, "/block_schemas/filter", {}),
            "block_documents": _all(
                client,
                "/block_documents/filter",
                {"block_documents": {"is_anonymous": None}, "include_secrets": True},
            ),
        }
    return {
        kind: {item["id"]: _without_touched_type_updated(item) for item in items}
        for kind, items in kinds.items()
    }
