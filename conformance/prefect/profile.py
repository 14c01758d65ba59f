"""The Prefect profile: the blocks API of the Prefect 3.x server (block types, block schemas,
block documents), the main profile of the suite."""

import json
from pathlib import Path

from ..answers import Answers
from ..clauses import Catalogue
from ..cleanup import CleanUp, Resource
from ..client import ApiClient, Exchange
from ..differential import Answer, DifferentialRules
from ..embedded import ReferenceServer
from ..namespaces import Swept
from ..options import Credentials, Settings
from ..probing import Probe, Read
from ..profiles import Profile, RunHooks
from . import releases
from .client_journeys import PREFECT

CREATE_PATHS = {
    "/block_types/": "block_type",
    "/block_schemas/": "block_schema",
    "/block_documents/": "block_document",
}
SWEEP_PAGE = 200


def created_by(client: ApiClient, path: str, exchange: Exchange) -> list[tuple[str, str]]:
    """The object a 201 create answer reports. A server may answer a type create with another
    (older) type of the same name; the one just created is then found by the slug sent."""
    kind = CREATE_PATHS.get(path)
    body = exchange.json
    if exchange.method != "POST" or kind is None or exchange.status != 201:
        return []
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        return []
    sent = sent_object(exchange)
    if kind == "block_type" and body.get("slug") != sent.get("slug"):
        found = client.get(f"/block_types/slug/{sent.get('slug')}").json
        if isinstance(found, dict) and isinstance(found.get("id"), str):
            return [(kind, found["id"])]
        return []
    return [(kind, body["id"])]


def sent_object(exchange: Exchange) -> dict:
    """The JSON object the request carried (as given to the client, or as raw content)."""
    if isinstance(exchange.request_json, dict):
        return exchange.request_json
    try:
        sent = json.loads(exchange.request_content or b"null")
    except ValueError:
        return {}
    return sent if isinstance(sent, dict) else {}


def _all_pages(client: ApiClient, path: str, body: dict) -> list[dict]:
    items: list[dict] = []
    while True:
        answer = client.post(path, {**body, "limit": SWEEP_PAGE, "offset": len(items)})
        batch = answer.json
        if answer.status != 200 or not isinstance(batch, list):
            return items
        items += [item for item in batch if isinstance(item, dict) and "id" in item]
        if len(batch) < SWEEP_PAGE:
            return items


def sweep(client: ApiClient, prefix: str) -> list[Swept]:
    """Documents whose name, and types whose slug or name, starts with ``prefix``, found
    through the filter endpoints (level 3): a server without them is only cleaned up by id.
    A type's schemas and documents go with it."""
    found = []
    documents = {"block_documents": {"name": {"like_": prefix}, "is_anonymous": None}}
    for document in _all_pages(client, "/block_documents/filter", documents):
        name = str(document.get("name", ""))
        if name.startswith(prefix):
            found.append(Swept("block_document", document["id"], name))
    for block_type in _all_pages(client, "/block_types/filter", {}):
        names = (str(block_type.get("slug", "")), str(block_type.get("name", "")))
        named = next((name for name in names if name.startswith(prefix)), None)
        if named is not None:
            found.append(Swept("block_type", block_type["id"], named))
    return found


def identity(item: dict) -> str | None:
    """A block type by its slug, a schema by checksum and version, a document by its type's
    slug and its name (ids differ between servers; these do not)."""
    if isinstance(item.get("slug"), str) and "is_protected" in item:
        return f"type {item['slug']}"
    if isinstance(item.get("checksum"), str):
        return f"schema {item['checksum']} {item.get('version')}"
    block_type = item.get("block_type")
    if isinstance(item.get("name"), str) and isinstance(block_type, dict):
        return f"document {block_type.get('slug')}/{item['name']}"
    return None


def sort_key(item: dict) -> str | None:
    """Lists of documents and types are sorted by name; two documents of different types may
    share one, and the API says nothing of their order."""
    return item["name"] if isinstance(item.get("name"), str) else None


