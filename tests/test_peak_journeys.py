"""Level 5 of the Peak Press profile: the journeys of the real peak-sdk
(conformance/peak_press/test_journeys.py). Their expectations were recorded by the journeys as
they are now; without --blocks-peak-press-python their clauses are not covered and the verdict
says level 5 was not run; an SDK release without an expectation, or a Python without peak-sdk,
is a usage error; a journey no given release applies to is not covered; the journey kit refuses
every connection but to the target. That the journeys pass against the reference server with
both releases (PEAK_PYTHON: 1.29.0, PEAK_PYTHON_OLD: 1.25.0; .ci/run sets both) and leave
nothing behind is checked by the profile's own runs (tests/test_peak_press.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import profiles
from conformance.clauses import catalogue
from conformance.peak_press.client_journeys import PEAK, hook_url, sdk_environment
from conformance.real_clients import Destination, expectation

from .support.suite_runs import run_suite

WHY = "a Python with peak-sdk installed (--blocks-peak-press-python)"
NEWEST = "1.29.0"  # every journey applies to it


@pytest.mark.parametrize("version", PEAK.recorded_versions())
def test_each_recorded_expectation_was_made_by_the_current_journeys(version):
    recorded = expectation(PEAK, version)
    assert recorded["peak_version"] == version
    left_out = set(recorded.get("not_applicable", {}))
    assert sorted(set(recorded["journeys"]) | left_out) == PEAK.journey_names()
    assert not set(recorded["journeys"]) & left_out
    stale = [
        name
        for name, journey in recorded["journeys"].items()
        if journey["digest"] != PEAK.script_digest(name)
    ]
    assert stale == [], (
        f"journeys changed since fixtures/peak_press/journeys-{version}.json was recorded: "
        f"{stale}; re-record it (python -m conformance.peak_press.client_journeys --help)"
    )


def test_the_newest_release_has_every_journey_and_1_25_all_but_validate():
    assert sorted(expectation(PEAK, NEWEST)["journeys"]) == PEAK.journey_names()
    older = expectation(PEAK, "1.25.0")
    assert set(older["not_applicable"]) == {"validate"}


def test_every_journey_is_a_level_5_clause_with_a_test():
    """One MUST clause per journey, and one SHOULD clause for the whole answers of them all."""
    clauses = catalogue(profiles.get("peak-press"))
    journeys = [clause for clause in clauses.values() if clause.area == "journeys"]
    assert {clause.level for clause in journeys} == {5}
    musts = [clause for clause in journeys if clause.strength == "MUST"]
    assert all(clause.source for clause in musts)
    topics = sorted(clause.id.removeprefix("PP-JRN-").replace("-", "_") for clause in musts)
    assert topics == PEAK.journey_names()
    assert [clause.id for clause in journeys if clause.strength == "SHOULD"] == ["PP-JRN-bodies"]


def fake_python(tmp_path, version: str):
    """An "interpreter" that answers every command with a release number."""
    fake = tmp_path / f"python-{version}"
    fake.write_text(f"#!/bin/sh\necho {version}\n")
    fake.chmod(0o755)
    return fake


def test_an_sdk_release_without_an_expectation_is_a_usage_error(tmp_path):
    """Exit 4 with one paragraph naming the releases that have one: the server is not at fault."""
    fake = fake_python(tmp_path, "1.99.0")
    run = run_suite(
        "--blocks-profile=peak-press",
        f"--blocks-peak-press-python={fake}",
        "--blocks-clause=PP-JRN-*",
        tmp_path=tmp_path,
    )
    assert run.returncode == 4, run.output[-3000:]
    assert "has peak-sdk 1.99.0" in run.output
    assert "python -m conformance.peak_press.client_journeys" in run.output
    for version in PEAK.recorded_versions():
        assert version in run.output


def test_a_python_without_peak_sdk_is_a_usage_error(tmp_path):
    run = run_suite(
        "--blocks-profile=peak-press",
        f"--blocks-peak-press-python={sys.executable}",
        "--blocks-clause=PP-JRN-*",
        tmp_path=tmp_path,
    )
    assert run.returncode == 4, run.output[-3000:]
    assert f"{sys.executable} has no peak-sdk installed" in run.output


def test_without_the_interpreter_the_journey_clauses_are_not_covered(tmp_path):
    run = run_suite(
        "--blocks-profile=peak-press",
        "--blocks-clause=PP-JRN-*",
        "--blocks-clause=PP-API-token",
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-3000:]
    journeys = {c: e for c, e in run.report["clauses"].items() if c.startswith("PP-JRN-")}
    assert len(journeys) == 5  # a clause per journey, and the bodies of them all
    assert {entry["status"] for entry in journeys.values()} == {"not covered"}
    assert {entry.get("not_run") for entry in journeys.values()} == {WHY}
    assert f"not covered: PP-JRN-spec (needs {WHY})" in run.output


def test_a_journey_no_given_release_applies_to_is_not_covered(tmp_path):
    """With only peak-sdk 1.25.0, validate= does not exist: PP-JRN-validate is not covered
    (never passed, never skipped), and says why."""
    fake = fake_python(tmp_path, "1.25.0")
    run = run_suite(
        "--blocks-profile=peak-press",
        f"--blocks-peak-press-python={fake}",
        "--blocks-clause=PP-JRN-validate",
        "--blocks-clause=PP-API-token",  # something runs (exit 0)
        "--blocks-fail-on-skip",
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-3000:]
    entry = run.report["clauses"]["PP-JRN-validate"]
    assert entry["status"] == "not covered"
    assert "create_spec takes no validate= before peak-sdk 1.26.0" in entry["not_run"]


def test_the_sdk_gets_the_token_the_other_headers_and_the_hook():
    destination = Destination(
        "http://127.0.0.1:4200/peak",
        {"authorization": "t0ken", "X-Tenant": "blue"},
        "conf-0123abcd-",
        {"hook": hook_url("http://127.0.0.1:4200/peak/", "/_conformance")},
    )
    environment = sdk_environment(destination, Path("/nowhere"))
    assert environment["BLOCKS_PEAK_URL"] == "http://127.0.0.1:4200/peak"
    assert environment["BLOCKS_PEAK_TOKEN"] == "t0ken"
    assert environment["BLOCKS_PEAK_HEADERS"] == '{"X-Tenant": "blue"}'
    assert environment["BLOCKS_PEAK_HOOK"] == "http://127.0.0.1:4200/peak/_conformance"
    assert environment["HOME"] == "/nowhere"
    assert hook_url("http://x/peak", "https://hooks.example/h") == "https://hooks.example/h"
    assert hook_url("http://x/peak", None) == ""


def test_the_sdks_own_settings_do_not_reach_the_journeys(monkeypatch):
    for name in ("PEAK_AUTH_TOKEN", "PRESS_DEPLOYMENT_ID", "API_KEY", "STAGE", "PYTHONPATH"):
        monkeypatch.setenv(name, "from the user")
    clean = PEAK.clean_environment()
    assert not {"PEAK_AUTH_TOKEN", "PRESS_DEPLOYMENT_ID", "API_KEY", "STAGE", "PYTHONPATH"} & set(
        clean
    )


GUARD_PROBE = """
import socket
from journey_kit import Guard

