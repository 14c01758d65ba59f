"""A conformance run leaves no object of its own behind and changes no pre-existing object.

The full run against a reference server seeded with objects the suite does not own, and (CI
sets BLOCKS_REAL_TARGET_URL) the full run against the real Prefect server, are compared
before and after (tests/support/full_runs.py).
"""

import httpx

from .support.full_runs import FULL_RUNS, seed_foreign_objects
from .support.snapshot import snapshot
from .support.suite_runs import run_suite


def differences(before: dict, after: dict) -> list[str]:
    found = []
    for kind in before:
        added = set(after[kind]) - set(before[kind])
        removed = set(before[kind]) - set(after[kind])
        changed = [
            i for i in set(before[kind]) & set(after[kind]) if before[kind][i] != after[kind][i]
        ]
        found += [f"left behind {kind[:-1]} {after[kind][i]}" for i in added]
        found += [f"deleted pre-existing {kind[:-1]} {i}" for i in removed]
        found += [f"changed pre-existing {kind[:-1]} {i}" for i in changed]
    return found


def test_objects_created_without_a_201_are_swept_too(start_variant, tmp_path):
    server = start_variant("answers_200_on_document_create")
    before = snapshot(server.url)
    run = run_suite(f"--target-url={server.url}", "-m", "not generated", tmp_path=tmp_path)
    assert run.returncode == 1
    assert run.report["run"]["leftovers"] == []
    assert differences(before, snapshot(server.url)) == []


def test_the_comparison_sees_a_leftover_and_a_change(reference_server):
    before = snapshot(reference_server.url)
    seed_foreign_objects(reference_server.url)
    secret = httpx.get(f"{reference_server.url}/block_types/slug/secret").json()
    httpx.patch(f"{reference_server.url}/block_types/{secret['id']}", json={"description": "x"})
    found = differences(before, snapshot(reference_server.url))
    assert any(line.startswith("left behind block_document") for line in found), found
    assert any(line.startswith("changed pre-existing block_type") for line in found), found


def test_the_comparison_sees_a_moved_timestamp_on_any_other_type(reference_server):
    """Only the secret type's 'updated' is exempt (PF-BT-protected-update moves it)."""
    webhook = httpx.get(f"{reference_server.url}/block_types/slug/webhook").json()
    before = snapshot(reference_server.url)
    same = {"description": webhook["description"]}
    httpx.patch(f"{reference_server.url}/block_types/{webhook['id']}", json=same)
    found = differences(before, snapshot(reference_server.url))
    assert f"changed pre-existing block_type {webhook['id']}" in found, found


@FULL_RUNS
def test_run_against_reference_server_leaves_no_trace(reference_run):
    assert reference_run.run.returncode == 0, reference_run.run.output[-3000:]
    assert differences(reference_run.before, reference_run.after) == []


@FULL_RUNS
def test_run_against_real_server_leaves_no_trace(real_run):
    assert real_run.run.returncode == 0, real_run.run.output[-3000:]
    assert differences(real_run.before, real_run.after) == []
