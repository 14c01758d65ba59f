"""The block types and schemas a fresh real Prefect server has registered when it starts, per
release: the protected system types and the collection types, as observed through its API and
kept in ``releases/<version>.json.gz`` (Prefect's data, Apache-2.0). The reference server plays
one release (``--prefect-release``, default the newest known: ``timeline.py``): the newest
capture taken from it or an earlier release, and its ``/admin/version``.

``python -m reference_server.prefect.system_blocks http://127.0.0.1:4200/api`` captures them
from a freshly started real server, into the file of the release it reports.
"""

import functools
import gzip
import json
import sys
import time
import urllib.request
from pathlib import Path

from packaging.version import Version

from .checksum import plain_definitions
from .store import NotFound, Store

RELEASES = Path(__file__).with_name("releases")
TYPE_KEYS = ("name", "slug", "logo_url", "documentation_url", "description", "code_example")


def captured() -> list[str]:
    """The releases whose system blocks were captured, oldest first."""
    found = [path.name.removesuffix(".json.gz") for path in RELEASES.glob("*.json.gz")]
    return sorted(found, key=Version)


def capture_for(release: str) -> str:
    """The capture a release plays: the newest taken from it or an earlier release (the system
    blocks change rarely; a capture is taken where they change what a client sees)."""
    earlier = [version for version in captured() if Version(version) <= Version(release)]
    if not earlier:
        raise ValueError(f"no system blocks captured for Prefect {release} or an earlier release")
    return earlier[-1]


@functools.cache
def system_blocks(release: str) -> list[dict]:
    """The release's system blocks, parsed once per process (callers only read them)."""
    with gzip.open(RELEASES / f"{capture_for(release)}.json.gz", "rt") as handle:
        return json.load(handle)


def install(store: Store, release: str) -> None:
    """Register every system schema (and type) that is missing, in the order the real server
    created them, then the references between them; protected types get their texts back on
    every start, as on the real server. Checksums and plain definitions are kept as the real
    server answered them: it made them from registration fields with more definitions."""
    added = []
    with store.transaction():  # one commit for the whole installation
        known = store.schema_versions()
        for block in system_blocks(release):
            block_type = install_type(store, block["block_type"])
            schema = block["block_schema"]
            key = (schema["checksum"], schema["version"])
            if key not in known:
                added.append((store_schema(store, schema, block_type["id"]), schema))
                known.add(key)
        for stored, schema in added:
            for name, entry in reference_entries(schema["fields"]):
                child = store.block_schema_by_checksum(entry["block_schema_checksum"])
                store.add_schema_reference(stored["id"], name, child["id"])


def store_schema(store: Store, schema: dict, type_id: str) -> dict:
    fields = {k: v for k, v in schema["fields"].items() if k != "block_schema_references"}
    plain = plain_definitions(fields.pop("definitions", None) or {})
    if plain:
        fields["definitions"] = plain
    return store.create_block_schema(
        fields, schema["checksum"], schema["capabilities"], schema["version"], type_id
    )


def reference_entries(fields: dict) -> list[tuple[str, dict]]:
    pairs = []
    for name, value in (fields.get("block_schema_references") or {}).items():
        for entry in value if isinstance(value, list) else [value]:
            pairs.append((name, entry))
    return pairs


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
    """Every schema of the server with its type, oldest first (the order the server created
    them in, so that the reference server's newest-first lists come out the same)."""
    types = {t["id"]: t for t in _post(f"{base_url}/block_types/filter", {})}
    schemas = _post(f"{base_url}/block_schemas/filter", {})
    return [entry(types[schema["block_type_id"]], schema) for schema in reversed(schemas)]


def entry(block_type: dict, schema: dict) -> dict:
    kept_type = {key: block_type[key] for key in (*TYPE_KEYS, "is_protected")}
    kept_schema = {key: schema[key] for key in ("checksum", "fields", "capabilities", "version")}
    return {"block_type": kept_type, "block_schema": kept_schema}


def server_version(base_url: str) -> str:
    with urllib.request.urlopen(f"{base_url}/admin/version", timeout=30) as answer:
        return json.load(answer)


def settled_capture(base_url: str, pause: float = 2.0, rounds: int = 150) -> list[dict]:
    """A capture once the server has registered its blocks: it answers health before it has,
    so two captures ``pause`` apart must agree (and hold something). The first waits too: a
    request during the registration can make it give up (SQLite's lock)."""
    time.sleep(pause)
    previous = capture(base_url)
    for _ in range(rounds):
        time.sleep(pause)
        current = capture(base_url)
        if current and current == previous:
            return current
        previous = current
    raise SystemExit(f"{base_url} kept changing its block schemas for {pause * rounds:.0f} s")


def main(base_url: str) -> Path:
    """Capture a fresh real server's system blocks into the file of its release."""
    captured = settled_capture(base_url)
    path = RELEASES / f"{server_version(base_url)}.json.gz"
    text = json.dumps(captured, indent=1, sort_keys=True) + "\n"
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as handle:
        handle.write(text.encode())
    types = {entry["block_type"]["slug"] for entry in captured}
    print(f"{path}: {len(captured)} schemas of {len(types)} types")
    return path


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
