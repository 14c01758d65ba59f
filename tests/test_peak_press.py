"""The Peak Press profile as a user runs it: the embedded default (the reference server with its
test token and hook), with the real peak-sdk of both releases to level 5 (PEAK_PYTHON: 1.29.0,
PEAK_PYTHON_OLD: 1.25.0; .ci/run sets both), and a server given by URL with a token header but
without a hook, where the redeploy-from-failed clause and the deployment journey are reported
not covered and the run (journeys included) leaves the server's other objects as they were."""

import json
import os

import httpx
import pytest

from .support.suite_runs import run_suite

TOKEN = {"Authorization": "peak-conformance-token"}  # the reference server's default
# the level-5 clauses, which need peak-sdk (PP-JRN-bodies is checked by every journey's run)
JOURNEYS = {"PP-JRN-spec", "PP-JRN-deployment", "PP-JRN-errors", "PP-JRN-validate", "PP-JRN-bodies"}
SDKS = {"PEAK_PYTHON": "1.29.0", "PEAK_PYTHON_OLD": "1.25.0"}


def sdk_python(variable: str) -> str | None:
    """A Python with peak-sdk (PEAK_PYTHON: 1.29.0, PEAK_PYTHON_OLD: 1.25.0): CI must set it;
    locally its absence leaves the journeys of that release out."""
    value = os.environ.get(variable)
    if not value and os.environ.get("CI"):
        pytest.fail(f"CI must set {variable} (a Python with peak-sdk=={SDKS[variable]})")
    return value or None


def test_embedded_default_runs_every_clause(tmp_path):
    pythons = {variable: sdk_python(variable) for variable in SDKS}
    run = run_suite(
        "--blocks-profile=peak-press",
        "--blocks-fail-on-skip",
        "--blocks-examples=3",
        *(f"--blocks-peak-press-python={python}" for python in pythons.values() if python),
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-3000:]
    report = run.report
    assert report["run"]["profile"] == "peak-press"
    assert report["run"]["embedded"] is True
    assert report["level_names"] == {
        "1": "specs",
        "2": "releases",
        "3": "deployments",
        "4": "parameters",
        "5": "clients",
    }
    assert "profile: peak-press" in run.output
    if pythons["PEAK_PYTHON"]:
        not_covered = set()
    else:
        not_covered = {"PP-JRN-validate"} if pythons["PEAK_PYTHON_OLD"] else JOURNEYS
    assert run.clauses_with("not covered") == not_covered
    assert run.clauses_with("passed") == set(report["clauses"]) - not_covered
    if not not_covered:
        assert report["verdict"] == "Level 5 conformant"
    else:
        assert report["verdict"].startswith("Level 4 conformant; level 5 not established: ")
    journey_tests = [
        test["nodeid"] for clause in JOURNEYS for test in report["clauses"][clause]["tests"]
    ]
    for variable, release in SDKS.items():
        ran = [nodeid for nodeid in journey_tests if nodeid.endswith(f"[{release}]")]
        assert len(ran) == ((5 if release == "1.29.0" else 4) if pythons[variable] else 0)


def foreign_objects(base: str) -> dict:
    """A spec and a deployment another user of the server owns."""
    with httpx.Client(base_url=base, headers=TOKEN, timeout=30) as client:
        spec = {
            "version": 1,
            "kind": "workflow",
            "metadata": {"name": "foreign-spec", "summary": "not the suite's"},
            "release": {"version": "1.0.0"},
        }
        created = client.post("/v1/blocks/specs/", files={"spec": (None, json.dumps(spec))})
        created.raise_for_status()
        body = {"metadata": {"name": "foreign-dep", "summary": "x"}, "spec": created.json()}
        client.post("/v1/blocks/deployments/", json=body).raise_for_status()
    return everything(base)


def everything(base: str) -> dict:
    with httpx.Client(base_url=base, headers=TOKEN, timeout=30) as client:
        specs = client.get("/v1/blocks/specs/", params={"pageSize": 1000}).json()["specs"]
        deployments = client.get("/v1/blocks/deployments/", params={"pageSize": 1000}).json()
    return {"specs": specs, "deployments": deployments["deployments"]}


def test_a_url_without_a_hook_reports_redeploy_not_covered_and_leaves_no_residue(
    reference_server, tmp_path
):
    """The token given as a header reaches the SDK too; everything the run and the journeys
    created is gone, and the other user's objects are as they were."""
    base = f"http://127.0.0.1:{reference_server.port}/peak"
    before = foreign_objects(base)
    python = sdk_python("PEAK_PYTHON")
    run = run_suite(
        f"--target-url={base}",
        "--target-header=Authorization: peak-conformance-token",
        "--blocks-profile=peak-press",
        "--blocks-examples=3",
        *([f"--blocks-peak-press-python={python}"] if python else []),
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-3000:]
    left_out = {"PP-JRN-deployment"} if python else JOURNEYS
    assert run.clauses_with("not covered") == {"PP-RDP-failed", *left_out}
    assert "--blocks-peak-press-hook-url" in run.output
    assert run.report["verdict"].startswith("Level 3 conformant")
    assert run.report["run"]["leftovers"] == []
    assert everything(base) == before