def created_identity(method: str, path: str, body: bytes, answer: Answer):
    """A 201 create answer's object, by its identity and id."""
    created = answer.json if answer.status == 201 else None
    if not isinstance(created, dict) or not isinstance(created.get("id"), str):
        return None
    found = identity(created)
    return (found, created["id"]) if found is not None else None


def credentialed_reads(settings: Settings) -> tuple[Read, ...]:
    """A read that needs the run's credentials on a server that asks for them: the smallest
    list of block types (a server without the filter endpoints, level 3, answers it 404 or
    405, which the start-up check leaves to the tests)."""
    return (Read("POST", "/block_types/filter", {"limit": 1}),)


# how the Prefect client sends PREFECT_API_AUTH_STRING (prefect/client/orchestration:
# PrefectClient.__init__, "Basic {token}")
AUTH_HINT = (
    "a Prefect server started with PREFECT_SERVER_API_AUTH_STRING=user:password wants "
    "'Authorization: Basic <base64 of user:password>', as the Prefect client sends it"
)


# the clause whose sentence promises the shape of each create's answer (201)
CREATED_SHAPE = {
    "block_types": "PF-BT-create",
    "block_schemas": "PF-BS-create",
    "block_documents": "PF-BD-create",
}


def promised_by(method: str, path: str, status: int) -> str | None:
    """The create clause of a 201 answer to a create (``path`` ends with the collection)."""
    if method != "POST" or status != 201:
        return None
    return CREATED_SHAPE.get(path.rstrip("/").rpartition("/")[2])


def release_arguments(settings) -> list[str]:
    """The embedded reference server plays the release the run follows."""
    return ["--prefect-release", releases.chosen(settings).version]


def unusable_settings(settings) -> str | None:
    """A release the timeline does not know, or a --blocks-prefect-ui without Playwright,
    Chromium or the UI it asks for: a usage error, never a failure of the server (the
    session checks the --blocks-prefect-python interpreters before, as every profile's
    clients)."""
    from .ui_journeys import unusable_ui

    return releases.unknown_release(settings) or unusable_ui(settings)


def release_facts(settings) -> dict[str, str]:
    return {"prefect release": releases.chosen(settings).described}


PROFILE = Profile(
    name="prefect",
    catalogue=Catalogue(
        prefix="PF",
        folder=Path(__file__).resolve().parent,
        areas={
            "API": "api",
            "BT": "block_types",
            "BS": "block_schemas",
            "SYS": "block_schemas",
            "BD": "block_documents",
            "SEQ": "sequences",
            "FLT": "filters",
            "CAP": "filters",
            "SEC": "secrets",
            "NEST": "nested",
            "GEN": "generated",
            "JRN": "journeys",
        },
        level_names={1: "save", 2: "load", 3: "filter", 4: "nested", 5: "clients"},
        adjust=releases.adjusted_catalogue,
    ),
    cleanup=CleanUp(
        resources=(
            Resource("block_document", "/block_documents/{id}"),
            Resource("block_schema", "/block_schemas/{id}"),
            Resource("block_type", "/block_types/{id}"),
        ),
        created_by=created_by,
        sweep=sweep,
    ),
    server=ReferenceServer(base_path="/api", arguments=release_arguments),
    probe=Probe(reads=credentialed_reads),
    answers=Answers(promised_by=promised_by),
    credentials=Credentials(hint=AUTH_HINT),
    differential=DifferentialRules(
        # the real server builds the capability list from a Python set
        unordered=frozenset({("GET", "/block_capabilities/")}),
        # the real server keeps a schema's capabilities in a frozenset: their order changes
        # with each server process's hash seed
        unordered_keys=frozenset({"capabilities"}),
        identity=identity,
        sort_key=sort_key,
        created_identity=created_identity,
    ),
    clients=(PREFECT,),
    hooks=RunHooks(unusable_settings=unusable_settings, facts=release_facts),
)