guard = Guard("http://127.0.0.1:9/peak")
guard.install()
try:
    socket.create_connection(("192.0.2.1", 80), timeout=5)
except ConnectionRefusedError as refused:
    print("refused:", refused)
try:
    socket.create_connection(("127.0.0.1", 9), timeout=5)
except ConnectionRefusedError as refused:
    print("loopback tried:", type(refused).__name__)
print(guard.refused)
"""


def test_the_journey_kit_refuses_every_connection_but_to_the_target(tmp_path):
    """192.0.2.1 (TEST-NET-1) is refused before any packet leaves and recorded; a loopback
    address is tried (and refused by the closed port, not by the guard)."""
    environment = {
        **os.environ,
        "BLOCKS_JOURNEY_NAMESPACE": "conf-0123abcd-",
        "BLOCKS_PEAK_URL": "http://127.0.0.1:9/peak",
        "BLOCKS_PEAK_TOKEN": "t",
        "PYTHONPATH": str(PEAK.scripts),
    }
    done = subprocess.run(
        [sys.executable, "-c", GUARD_PROBE],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("refused: a journey reaches only the target")
    assert lines[1] == "loopback tried: ConnectionRefusedError"
    assert lines[2] == "[\"('192.0.2.1', 80)\"]"


@pytest.fixture
def kit(monkeypatch):
    """The journey kit as a journey script imports it."""
    import importlib.util

    monkeypatch.setenv("BLOCKS_JOURNEY_NAMESPACE", "conf-0123abcd-")
    monkeypatch.setenv("BLOCKS_PEAK_URL", "http://127.0.0.1:9/peak")
    monkeypatch.setenv("BLOCKS_PEAK_TOKEN", "t")
    spec = importlib.util.spec_from_file_location("journey_kit", PEAK.scripts / "journey_kit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_release_create_is_read_as_its_documents_promise_it(kit):
    """ "Dictionary containing spec id and release version": the values, under any keys."""
    read = kit.promised(the_spec_id="s-1", the_release_version="1.1.0")
    promise = {"holds the spec id": True, "holds the release version": True}
    assert read({"id": "s-1", "release": {"version": "1.1.0"}}) == promise
    assert read({"id": "s-1", "version": "1.1.0", "releaseId": "r-9"}) == promise
    assert read({"id": "s-2", "version": "1.1.0"})["holds the spec id"] is False
    assert kit.holds({"revision": True}, 1) is False  # a JSON true is not the number 1
    assert kit.holds([{"revision": 2}], 2) is True
