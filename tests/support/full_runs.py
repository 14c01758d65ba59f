"""The two full runs of the suite that several tests read, each made once per session: against
a reference server holding other users' objects, and (in CI) against the real Prefect server.

Each run records every exchange and snapshots the server before and after, so that the
unbroken-server, no-residue and contract tests check one run instead of making three.
"""

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from .servers import ServerProcess
from .snapshot import snapshot
from .suite_runs import SuiteRun, run_suite

# Tests that read the full runs share one pytest-xdist worker (README: `-n auto --dist
# loadgroup`), so that each run is made once per session, not once per worker.
FULL_RUNS = pytest.mark.xdist_group("full_runs")


@dataclass
class FullRun:
    run: SuiteRun
    before: dict
    after: dict
    exchanges: list[dict]


def seed_foreign_objects(base_url: str) -> None:
    """Objects another user of the server owns: a type, a schema, named and anonymous documents,
    and a Secret document under the protected type."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        tag = uuid.uuid4().hex[:8]
        block_type = client.post(
            "/block_types/", json={"name": f"Foreign {tag}", "slug": f"foreign-{tag}"}
        ).json()
        fields = {
            "title": f"Foreign {tag}",
            "properties": {"pw": {"type": "string"}},
            "secret_fields": ["pw"],
        }
        schema = client.post(
            "/block_schemas/", json={"block_type_id": block_type["id"], "fields": fields}
        ).json()
        for name, anonymous in ((f"foreign-{tag}", False), (None, True)):
            client.post(
                "/block_documents/",
                json={
                    "name": name,
                    "data": {"pw": "keep-me"},
                    "block_schema_id": schema["id"],
                    "block_type_id": block_type["id"],
                    "is_anonymous": anonymous,
                },
            ).raise_for_status()


def client_journeys() -> list[str]:
    """The level-5 journeys join the full runs when the Prefect client is at hand (CI): the
    client's and CLI's, and those of the UI its wheel ships (its default UI, in Chromium)."""
    python = os.environ.get("PREFECT_PYTHON")
    return [f"--blocks-prefect-python={python}", "--blocks-prefect-ui"] if python else []


def full_run(url: str, folder: Path, *args: str) -> FullRun:
    log = folder / "exchanges.jsonl"
    before = snapshot(url)
    run = run_suite(
        f"--target-url={url}",
        "--blocks-fail-on-skip",
        "--blocks-seed=20261202",
        f"--blocks-record-exchanges={log}",
        *client_journeys(),
        *args,
        tmp_path=folder,
    )
    after = snapshot(url)
    exchanges = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return FullRun(run, before, after, exchanges)


def reference_full_run(folder: Path) -> FullRun:
    server = ServerProcess(None, folder)
    try:
        seed_foreign_objects(server.url)
        return full_run(server.url, folder)
    finally:
        server.stop()


def real_full_run(url: str, folder: Path) -> FullRun:
    """The run against the real server of a ground-truth release, with that release's line and
    ledger (its version as the server reports it)."""
    from conformance.prefect import releases

    release = releases.named(httpx.get(f"{url}/admin/version", timeout=30).json())
    ledger = release.fixture("ledger")
    # A small budget of generated cases: the real server answers slowly, and CI's own run against
    # it (50 cases a test) already holds every generated answer to the contract.
    options = (f"--blocks-prefect-release={release.version}", f"--blocks-expect-fail={ledger}")
    return full_run(url, folder, *options, "--blocks-examples=3")
