"""The toy profile object, provided to the run when pytest loads this module with ``-p``."""

import sys
from pathlib import Path

from conformance.client import ApiClient, Exchange
from conformance.profiles import Profile, Resource

HERE = Path(__file__).resolve().parent


def created_by(client: ApiClient, path: str, exchange: Exchange) -> list[tuple[str, str]]:
    body = exchange.json
    created = exchange.method == "POST" and path == "/notes" and exchange.status == 201
    if created and isinstance(body, dict) and isinstance(body.get("id"), str):
        return [("note", body["id"])]
    return []


def sweep(client: ApiClient, namespace: str) -> list[tuple[str, str]]:
    answer = client.get("/notes", params={"prefix": namespace})
    notes = answer.json if answer.status == 200 and isinstance(answer.json, list) else []
    return [("note", note["id"]) for note in notes if isinstance(note, dict) and "id" in note]


def embedded_command(port: int, workdir: Path) -> list[str]:
    return [sys.executable, str(HERE / "app.py"), "--port", str(port)]


PROFILE = Profile(
    name="toy",
    clause_prefix="TOY",
    suite_dir=HERE / "suite",
    areas={"NOTE": "notes"},
    level_names={1: "write", 2: "read"},
    resources=(Resource("note", "/notes/{id}"),),
    created_by=created_by,
    sweep=sweep,
    example_url="http://127.0.0.1:8000/toy",
    probe_path="/ping",
    embedded_command=embedded_command,
    embedded_base_path="/toy",
    schemas=HERE / "schemas",
    error_schema="error",
)


def pytest_blocks_conformance_profiles() -> list[Profile]:
    return [PROFILE]
