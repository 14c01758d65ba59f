"""A profile is its two packages: the toy profile in ``tests/toy_profile/`` (its suite package,
``conformance_toy/``: a two-clause catalogue, one test module, its ``PROFILE``; its server
package, ``reference_server_toy/``: a tiny app) runs through the embedded default and
``--target-url`` with clean-up, report and verdict, provided by a plugin without any change to
the suite's modules, or built in with its two packages and one registration line; and a
catalogue that names an unknown area, level or strength stops the run."""

import json
import shutil
import subprocess
import sys

import httpx
import pytest

from .support import ROOT
from .support.servers import ServerProcess
from .support.suite_runs import run_suite

TOY = ROOT / "tests" / "toy_profile"
TOY_RUN = ("-p", "tests.toy_profile.plugin")
TOY_APP = [sys.executable, "-m", "tests.toy_profile.reference_server_toy"]


def run_toy(*args: str, tmp_path):
    return run_suite(*TOY_RUN, *args, tmp_path=tmp_path, suite=TOY / "conformance_toy")


def toy_server(tmp_path, *options: str) -> ServerProcess:
    return ServerProcess(
        [*TOY_APP, *options], tmp_path, base_path="/toy", probe="/health", reference=False
    )


@pytest.fixture
def toy_app(tmp_path):
    server = toy_server(tmp_path)
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
    broken = toy_server(tmp_path, "--keep-deleted")
    try:
        run = run_toy(f"--target-url={broken.url}", tmp_path=tmp_path)
    finally:
        broken.stop()
    assert run.returncode == 1
    assert run.report["clauses"]["TOY-NOTE-read-delete"]["status"] == "failed"
    assert "must answer 404" in run.report["clauses"]["TOY-NOTE-read-delete"]["first_failure"]
    assert run.report["verdict"].startswith("Level 1 conformant (level 2: 1 MUST clause failed")


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
    catalogue = copy / "conformance_toy" / "clauses.toml"
    text = catalogue.read_text()
    line = text.count("\n") + 3
    catalogue.write_text(f'{text}\n[[clause]]\n{entry}\ntext = "A bad entry."\n')
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "toycopy.plugin", "toycopy/conformance_toy", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert f"{catalogue}:{line}: " in done.stdout + done.stderr
    assert problem in done.stdout + done.stderr


REGISTRATION = '    "toy": "conformance.toy.profile:PROFILE",\n'


def project_with_the_toy_built_in(folder) -> list[str]:
    """A copy of the project's two packages (and the data they read) with the toy added as a
    built-in profile: its two packages, and one line in ``profiles.BUILT_IN``. Returns the
    files of the copy that differ from the project's."""
    ignore = shutil.ignore_patterns("__pycache__")
    for name in ("conformance", "reference_server", "fixtures"):
        shutil.copytree(ROOT / name, folder / name, ignore=ignore)
    shutil.copytree(TOY / "conformance_toy", folder / "conformance" / "toy", ignore=ignore)
    shutil.copytree(
        TOY / "reference_server_toy", folder / "reference_server" / "toy", ignore=ignore
    )
    registry = folder / "conformance" / "profiles.py"
    text = registry.read_text()
    anchor = "BUILT_IN = {\n"
    registry.write_text(text.replace(anchor, anchor + REGISTRATION, 1))
    changed = []
    for package in ("conformance", "reference_server"):
        command = ["diff", "-rq", "-x", "__pycache__", str(ROOT / package), str(folder / package)]
        changed += subprocess.run(command, capture_output=True, text=True).stdout.splitlines()
    return changed


def in_copy(folder, *command: str) -> subprocess.CompletedProcess:
    """A command run in the copy: its packages come before the installed ones."""
    return subprocess.run(
        [sys.executable, *command], cwd=folder, capture_output=True, text=True, timeout=300
    )


def test_a_built_in_profile_is_its_two_packages_and_one_registration_line(tmp_path):
    """Nothing else names a profile: the reference server serves the toy and its --help says
    so, the suite's options list it, and a run with no URL tests it on the reference server."""
    changed = project_with_the_toy_built_in(tmp_path)
    assert sorted(changed) == sorted(
        [
            f"Files {ROOT}/conformance/profiles.py and {tmp_path}/conformance/profiles.py differ",
            f"Only in {tmp_path}/conformance: toy",
            f"Only in {tmp_path}/reference_server: toy",
        ]
    )
    assert (
        "toy: /toy, notes kept in memory"
        in in_copy(tmp_path, "-m", "reference_server", "--help").stdout
    )
    assert "installed: kragle, peak-press, prefect, toy" in " ".join(
        in_copy(tmp_path, "-m", "pytest", "--help", "-p", "no:cacheprovider").stdout.split()
    )
    report = tmp_path / "report.json"
    run = in_copy(
        tmp_path,
        "-m",
        "pytest",
        "conformance/toy",
        "-p",
        "no:cacheprovider",
        f"--blocks-report={report}",
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    made = json.loads(report.read_text())
    assert made["verdict"] == "Level 2 conformant"
    assert made["run"]["profile"] == "toy" and made["run"]["embedded"] is True


def test_a_profile_app_that_fails_to_import_stops_the_server_naming_it(monkeypatch):
    """A profile package whose app does not import must not vanish from the server unnoticed."""
    from reference_server import app

    real_import = app.importlib.import_module

    def failing(name: str, *args, **kwargs):
        if name == "reference_server.kragle.app":
            raise ModuleNotFoundError("No module named 'a_missing_dependency'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(app.importlib, "import_module", failing)
    with pytest.raises(ImportError, match="reference_server.kragle.app failed to import"):
        app.profile_modules()
