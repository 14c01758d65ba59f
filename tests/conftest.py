"""Helpers for testing the suite itself: servers to point it at, and a way to run it."""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conformance.embedded import free_port

ROOT = Path(__file__).resolve().parent.parent
REAL_EXPECTED_FAILURES = ROOT / "fixtures" / "expected-failures" / "prefect-3.8.8.txt"


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


def run_suite(*args: str, tmp_path: Path, timeout: float = 600) -> SuiteRun:
    """``pytest conformance ARGS`` in a subprocess, with its JSON conformance report."""
    report = tmp_path / f"report-{time.monotonic_ns()}.json"
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(ROOT / "conformance"),
        "-q",
        "-p",
        "no:cacheprovider",
        f"--conformance-report={report}",
        *args,
    ]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    loaded = json.loads(report.read_text()) if report.exists() else None
    return SuiteRun(
        done.returncode, done.stdout + done.stderr, loaded, time.monotonic() - started, report
    )


class ServerProcess:
    """A server command on a free loopback port, stopped by ``stop()``."""

    def __init__(self, command: list[str], tmp_path: Path, db: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.db = db or tmp_path / f"blocks-{self.port}.db"
        self._log = (tmp_path / f"server-{self.port}.log").open("w+")
        full = [
            *command[:1],
            *command[1:],
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db",
            str(self.db),
        ]
        self._process = subprocess.Popen(full, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not become healthy:\n{self.output()}")

    def output(self) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read()

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)
        self._log.close()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self._process.kill()
        self._process.wait(timeout=10)


@pytest.fixture
def reference_server(tmp_path):
    server = ServerProcess([sys.executable, "-m", "reference_server"], tmp_path)
    yield server
    server.stop()


@pytest.fixture
def start_mutant(tmp_path):
    started = []

    def start(name: str) -> ServerProcess:
        server = ServerProcess(
            [sys.executable, str(ROOT / "tests" / "miniatures.py"), name], tmp_path
        )
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def required_in_ci(variable: str, why: str) -> str:
    """An environment variable that CI must set; locally its absence skips the test."""
    value = os.environ.get(variable)
    if not value:
        if os.environ.get("CI"):
            pytest.fail(f"CI must set {variable} ({why})")
        pytest.skip(f"{variable} is not set ({why}); .ci/run sets it")
    return value
