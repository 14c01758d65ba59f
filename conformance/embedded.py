"""Start and stop the bundled reference server for a run that names no target.

``ReferenceServer`` is the part of a ``Profile`` this module reads: how the profile's reference
server is started and where its API is, what a run against it fills in of the profile's own
options, and what a run against a started one needs.
"""

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .client import tls_context
from .options import Settings
from .probing import Probe

START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reference_server_command(port: int, workdir: Path) -> list[str]:
    """``python -m reference_server`` (every built-in profile) on a temporary SQLite file."""
    host = ["--host", "127.0.0.1", "--port", str(port)]
    return [sys.executable, "-m", "reference_server", *host, "--db", str(workdir / "blocks.db")]


def no_arguments(settings: Settings) -> list[str]:
    return []


def no_options(url: str) -> list[str]:
    return []


@dataclass(frozen=True)
class ReferenceServer:
    """The profile's reference server, read when a run names no target (the embedded server is
    started) and by the project's own runs against a started one.

    ``base_path``: where its API is below the server's root. ``command(port, workdir)``: how it
    is started. ``arguments(settings)``: more arguments from the run's settings (the release it
    plays). ``options``: the profile's own options' values (by dest) when the run tests the
    embedded server and they were not given (its test hooks). ``reference_options(url)``: the
    suite options a run against a started reference server at that base URL needs."""

    base_path: str = "/api"
    command: Callable[[int, Path], list[str]] = reference_server_command
    arguments: Callable[[Settings], list[str]] = no_arguments
    options: Mapping[str, Any] = field(default_factory=dict)
    reference_options: Callable[[str], list[str]] = no_options


class EmbeddedServer:
    """The profile's reference server (``python -m reference_server`` for the built-in ones) on
    a free loopback port with a temporary SQLite file."""

    def __init__(
        self, server: ReferenceServer, probe: Probe, extra_args: list[str] | None = None
    ) -> None:
        self.probe = probe
        self._workdir = tempfile.TemporaryDirectory(prefix="blocks-conformance-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{server.base_path}"
        self._log = Path(self._workdir.name, "server.log").open("w+")  # noqa: SIM115 (closed in stop)
        command = [*server.command(self.port, Path(self._workdir.name)), *(extra_args or [])]
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"the embedded reference server exited with {self._process.returncode}:\n"
                    + self.output()
                )
            try:
                answer = httpx.get(self.probe_url, timeout=1.0, verify=tls_context())
                if self.probe.alive(answer):
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(
            f"the embedded reference server did not answer {self.probe_url} within "
            f"{START_TIMEOUT:.0f} s:\n" + self.output()
        )

    @property
    def probe_url(self) -> str:
        return f"{self.url}{self.probe.path}"

    def output(self) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read()[-4000:]

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()  # nothing of it is kept: its database goes with its folder
            self._process.wait()
        self._log.close()
        self._workdir.cleanup()
