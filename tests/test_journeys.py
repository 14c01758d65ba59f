"""Level 5, clients: the journeys of the real Prefect client and CLI (conformance/prefect/
test_journeys.py). Without --blocks-prefect-python their clauses are not covered and the verdict
says level 5 was not run; with it (PREFECT_PYTHON, which CI sets) they pass against the
reference server with credentials in a target header; their expectation was recorded by the
journeys as they are now. That they pass against the reference and the real server, and leave
nothing behind, is checked on the full runs (tests/support/full_runs.py,
tests/test_no_residue.py)."""

import base64
import json
import sys

import pytest

from conformance import profiles, report
from conformance.clauses import catalogue
from conformance.journeys import Placeholders
from conformance.prefect.client_journeys import PREFECT, client_settings
from conformance.prefect.ui_journeys import NEEDED as UI_NEEDED
from conformance.real_clients import expectation

from .support.environment import required_in_ci
from .support.servers import ServerProcess
from .support.suite_runs import run_suite

WHY = "a Python with prefect installed (--blocks-prefect-python)"


@pytest.mark.parametrize("version", PREFECT.recorded_versions())
def test_each_recorded_expectation_was_made_by_the_current_journeys(version):
    recorded = expectation(PREFECT, version)
    assert recorded["prefect_version"] == version
    assert sorted(recorded["journeys"]) == PREFECT.journey_names()
    stale = [
        name
        for name, journey in recorded["journeys"].items()
        if journey["digest"] != PREFECT.script_digest(name)
    ]
    assert stale == [], (
        f"journeys changed since fixtures/prefect/journeys-{version}.json was recorded: "
        f"{stale}; re-record it (python -m conformance.prefect.client_journeys --help)"
    )


def test_the_ground_truth_releases_have_client_expectations():
    from conformance.prefect import releases

    level_5 = [r.version for r in releases.ground_truth() if r.level == 5]
    assert set(level_5) <= set(PREFECT.recorded_versions())


def test_a_client_release_without_an_expectation_is_a_usage_error(tmp_path):
    """Exit 4 with one paragraph naming the releases that have one: the server is not at fault."""
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 2.99.0\n")
    fake.chmod(0o755)
    run = run_suite(
        f"--blocks-prefect-python={fake}", "--blocks-clause=PF-JRN-*", tmp_path=tmp_path
    )
    assert run.returncode == 4, run.output[-3000:]
    assert "has prefect 2.99.0" in run.output
    for version in PREFECT.recorded_versions():
        assert version in run.output


def test_every_journey_is_a_level_5_clause_with_a_test():
    """The client's journeys (a script each) and the UI's (PF-JRN-ui-*)."""
    clauses = catalogue(profiles.get("prefect"))
    journeys = [clause for clause in clauses.values() if clause.area == "journeys"]
    assert {clause.level for clause in journeys} == {5}
    scripted = [clause for clause in journeys if not clause.id.startswith("PF-JRN-ui-")]
    assert len(scripted) == len(PREFECT.journey_names())


def test_without_the_interpreter_the_journey_clauses_are_not_covered(tmp_path):
    run = run_suite("--blocks-clause=PF-JRN-*", "--blocks-clause=PF-API-health", tmp_path=tmp_path)
    journeys = {c: e for c, e in run.report["clauses"].items() if c.startswith("PF-JRN-")}
    scripted = {c: e for c, e in journeys.items() if not c.startswith("PF-JRN-ui-")}
    assert len(scripted) == 5 and len(journeys) == 12
    assert {entry["status"] for entry in journeys.values()} == {"not covered"}
    assert {entry.get("not_run") for entry in scripted.values()} == {WHY}
    assert f"not covered: PF-JRN-secret (needs {WHY})" in run.output
    ui = {entry.get("not_run") for c, entry in journeys.items() if c.startswith("PF-JRN-ui-")}
    assert ui == {f"{WHY}; {UI_NEEDED}"}


