"""A profile is one folder plus one object: the toy profile in ``tests/toy_profile/`` (a
two-clause catalogue, one test module, a tiny app) runs through the embedded default and
``--target-url`` with clean-up, report and verdict, without any change to the suite's modules;
and a catalogue that names an unknown area, level or strength stops the run."""

import shutil
import subprocess
import sys

import httpx
import pytest

from .conftest import ROOT, ServerProcess, run_suite

TOY = ROOT / "tests" / "toy_profile"
TOY_RUN = ("-p", "tests.toy_profile.profile")


def run_toy(*args: str, tmp_path):
    return run_suite(*TOY_RUN, *args, tmp_path=tmp_path, suite=TOY / "suite")


@pytest.fixture
def toy_app(tmp_path):
    server = ServerProcess(
        [sys.executable, str(TOY / "app.py")],
        tmp_path,
        base_path="/toy",
        probe="/ping",
        reference=False,
    )
    yield server
    server.stop()


def test_toy_profile_runs_against_its_embedded_app(tmp_path):
    run = run_toy(tmp_path=tmp_path)
    assert run.returncode == 0, run.output[-3000:]
    assert run.report["run"]["profile"] == "toy"
    assert run.report["run"]["embedded"] is True
    assert run.report["verdict"] == "Level 2 conformant"
    assert run.report["level_names"] == {"1": "write", "2": "read"}
    assert set(run.report["clauses"]) == {"TOY-NOTE-create", "TOY-NOTE-read-delete"}
    assert "level 2 (read): 1 passed" in run.output


def test_toy_profile_runs_against_a_url_and_cleans_up(tmp_path, toy_app):
    run = run_toy(f"--target-url={toy_app.url}", tmp_path=tmp_path)
    assert run.returncode == 0, run.output[-3000:]
    assert run.report["run"]["url"] == toy_app.url
    assert run.report["run"]["leftovers"] == []
    assert httpx.get(f"{toy_app.url}/notes").json() == []


def test_toy_profile_verdict_and_report_show_a_broken_app(tmp_path):
    broken = ServerProcess(
        [sys.executable, str(TOY / "app.py"), "--keep-deleted"],
        tmp_path,
        base_path="/toy",
        probe="/ping",
        reference=False,
    )
    try:
        run = run_toy(f"--target-url={broken.url}", tmp_path=tmp_path)
    finally:
        broken.stop()
    assert run.returncode == 1
    assert run.report["clauses"]["TOY-NOTE-read-delete"]["status"] == "failed"
    assert "must answer 404" in run.report["clauses"]["TOY-NOTE-read-delete"]["first_failure"]
    assert run.report["verdict"].startswith("Level 1 conformant (level 2: 1 MUST clause(s) failed")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ('id = "TOY-NOPE-x"\nlevel = 1\nstrength = "MUST"', "unknown area code 'NOPE'"),
        ('id = "TOY-NOTE-x"\nlevel = 3\nstrength = "MUST"', "unknown level 3"),
        ('id = "TOY-NOTE-x"\nlevel = 1\nstrength = "MAY"', "strength 'MAY' must be MUST or SHOULD"),
        ('id = "PF-NOTE-x"\nlevel = 1\nstrength = "MUST"', "must start with 'TOY-'"),
        ('id = "TOY-NOTE-create"\nlevel = 1\nstrength = "MUST"', "duplicate clause id"),
    ],
)
def test_a_bad_catalogue_entry_stops_the_run_naming_file_and_line(tmp_path, entry, problem):
    copy = tmp_path / "toycopy"
    shutil.copytree(TOY, copy, ignore=shutil.ignore_patterns("__pycache__"))
    catalogue = copy / "suite" / "clauses.toml"
    text = catalogue.read_text()
    line = text.count("\n") + 3
    catalogue.write_text(f'{text}\n[[clause]]\n{entry}\ntext = "A bad entry."\n')
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "toycopy.profile", "toycopy/suite", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert f"{catalogue}:{line}: " in done.stdout + done.stderr
    assert problem in done.stdout + done.stderr
