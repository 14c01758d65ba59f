"""The block types and schemas a fresh Prefect 3.8.8 server has registered when it starts: the
three protected system types and the collection types, as observed through its API and kept in
``system_blocks.json`` (Prefect's data, Apache-2.0).

``python -m reference_server.prefect.system_blocks http://127.0.0.1:4200/api`` captures them
again from a freshly started real server.
"""

import json
import sys
import urllib.request
from pathlib import Path

from .nesting import create_schema
from .store import NotFound, Store

DATA = Path(__file__).with_name("system_blocks.json")
TYPE_KEYS = ("name", "slug", "logo_url", "documentation_url", "description", "code_example")


def install(store: Store) -> None:
    """Register every system type and schema that is missing; protected types get their
    texts back on every start, as on the real server. Schemas keep the checksums the real
    server gave them."""
    for block in json.loads(DATA.read_text()):
        block_type = install_type(store, block["block_type"])
        schema = block["block_schema"]
        create_schema(
            store,
            schema["fields"],
            block_type["id"],
            schema["capabilities"],
            schema["version"],
            checksum=schema["checksum"],
        )


def install_type(store: Store, values: dict) -> dict:
    texts = {key: values[key] for key in TYPE_KEYS}
    if values["is_protected"]:
        return store.upsert_protected_block_type(texts)
    try:
        return store.block_type_by_slug(values["slug"])
    except NotFound:
        return store.create_block_type(texts)


# ---- capture from a real server -------------------------------------------------------------


def _post(url: str, body: dict) -> list[dict]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"content-type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def capture(base_url: str) -> list[dict]:
    """Every schema of the server with its type, referenced schemas before those that use
    them (so that installing in this order never needs a schema that is not there yet)."""
    types = {t["id"]: t for t in _post(f"{base_url}/block_types/filter", {})}
    schemas = _post(f"{base_url}/block_schemas/filter", {})
    ordered: list[dict] = []
    done: set[str] = set()
    pending = sorted(schemas, key=lambda s: (types[s["block_type_id"]]["slug"], s["version"]))
    while pending:
        ready = [s for s in pending if references_of(s) <= done]
        if not ready:
            raise RuntimeError("schemas reference checksums the server does not have")
        for schema in ready:
            ordered.append(entry(types[schema["block_type_id"]], schema))
            done.add(schema["checksum"])
        pending = [s for s in pending if s["checksum"] not in done]
    return ordered


def references_of(schema: dict) -> set[str]:
    found = set()
    for value in (schema["fields"].get("block_schema_references") or {}).values():
        for reference in value if isinstance(value, list) else [value]:
            found.add(reference["block_schema_checksum"])
    return found


def entry(block_type: dict, schema: dict) -> dict:
    kept_type = {key: block_type[key] for key in (*TYPE_KEYS, "is_protected")}
    kept_schema = {key: schema[key] for key in ("checksum", "fields", "capabilities", "version")}
    return {"block_type": kept_type, "block_schema": kept_schema}


if __name__ == "__main__":
    captured = capture(sys.argv[1].rstrip("/"))
    DATA.write_text(json.dumps(captured, indent=1, sort_keys=True) + "\n")
    print(f"{len(captured)} schemas of {len({e['block_type']['slug'] for e in captured})} types")