@pytest.mark.parametrize(
    "profile, why, not_run",
    [
        ("prefect", WHY, "12 MUST clauses not run: PF-JRN-"),
        (
            "peak-press",
            "a Python with peak-sdk installed (--blocks-peak-press-python)",
            "4 MUST clauses not run: PP-JRN-",
        ),
    ],
)
def test_the_verdict_names_level_5_as_not_run_and_why(profile, why, not_run):
    clauses = catalogue(profiles.get(profile))
    record = report.RunRecord()
    for clause in clauses.values():
        if clause.level < 5:
            record.results[clause.id].append(report.TestResult(f"test of {clause.id}", "passed"))
        else:
            record.not_run[clause.id] = why
    said = report.verdict(record, clauses)
    assert said.startswith(f"Level 4 conformant; level 5 not established: {not_run}")
    assert said.endswith(f"(needs {why})")


def test_target_headers_become_the_clients_settings():
    basic = "Basic " + base64.b64encode(b"admin:s3cret").decode()
    settings = client_settings({"Authorization": basic, "X-Tenant": "blue"})
    assert settings["PREFECT_API_AUTH_STRING"] == "admin:s3cret"
    assert json.loads(settings["PREFECT_CLIENT_CUSTOM_HEADERS"]) == {"X-Tenant": "blue"}
    assert client_settings({"authorization": "Bearer k3y"}) == {"PREFECT_API_KEY": "k3y"}


def test_placeholders_name_an_id_by_the_object_it_names():
    namespace, url = "conf-0123abcd-", "http://127.0.0.1:4200/api"
    first, second = "6f1c2a52-6e0e-4a4e-9d55-2f6f2b8a5c11", "0b9e4c7d-1f2a-4b3c-8d4e-5f6a7b8c9d0e"
    other = "11111111-2222-4333-8444-555555555555"
    names = {first: "doc id", "spec-7": "spec id"}
    seen = Placeholders(namespace, url, names).apply(
        {
            "b": [first, second, first],
            "a": f"{url}/block_documents/{second} and {first}",
            "name": f"{namespace}doc",
            "created": "2026-12-02T07:45:51.197000Z",
            "spec": "spec-7",
            "text": "a spec-7 in words",
        }
    )
    assert seen == {
        "a": "<api>/block_documents/<id> and <doc id>",
        "b": ["<doc id>", "<id>", "<doc id>"],
        "created": "<time>",
        "name": "<ns>doc",
        "spec": "<spec id>",  # an id of any form, given whole
        "text": "a spec-7 in words",
    }
    # one id more before the named ones changes nothing
    more = Placeholders(namespace, url, names).apply([f"no {other} here", first])
    assert more == ["no <id> here", "<doc id>"]


def test_a_journey_compares_its_reading_and_the_bodies_clause_the_whole_answers():
    from conformance.journeys import as_bodies, as_compared
    from conformance.peak_press.client_journeys import PEAK

    steps = {
        "create": {"value": {"holds the spec id": True}, "body": {"id": "<spec id>"}},
        "missing": {"error": "NotFoundException", "message": "{'detail': 'gone'}"},
        "own": {"error": "ValueError", "message": "the client's words"},
    }
    assert as_compared(PEAK, steps) == {
        "create": {"value": {"holds the spec id": True}},
        "missing": {"error": "NotFoundException"},
        "own": {"error": "ValueError", "message": "the client's words"},
    }
    assert as_bodies(PEAK, steps) == {
        "create": {"body": {"id": "<spec id>"}},
        "missing": {"message": "{'detail': 'gone'}"},
    }


@pytest.fixture
def auth_server(tmp_path):
    command = [sys.executable, "-m", "reference_server", "--auth-string", "u:pw"]
    server = ServerProcess(command, tmp_path)
    yield server
    server.stop()


def test_a_journey_passes_with_credentials_in_a_target_header(auth_server, tmp_path):
    python = required_in_ci("PREFECT_PYTHON", "python of a virtualenv with prefect==3.8.8")
    credentials = "Basic " + base64.b64encode(b"u:pw").decode()
    run = run_suite(
        f"--target-url={auth_server.url}",
        f"--target-header=Authorization: {credentials}",
        f"--blocks-prefect-python={python}",
        "--blocks-clause=PF-JRN-delete",
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-3000:]
    assert run.clauses_with("passed") == {"PF-JRN-delete"}
    assert run.report["run"]["leftovers"] == []
