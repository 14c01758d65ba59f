"""Helpers for testing the suite itself: servers to point it at, and a way to run it.

Suite runs and reference servers (unbroken or broken variants) are forked from a warm process
(``tests/forked.py``); servers started from a command (``ServerProcess``) are real
subprocesses, for the tests where that matters (kill -9, other apps).
"""

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import httpx
import pytest

from conformance import profiles
from conformance.embedded import free_port

from .forked import ForkedServer, run_pytest

# pytest compiles its plugins' modules (schemathesis, hypothesis) to rewrite their asserts; with
# PYTHONDONTWRITEBYTECODE set it cannot cache them, and every suite run pays seconds for it.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

ROOT = Path(__file__).resolve().parent.parent
REAL_EXPECTED_FAILURES = ROOT / "fixtures" / "expected-failures" / "prefect-3.8.8.txt"
# every ground-truth release's ledger
LEDGERS = sorted((ROOT / "fixtures" / "expected-failures").glob("prefect-*.txt"))
START_TIMEOUT = 30.0


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep each ``xdist_group`` on one worker under ``--dist loadgroup``. pytest-xdist names a
    test's group in its node id (``...@group``) by setting an attribute that pytest 9.2 no
    longer reads (its node ids are structured now), so without this a group's tests spread
    over the workers and the session fixtures they share (the full runs, the report pages'
    runs) are made once on every worker. Does nothing once pytest-xdist sets the id itself."""
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # an older pytest: pytest-xdist's own renaming works
        return
    for item in items:
        marks = item.iter_markers("xdist_group")
        groups = sorted(
            {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in marks}
        )
        if groups and "@" not in item.nodeid and hasattr(item, "_id"):
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")


@dataclass
class SuiteRun:
    returncode: int
    output: str
    report: dict | None
    seconds: float
    report_path: Path

    def clauses_with(self, status: str) -> set[str]:
        clauses = (self.report or {}).get("clauses", {})
        return {clause for clause, entry in clauses.items() if entry["status"] == status}


# Our own tests draw the same generated cases on every run; a random draw finding something
# new belongs in a run of its own (docs/options.md: --blocks-seed), not in a flaky test.
TESTS_SEED = 20261202


def run_suite(
    *args: str,
    tmp_path: Path,
    timeout: float = 600,
    suite: Path | list[Path] = ROOT / "conformance",
    own_example_db: bool = True,
) -> SuiteRun:
    """``pytest SUITE ARGS`` in its own (forked) process, with its JSON conformance report;
    ``suite``: the folder, or the test files, to collect; ``own_example_db``: an example
    database of its own (unless ARGS name one), so that no earlier run's failures replay."""
    stamp = time.monotonic_ns()
    report = tmp_path / f"report-{stamp}.json"
    output = tmp_path / f"output-{stamp}.txt"
    paths = [str(path) for path in (suite if isinstance(suite, list) else [suite])]
    if not any(arg.startswith("--blocks-seed") for arg in args):
        args = (*args, f"--blocks-seed={TESTS_SEED}")  # the same generated cases every time
    if own_example_db and not any(arg.startswith("--blocks-example-db") for arg in args):
        args = (*args, f"--blocks-example-db={tmp_path / f'examples-{stamp}'}")
    argv = [*paths, "-q", "-p", "no:cacheprovider", f"--blocks-report={report}", *args]
    started = time.monotonic()
    returncode = run_pytest(argv, ROOT, output, timeout)
    loaded = json.loads(report.read_text()) if report.exists() else None
    return SuiteRun(returncode, output.read_text(), loaded, time.monotonic() - started, report)


class ServerProcess:
    """A server on a free loopback port, stopped by ``stop()``: a command run as a subprocess,
    or (``command=None``) the reference server forked, with the broken variant ``variant``
    applied when one is named."""

    def __init__(
        self,
        command: list[str] | None,
        tmp_path: Path,
        db: Path | None = None,
        base_path: str = "/api",
        probe: str = "/health",
        reference: bool = True,
        variant: str | None = None,
        alive: Callable[[httpx.Response], bool] | None = None,
    ) -> None:
        """``reference``: the server is the reference server (or a variant of it) and takes
        its host and database options."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{base_path}"
        self.probe = probe
        self.alive = alive or (lambda answer: answer.status_code == 200)
        self.db = db or tmp_path / f"blocks-{self.port}.db"
        self.log = tmp_path / f"server-{self.port}.log"
        options = ["--port", str(self.port)]
        if reference:
            options += ["--host", "127.0.0.1", "--db", str(self.db)]
        if command is None:
            self._process = ForkedServer(variant, options, self.log, ROOT)
        else:
            with self.log.open("w") as log:
                self._process = subprocess.Popen(
                    [*command, *options], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
                )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.output()}")
            try:
                if self.alive(httpx.get(f"{self.url}{self.probe}", timeout=1)):
                    return
            except httpx.TransportError:
                time.sleep(0.02)
        raise RuntimeError(f"server did not become healthy:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self._process.kill()
        self._process.wait(timeout=10)


@pytest.fixture
def reference_server(tmp_path):
    server = ServerProcess(None, tmp_path)
    yield server
    server.kill()  # nothing reads its database afterwards: no need to wait for a clean stop


def variant_server(name: str, folder: Path, command: list[str] | None = None) -> ServerProcess:
    """The broken variant ``name`` served under its profile's base path: forked, or run as
    ``command`` (a process that serves it)."""
    from .variants import profile_of

    profile = profiles.get(profile_of(name))
    return ServerProcess(
        command,
        folder,
        variant=name if command is None else None,
        base_path=profile.embedded_base_path,
        probe=profile.probe_path,
        alive=profile.probe_alive,
    )


@pytest.fixture
def start_variant(tmp_path):
    """Starts broken variants (``tests/variants``) by name; stops them after the test."""
    started = []

    def start(name: str) -> ServerProcess:
        server = variant_server(name, tmp_path)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


def required_in_ci(variable: str, why: str) -> str:
    """An environment variable that CI must set; locally its absence skips the test."""
    value = os.environ.get(variable)
    if not value:
        missing(f"{variable} is not set ({why}); .ci/run sets it")
    return value


def missing(what: str) -> NoReturn:
    """Something a test needs is missing: a failure in CI (CI=true), a skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide it: {what}")
    pytest.skip(what)


CHROMIUM = "/usr/bin/chromium"  # Debian's package; .ci/run installs it when missing
# No first-run work and no background traffic: without these Chromium tries to reach Google.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's ``chromium``) driven by Playwright for Python, one per
    worker; nothing downloads a browser."""
    executable = shutil.which("chromium") or CHROMIUM
    if not Path(executable).is_file():
        missing(f"Debian's chromium is not installed ({CHROMIUM}; apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing('Playwright for Python is not installed (pip install -e ".[dev]")')
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory):
    """The full run against a reference server with other users' objects (tests/full_runs.py)."""
    from .full_runs import reference_full_run

    return reference_full_run(tmp_path_factory.mktemp("reference-full-run"))


@pytest.fixture(scope="session")
def real_run(tmp_path_factory):
    """The full run against the real Prefect server (BLOCKS_REAL_TARGET_URL; CI sets it)."""
    url = required_in_ci("BLOCKS_REAL_TARGET_URL", "the real Prefect server")
    from .full_runs import real_full_run

    return real_full_run(url, tmp_path_factory.mktemp("real-full-run"))
