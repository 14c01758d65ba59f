"""Record the system block types and schemas a freshly started real Prefect server has, as facts
for the second server to register at start-up (``system_blocks.json.gz``)::

    python -m tests.second_server.record http://127.0.0.1:4731/api

Point it at a real server started with an empty PREFECT_HOME (``PREFECT_HOME=$(mktemp -d)
prefect server start --host 127.0.0.1 --port PORT`` in the release's virtualenv): everything
that server lists is written, in the order it was created.
"""

import argparse
import gzip
import json
from pathlib import Path

import httpx

OUT = Path(__file__).with_name("system_blocks.json.gz")
TYPE_KEYS = ("name", "slug", "logo_url", "documentation_url", "description", "code_example")


def listed(client: httpx.Client, path: str) -> list[dict]:
    """Every object a /filter endpoint lists, page by page."""
    found: list[dict] = []
    while True:
        page = client.post(path, json={"limit": 200, "offset": len(found)})
        page.raise_for_status()
        found += page.json()
        if len(page.json()) < 200:
            return found


def record(api_url: str) -> dict:
    with httpx.Client(base_url=api_url, timeout=30) as client:
        version = client.get("/admin/version").json()
        types = listed(client, "/block_types/filter")
        schemas = listed(client, "/block_schemas/filter")  # newest first
    slugs = {block_type["id"]: block_type["slug"] for block_type in types}
    return {
        "prefect_version": version,
        "block_types": [
            {**{key: t[key] for key in TYPE_KEYS}, "is_protected": t["is_protected"]} for t in types
        ],
        "block_schemas": [
            {
                "block_type_slug": slugs[schema["block_type_id"]],
                "checksum": schema["checksum"],
                "version": schema["version"],
                "capabilities": schema["capabilities"],
                "fields": schema["fields"],
            }
            for schema in reversed(schemas)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("api_url", help="the real server's API URL, e.g. http://127.0.0.1:4731/api")
    facts = record(parser.parse_args().api_url)
    text = json.dumps(facts, indent=1, sort_keys=True) + "\n"
    OUT.write_bytes(gzip.compress(text.encode(), mtime=0))
    print(f"{len(facts['block_types'])} types, {len(facts['block_schemas'])} schemas -> {OUT}")


if __name__ == "__main__":
    main()
