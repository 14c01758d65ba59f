"""The plugin is a guest in other projects' pytest runs: installed next to a popular plugin
that also registers ``--profile`` (pytest-profiling), pytest starts, and an unrelated project's
run looks exactly as it does without blocks-conformance (traceback, markers, summary, exit)."""

import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version

import pytest

UNRELATED_TEST = """
import pytest

@pytest.fixture
def target():
    return "their own fixture"

@pytest.fixture
def api():
    return {"answer": 41}

def helper(value):
    return value + 1

def test_fails(api, target):
    result = helper(api["answer"])
    assert result == 43, target

def test_passes():
    assert True
"""
WITHOUT_PLUGIN = ("-p", "no:conformance.plugin")
SIGNALS_TEST = """
import signal

def test_sigterm_is_as_python_left_it():
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
"""


def pytest_in(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


def comparable(output: str) -> str:
    """The output without the lines that differ between any two runs or plugin lists."""
    output = re.sub(r"^plugins: .*$", "plugins: ...", output, flags=re.MULTILINE)
    return re.sub(r" in \d+\.\d+s", " in N s", output)


@pytest.fixture
def unrelated_project(tmp_path):
    project = tmp_path / "unrelated"
    project.mkdir()
    (project / "test_theirs.py").write_text(UNRELATED_TEST)
    return project


@pytest.fixture(autouse=True)
def pytest_profiling_installed():
    try:
        version("pytest-profiling")
    except PackageNotFoundError:
        pytest.fail("pytest-profiling must be installed (it is in the [dev] extra)")


def test_pytest_help_works_beside_pytest_profiling(unrelated_project):
    done = pytest_in(unrelated_project, "--help")
    assert done.returncode == 0, done.stderr
    assert "--profile " in done.stdout  # pytest-profiling's own option
    assert "--blocks-profile=NAME" in done.stdout
    assert "--target-url=" in done.stdout


def test_an_unrelated_failing_run_looks_as_without_the_plugin(unrelated_project):
    guest = pytest_in(unrelated_project)
    alone = pytest_in(unrelated_project, *WITHOUT_PLUGIN)
    assert guest.returncode == alone.returncode == pytest.ExitCode.TESTS_FAILED
    assert comparable(guest.stdout) == comparable(alone.stdout)
    assert "blocks conformance" not in guest.stdout
    # pytest's default long traceback: the failing function's source, marked with ">"
    assert ">       assert result == 43, target" in guest.stdout
    assert "    def test_fails(api, target):" in guest.stdout


def test_an_unrelated_project_sees_no_markers_of_the_suite(unrelated_project):
    guest = pytest_in(unrelated_project, "--markers")
    alone = pytest_in(unrelated_project, "--markers", *WITHOUT_PLUGIN)
    assert guest.stdout == alone.stdout
    assert "clause(" not in guest.stdout and "level1" not in guest.stdout


def test_an_unrelated_passing_run_keeps_its_exit_code(unrelated_project):
    for args in (("-k", "passes"), ("-k", "nothing-matches")):
        guest = pytest_in(unrelated_project, *args)
        alone = pytest_in(unrelated_project, *args, *WITHOUT_PLUGIN)
        assert guest.returncode == alone.returncode
        assert comparable(guest.stdout) == comparable(alone.stdout)


def test_an_unrelated_run_keeps_the_sigterm_handler(tmp_path):
    """A conformance run handles SIGTERM (it cleans up, conformance/stopping.py); no other run
    does."""
    project = tmp_path / "signals"
    project.mkdir()
    (project / "test_signals.py").write_text(SIGNALS_TEST)
    guest = pytest_in(project)
    assert guest.returncode == pytest.ExitCode.OK, guest.stdout
