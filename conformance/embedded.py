"""Start and stop the bundled reference server for a run that names no target."""

import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from .client import tls_context
from .profiles import Profile

START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedServer:
    """The profile's reference server (``python -m reference_server`` for the built-in ones) on
    a free loopback port with a temporary SQLite file."""

    def __init__(self, profile: Profile, extra_args: list[str] | None = None) -> None:
        self.profile = profile
        self._workdir = tempfile.TemporaryDirectory(prefix="blocks-conformance-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{profile.embedded_base_path}"
        self._log = Path(self._workdir.name, "server.log").open("w+")  # noqa: SIM115 (closed in stop)
        command = [
            *profile.embedded_command(self.port, Path(self._workdir.name)),
            *(extra_args or []),
        ]
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
                if self.profile.probe_alive(answer):
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
        return f"{self.url}{self.profile.probe_path}"

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
