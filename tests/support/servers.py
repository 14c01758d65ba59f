"""Servers our tests point the suite at: the reference server (or a broken variant of it) forked
from a warm process, or any server started from a command, on a free loopback port."""

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from conformance import profiles
from conformance.embedded import free_port

from . import ROOT
from .forked import ForkedServer

START_TIMEOUT = 30.0


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
        extra: tuple[str, ...] = (),
    ) -> None:
        """``reference``: the server is the reference server (or a variant of it) and takes
        its host and database options; ``extra``: more of its options (``--auth-string``)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{base_path}"
        self.probe = probe
        self.alive = alive or (lambda answer: answer.status_code == 200)
        self.db = db or tmp_path / f"blocks-{self.port}.db"
        self.log = tmp_path / f"server-{self.port}.log"
        options = ["--port", str(self.port)]
        if reference:
            options += ["--host", "127.0.0.1", "--db", str(self.db), *extra]
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

    @property
    def pid(self) -> int:
        return self._process.pid

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


def variant_server(name: str, folder: Path, command: list[str] | None = None) -> ServerProcess:
    """The broken variant ``name`` served under its profile's base path: forked, or run as
    ``command`` (a process that serves it)."""
    from ..variants import profile_of

    profile = profiles.get(profile_of(name))
    return ServerProcess(
        command,
        folder,
        variant=name if command is None else None,
        base_path=profile.server.base_path,
        probe=profile.probe.path,
        alive=profile.probe.alive,
    )
