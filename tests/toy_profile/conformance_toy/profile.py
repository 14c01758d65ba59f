"""The toy profile: a blocks API of notes under ``/toy``, in two clauses.

Built in (``conformance/toy/`` with ``reference_server/toy/`` and one line of
``profiles.BUILT_IN``), the reference server serves it and a run with no URL tests that;
provided by a plugin (``-p tests.toy_profile.plugin``) it starts its own app instead."""

from pathlib import Path

from conformance.answers import Answers
from conformance.clauses import Catalogue
from conformance.cleanup import CleanUp, Resource
from conformance.client import ApiClient, Exchange
from conformance.embedded import ReferenceServer
from conformance.namespaces import Swept
from conformance.profiles import Profile

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


# The fewest parts a profile gives: its name, its catalogue and clean-up, where its API is on
# the reference server and where its answers' schemas are. Every other part keeps its default
# (probed at /health for a 200, no credentials, no real client, no run hooks).
PROFILE = Profile(
    name="toy",
    catalogue=Catalogue(
        prefix="TOY", folder=HERE, areas={"NOTE": "notes"}, level_names={1: "write", 2: "read"}
    ),
    cleanup=CleanUp(
        resources=(Resource("note", "/notes/{id}"),), created_by=created_by, sweep=sweep
    ),
    server=ReferenceServer(base_path="/toy"),
    answers=Answers(schemas=HERE / "schemas"),
)
