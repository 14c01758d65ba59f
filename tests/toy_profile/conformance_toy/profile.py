"""The toy profile: a blocks API of notes under ``/toy``, in two clauses.

Built in (``conformance/toy/`` with ``reference_server/toy/`` and one line of
``profiles.BUILT_IN``), the reference server serves it and a run with no URL tests that;
provided by a plugin (``-p tests.toy_profile.plugin``) it starts its own app instead."""

from pathlib import Path

from conformance.client import ApiClient, Exchange
from conformance.namespaces import Swept
from conformance.profiles import Profile, Resource

HERE = Path(__file__).resolve().parent


def created_by(client: ApiClient, path: str, exchange: Exchange) -> list[tuple[str, str]]:
    body = exchange.json
    created = exchange.method == "POST" and path == "/notes" and exchange.status == 201
    if created and isinstance(body, dict) and isinstance(body.get("id"), str):
        return [("note", body["id"])]
    return []


def sweep(client: ApiClient, prefix: str) -> list[Swept]:
    answer = client.get("/notes", params={"prefix": prefix})
    notes = answer.json if answer.status == 200 and isinstance(answer.json, list) else []
    return [
        Swept("note", note["id"], str(note.get("text", "")))
        for note in notes
        if isinstance(note, dict) and "id" in note
    ]


PROFILE = Profile(
    name="toy",
    clause_prefix="TOY",
    suite_dir=HERE,
    areas={"NOTE": "notes"},
    level_names={1: "write", 2: "read"},
    resources=(Resource("note", "/notes/{id}"),),
    created_by=created_by,
    sweep=sweep,
    example_url="http://127.0.0.1:4200/toy",
    probe_path="/ping",
    embedded_base_path="/toy",
    schemas=HERE / "schemas",
    error_schema="error",
)
