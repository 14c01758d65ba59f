"""The Peak Press profile as a user runs it: the embedded default (the reference server with its
test token and hook), and a server given by URL without a hook, where the redeploy-from-failed
clause is reported not covered and the run leaves the server's other objects as they were."""

import json

import httpx

from .conftest import run_suite

TOKEN = {"Authorization": "peak-conformance-token"}  # the reference server's default


def test_embedded_default_runs_every_clause(tmp_path):
    run = run_suite(
        "--blocks-profile=peak-press",
        "--blocks-fail-on-skip",
        "--blocks-examples=3",
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-3000:]
    report = run.report
    assert report["run"]["profile"] == "peak-press"
    assert report["run"]["embedded"] is True
    assert report["verdict"] == "Level 4 conformant"
    assert report["level_names"] == {
        "1": "specs",
        "2": "releases",
        "3": "deployments",
        "4": "parameters",
    }
    assert run.clauses_with("passed") == set(report["clauses"])
    assert "profile: peak-press" in run.output


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
    base = f"http://127.0.0.1:{reference_server.port}/peak"
    before = foreign_objects(base)
    run = run_suite(
        f"--target-url={base}",
        "--blocks-profile=peak-press",
        "--blocks-examples=3",
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-3000:]
    assert run.clauses_with("not covered") == {"PP-RDP-failed"}
    assert "--blocks-peak-press-hook-url" in run.output
    assert run.report["verdict"].startswith("Level 3 conformant")
    assert everything(base) == before
