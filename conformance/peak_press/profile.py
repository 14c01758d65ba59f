"""The Peak Press profile: block specs, releases, deployments and revisions of Peak's Press API
as the real ``peak-sdk`` client (``peak.press.blocks``) calls it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from ..answers import Answers
from ..clauses import Catalogue
from ..cleanup import CleanUp, Resource
from ..client import ApiClient, Exchange
from ..differential import Answer, DifferentialRules
from ..embedded import ReferenceServer
from ..namespaces import Swept
from ..options import Credentials, Settings
from ..probing import Probe, Read
from ..profiles import Profile
from .client_journeys import PEAK
from .options import EMBEDDED_HOOK, HOOK_OPTION, REFERENCE_TOKEN

SPECS = "/v1/blocks/specs/"
DEPLOYMENTS = "/v1/blocks/deployments/"
CREATE_PATHS = {SPECS: "spec", DEPLOYMENTS: "deployment"}
SWEEP_PAGE_SIZE = 100
DELETED = (200, 204, 404)


def created_by(client: ApiClient, path: str, exchange: Exchange) -> list[tuple[str, str]]:
    """The spec or deployment a successful create reports (a dry run reports no id)."""
    kind = CREATE_PATHS.get(path.rstrip("/") + "/")
    body = exchange.json
    if exchange.method != "POST" or kind is None or not 200 <= exchange.status < 300:
        return []
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        return [(kind, body["id"])]
    return []


def _named(client: ApiClient, path: str, items_key: str, prefix: str) -> list[tuple[str, str]]:
    """(id, name) of the objects listed at ``path`` whose name starts with ``prefix``."""
    named: list[tuple[str, str]] = []
    page, page_count = 1, 1
    while page <= page_count:
        params = {"name": prefix, "pageSize": SWEEP_PAGE_SIZE, "pageNumber": page}
        answer = client.get(path, params=params)
        body = answer.json
        if answer.status != 200 or not isinstance(body, dict):
            return named
        items = [item for item in body.get(items_key) or [] if isinstance(item, dict)]
        if not items:  # an empty page ends the walk, whatever pageCount claims
            return named
        for item in items:
            name = str((item.get("metadata") or {}).get("name", ""))
            if name.startswith(prefix) and isinstance(item.get("id"), str):
                named.append((item["id"], name))
        page_count = body.get("pageCount") if isinstance(body.get("pageCount"), int) else 0
        page += 1
    return named


def sweep(client: ApiClient, prefix: str) -> list[Swept]:
    """Deployments and specs whose name starts with ``prefix`` (the lists' name filter is a
    prefix match)."""
    deployments = _named(client, DEPLOYMENTS, "deployments", prefix)
    specs = _named(client, SPECS, "specs", prefix)
    return [Swept("deployment", *found) for found in deployments] + [
        Swept("spec", *found) for found in specs
    ]


def speaks_the_api(response: httpx.Response) -> bool:
    """A list of specs, or a 401 for the missing token (the embedded server is probed without
    one): either way a JSON answer of this API."""
    if response.status_code not in (200, 401):
        return False
    try:
        return isinstance(response.json(), dict)
    except ValueError:
        return False


def credentialed_reads(settings: Settings) -> tuple[Read, ...]:
    """The probe's list of specs again, which must now answer with the run's token (the probe
    takes a 401 as a live server: the embedded one is waited for without a token)."""
    return (Read("GET", SPECS + "?pageSize=1"),)


def token_header(settings: Settings) -> dict[str, str]:
    return {"Authorization": settings.value("blocks_peak_press_token") or REFERENCE_TOKEN}


def identity(item: dict) -> str | None:
    """A spec or deployment by its name, a release by its version, a revision by its number."""
    metadata = item.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("name"), str) and "kind" in item:
        return f"{'deployment' if 'latestRevision' in item else 'spec'} {metadata['name']}"
    if isinstance(item.get("revision"), int) and "status" in item:
        return f"revision {item['revision']}"
    if isinstance(item.get("version"), str) and "createdAt" in item:
        return f"release {item['version']}"
    return None


def reference_options(url: str) -> list[str]:
    """A started reference server's test hook, below its API's base URL."""
    return [f"--blocks-peak-press-hook-url={EMBEDDED_HOOK}"]


FIRST_NAME = re.compile(rb'"name"\s*:\s*"((?:[^"\\]|\\.)*)"')


def created_identity(method: str, path: str, body: bytes, answer: Answer):
    """A spec or deployment a create reports: the name the request gave it (the first
    ``"name"`` of the body, which is ``metadata.name``; a spec is sent as multipart)."""
    kind = CREATE_PATHS.get(path.rstrip("/") + "/")
    created = answer.json if 200 <= answer.status < 300 else None
    if method != "POST" or kind is None or not isinstance(created, dict):
        return None
    name = FIRST_NAME.search(body or b"")
    if name is None or not isinstance(created.get("id"), str):
        return None
    quoted = b'"' + name.group(1) + b'"'
    return f"{kind} {json.loads(quoted)}", created["id"]


PROFILE = Profile(
    name="peak-press",
    catalogue=Catalogue(
        prefix="PP",
        folder=Path(__file__).resolve().parent,
        areas={
            "API": "api",
            "SPEC": "specs",
            "PAGE": "pagination",
            "VAL": "dry_run",
            "REL": "releases",
            "DEP": "deployments",
            "REV": "revisions",
            "PAR": "parameters",
            "RDP": "redeploy",
            "GEN": "generated",
            "JRN": "journeys",
        },
        level_names={1: "specs", 2: "releases", 3: "deployments", 4: "parameters", 5: "clients"},
    ),
    cleanup=CleanUp(
        resources=(
            Resource("deployment", DEPLOYMENTS + "{id}", gone=DELETED),
            Resource("spec", SPECS + "{id}", gone=DELETED),
        ),
        created_by=created_by,
        sweep=sweep,
    ),
    server=ReferenceServer(
        base_path="/peak",
        options={HOOK_OPTION: EMBEDDED_HOOK},
        reference_options=reference_options,
    ),
    probe=Probe(
        path=SPECS + "?pageSize=1",
        alive=speaks_the_api,
        expectation="a JSON answer, 200 (or 401 without a token)",
        reads=credentialed_reads,
    ),
    # peak-sdk passes an error's body on as it is: no shape is required of it (the detail Peak's
    # examples show is PP-API-error-shape, SHOULD)
    answers=Answers(error_schema=None),
    credentials=Credentials(
        headers=token_header,
        options=("--blocks-peak-press-token",),
        hint="the raw token, as peak-sdk sends it in Authorization; the default is the "
        "reference server's test token",
    ),
    differential=DifferentialRules(identity=identity, created_identity=created_identity),
    clients=(PEAK,),
)
