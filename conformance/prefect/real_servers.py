"""Real Prefect releases on this machine: each installed from the package index into a cached
virtualenv of its own (with the pins the timeline says it needs today), its server started with
``prefect server start`` on a free loopback port and a temporary PREFECT_HOME, and the suite run
against it. Used by the commands that place the timeline's facts (``bisect``), record the
outcomes it predicts (``verify``) and make a release a ground truth (``record_release``)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from ..embedded import free_port
from ..real_clients import client_version
from .client_journeys import clean_environment
from .releases import Release, named

START_TIMEOUT = 240.0
SEED = 20261123  # the seed of every run of real releases (and of the transcripts)
CACHE_VARIABLE = "BLOCKS_PREFECT_VENVS"
CHECKOUT = Path(__file__).resolve().parents[2]


def default_cache() -> Path:
    """Where the virtualenvs are kept: $BLOCKS_PREFECT_VENVS, else ~/.cache."""
    chosen = os.environ.get(CACHE_VARIABLE)
    return Path(chosen) if chosen else Path.home() / ".cache" / "blocks-conformance" / "prefect"


def add_cache_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache", type=Path, default=default_cache(), help="where the virtualenvs are kept"
    )


def installed(release: Release, cache: Path, log=print) -> str:
    """The Python of a virtualenv holding ``release`` with the pins the timeline names (made,
    or made again when the pins changed, on first use)."""
    folder = cache / release.version
    python = folder / "bin" / "python"
    made_with = folder / "blocks-conformance-requirements.txt"
    wanted = "\n".join(release.install_requirements) + "\n"
    if python.exists() and made_with.exists() and made_with.read_text() == wanted:
        return str(python)
    log(f"installing prefect {release.version} into {folder} ({' '.join(release.pins)})")
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *release.install_requirements],
        capture_output=True,
        text=True,
        env=clean_environment(),
    )
    if done.returncode != 0:
        said = [line for line in done.stderr.splitlines() if not line.startswith("WARNING:")]
        raise SystemExit(
            f"pip could not install {' '.join(release.install_requirements)}:\n"
            + "\n".join(said)[-3000:]
        )
    made_with.write_text(wanted)
    client_version.cache_clear()
    return str(python)


@dataclass
class RealServer:
    url: str
    process: subprocess.Popen
    home: Path

    def log_tail(self, lines: int = 40) -> str:
        text = (self.home / "server.log").read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


@contextmanager
def real_server(python: str, database_url: str | None = None) -> Iterator[RealServer]:
    """The virtualenv's real Prefect server, healthy, on a free loopback port with a temporary
    PREFECT_HOME (and SQLite there, unless ``database_url`` names another database); stopped
    when the block ends."""
    with tempfile.TemporaryDirectory(prefix="prefect-home-") as folder:
        home = Path(folder)
        port = free_port()
        environment = {
            **clean_environment(),
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
        if database_url:
            environment["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
            environment["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = database_url
        prefect = str(Path(python).with_name("prefect"))
        command = [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
        with (home / "server.log").open("w") as log:
            # a session of its own: releases before 3.2 run uvicorn as a child process, which
            # must go with the server
            process = subprocess.Popen(
                command,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = RealServer(f"http://127.0.0.1:{port}/api", process, home)
        try:
            wait_until_healthy(server)
            yield server
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_healthy(server: RealServer) -> None:
    """Health, and then the system blocks: the server registers them in the background after
    it answers health, and a run that starts earlier finds no Secret type (or, on a busy
    machine, makes the registration give up on SQLite's lock)."""
    deadline = time.monotonic() + START_TIMEOUT
    for path in ("/health", "/block_types/slug/secret"):
        while not answers_200(server, path):
            if server.process.poll() is not None:
                raise SystemExit(f"the real server exited:\n{server.log_tail()}")
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"the real server did not answer {server.url}{path} in {START_TIMEOUT:.0f} s"
                    f":\n{server.log_tail()}"
                )
            time.sleep(0.5)
    while registered_schemas(server) != registered_schemas(server, after=1.0):
        if time.monotonic() > deadline:
            raise SystemExit(f"the real server kept registering schemas:\n{server.log_tail()}")


def registered_schemas(server: RealServer, after: float = 0.0) -> int:
    time.sleep(after)
    answer = httpx.post(f"{server.url}/block_schemas/filter", json={}, timeout=10)
    return len(answer.json()) if answer.status_code == 200 else -1


def answers_200(server: RealServer, path: str) -> bool:
    try:
        return httpx.get(f"{server.url}{path}", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def in_checkout() -> bool:
    return (CHECKOUT / "fixtures").is_dir()


def suite_command(url: str, named: str, report: Path, *options: str) -> list[str]:
    """The suite against ``url`` as the release ``named``, from this checkout (or, installed,
    from the package), with the pinned seed and no saved failures replayed."""
    where = ["conformance"] if in_checkout() else ["--pyargs", "conformance"]
    return [
        sys.executable,
        "-m",
        "pytest",
        *where,
        "-q",
        "-p",
        "no:cacheprovider",
        f"--target-url={url}",
        f"--blocks-prefect-release={named}",
        f"--blocks-seed={SEED}",
        "--blocks-example-db=:memory:",
        f"--blocks-report={report}",
        *options,
    ]


def run_suite(url: str, named: str, *options: str) -> dict:
    """The suite's JSON report of a run against ``url`` as the release ``named``."""
    with tempfile.TemporaryDirectory(prefix="blocks-run-") as folder:
        report = Path(folder) / "report.json"
        command = suite_command(url, named, report, *options)
        cwd = CHECKOUT if in_checkout() else None
        subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        if not report.exists():
            raise SystemExit(f"the suite wrote no report: {' '.join(command)}")
        return json.loads(report.read_text())


def run_release(version: str, as_named: str, cache: Path, *options: str) -> dict:
    """The suite's JSON report of a run against the real server of ``version`` (installed into
    ``cache`` on first use, started on SQLite), named as the release ``as_named``."""
    python = installed(named(version), cache)
    with real_server(python) as server:
        return run_suite(server.url, as_named, *options)
