"""What every peak-sdk journey script shares: the SDK pointed at the target, a guard that refuses
every connection elsewhere, a step recorder, and the JSON it prints.

Journey scripts run in the interpreter named by --blocks-peak-press-python, so they import only
``peak``, the standard library, ``requests`` (a dependency of peak-sdk) and this file. The
suite's environment says where the target is: BLOCKS_PEAK_URL (its base URL, where the SDK's
``press`` host is), BLOCKS_PEAK_TOKEN (sent raw as the SDK sends it), BLOCKS_PEAK_HEADERS (other
--target-headers, as JSON), BLOCKS_PEAK_HOOK (the test hook's URL, or empty) and
BLOCKS_JOURNEY_NAMESPACE (the prefix of every name a journey gives).

peak-sdk has no setting for its host: ``get_base_domain`` is replaced in the modules that
imported it before any Session exists. Its ``press`` host is the target. Its ``service`` host
(the tenant metadata a Session reads when it is built, the telemetry posted after each call) is
another host on the real platform, so a small loopback server of this kit plays it: the journeys
ask only for the Press API of the target (PP-API-session-bootstrap asks the target for the
service paths on its own).

Each step's outcome is the value the SDK returned or the error it raised; where the documents
allow several statuses, and so several exception classes, the step names them all ("A or B")
and keeps the one raised as ``raised``. peak-sdk hands the server's answer on unchanged, so a
step reads of it what the documents promise (``read``: the keys they name, or, where they name
none, the values the answer must hold: ``promised``), and keeps the whole answer as ``body``
(compared only by the SHOULD clause of the bodies). An id is compared by the object it stands
for: the journey names it (``Journey.name``) when the object is created, and the suite puts the
name in its place wherever it appears.
"""

import inspect
import ipaddress
import json
import os
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

NAMESPACE = os.environ["BLOCKS_JOURNEY_NAMESPACE"]
TARGET = os.environ["BLOCKS_PEAK_URL"].rstrip("/")
TOKEN = os.environ["BLOCKS_PEAK_TOKEN"]
HEADERS = json.loads(os.environ.get("BLOCKS_PEAK_HEADERS") or "{}")
HOOK = os.environ.get("BLOCKS_PEAK_HOOK", "").rstrip("/")
TRACEBACK_LINES = 12
THREADS_WAIT = 30.0
MISSING = "(missing)"

# The statuses the documents allow, as the classes peak-sdk raises for them (peak/exceptions.py):
# a taken name or version 400, 409 or 422; an invalid body 400 or 422.
REFUSED = ("BadRequestException", "ConflictException", "UnprocessableEntityException")
INVALID = ("BadRequestException", "UnprocessableEntityException")

# the parameters of the specs the journeys create: a run parameter with a default, and one
# whose value is hidden (hideValue)
PARAMETERS = {
    "build": [],
    "run": [
        {"name": "limit", "type": "number", "required": False, "defaultValue": 3},
        {"name": "api_key", "type": "string", "required": True, "hideValue": True},
    ],
}


class Guard:
    """Refuses (and records) every connection but to loopback and to the target's and the
    hook's own addresses."""

    def __init__(self, *urls: str) -> None:
        self.allowed: set[str] = set()
        for url in urls:
            host = urlsplit(url).hostname
            if host:
                self.allowed |= {info[4][0] for info in socket.getaddrinfo(host, None)}
        self.refused: list[str] = []
        self.connect = socket.socket.connect

    def allows(self, host: str) -> bool:
        try:
            return ipaddress.ip_address(host).is_loopback or host in self.allowed
        except ValueError:
            return host == "localhost"

    def install(self) -> None:
        guard = self

        def guarded(sock, address):
            host = address[0] if isinstance(address, tuple) else str(address)
            if not guard.allows(host):
                guard.refused.append(str(address))
                raise ConnectionRefusedError(f"a journey reaches only the target, not {address}")
            return guard.connect(sock, address)

        socket.socket.connect = guarded


class ServiceHost:
    """Peak's service host on a loopback port: the tenant metadata a Session reads ({}: no
    spoke tenant) and the telemetry sink."""

    def __init__(self) -> None:
        class Answer(BaseHTTPRequestHandler):
            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                known = self.path.split("?")[0] in (
                    "/tenant-management/api/v1/external/tenants/tenant-metadata",
                    "/resource-usage/api/v1/telemetry",
                )
                body = b"{}" if known else b'{"detail": "not a service path"}'
                self.send_response(200 if known else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()


def point_peak_sdk(service: str) -> None:
    """Every URL the SDK builds: the press host is the target, any other its service host."""
    import peak.helpers
    import peak.session
    import peak.telemetry

    def base_domain(stage: str, subdomain: str | None = "service") -> str:
        return TARGET if subdomain == "press" else service

    for module in (peak.helpers, peak.session, peak.telemetry):
        module.get_base_domain = base_domain


def send_extra_headers() -> None:
    """The --target-headers other than the token on every request the SDK sends."""
    if not HEADERS:
        return
    import requests

    request = requests.Session.request

    def with_headers(self, method, url, headers=None, **kwargs):
        return request(self, method, url, headers={**HEADERS, **(headers or {})}, **kwargs)

    requests.Session.request = with_headers


def picked(item: Any, *paths: str) -> dict[str, Any]:
    """The parts of an answer a journey reads, by dotted path (MISSING where there is none)."""
    found = {}
    for path in paths:
        value = item
        for key in path.split("."):
            value = value.get(key, MISSING) if isinstance(value, dict) else MISSING
        found[path] = value
    return found


def holds(answer: Any, wanted: Any) -> bool:
    """Whether ``wanted`` is one of the values of ``answer``, at any depth (a value of the same
    JSON type: 1 is not true)."""
    if type(answer) is type(wanted) and answer == wanted:
        return True
    if isinstance(answer, dict):
        return any(holds(value, wanted) for value in answer.values())
    if isinstance(answer, list):
        return any(holds(item, wanted) for item in answer)
    return False


def promised(**values: Any) -> Callable[[Any], dict[str, bool]]:
    """A reading of an answer whose documents name what it holds but not under which keys
    ("Dictionary containing spec id and release version"): for each value, whether the answer
    holds it somewhere."""

    def read(answer: Any) -> dict[str, bool]:
        return {
            f"holds {what.replace('_', ' ')}": holds(answer, value)
            for what, value in values.items()
        }

    return read


def parts(*paths: str) -> Callable[[Any], dict[str, Any]]:
    """A reading of an answer by the dotted paths of the keys its documents name."""
    return lambda answer: picked(answer, *paths)


def workflow_spec(name: str, title: str, summary: str | None, release: dict, **more: Any) -> dict:
    """The body of a spec of kind workflow with one step, as the journeys create them; no
    summary in its metadata when ``summary`` is None, and ``more`` metadata after it."""
    metadata = {"name": name, "title": title}
    if summary is not None:
        metadata["summary"] = summary
    return {
        "version": 1,
        "kind": "workflow",
        "metadata": {**metadata, **more},
        "release": release,
        "config": {"steps": {"main": {"type": "standard", "command": "python main.py"}}},
    }


def names(items) -> list[str]:
    """The metadata names of what a list (or the SDK's iterator over its pages) holds."""
    return [item.get("metadata", {}).get("name", MISSING) for item in items]


def takes_argument(method: Callable, argument: str) -> bool:
    return argument in inspect.signature(method).parameters


class Journey:
    """The SDK pointed at the target behind the guard; runs steps in order and keeps each
    one's outcome under its name."""

    def __init__(self) -> None:
        self.guard = Guard(TARGET, HOOK)
        self.guard.install()
        self.service = ServiceHost()
        point_peak_sdk(self.service.url)
        send_extra_headers()
        self.steps: dict[str, dict] = {}
        self.names: dict[str, str] = {}
        self.blocks = self.client(TOKEN)

    @staticmethod
    def client(token: str):
        """A ``peak.press.blocks`` client of a session with ``token``."""
        from peak.press import blocks
        from peak.session import Session

        return blocks.get_client(session=Session(auth_token=token, stage="prod"))

    def name(self, value: Any, name: str) -> Any:
        """Call ``value`` (an id) ``name`` wherever it appears in the results: the object it
        stands for (its first name is kept)."""
        if isinstance(value, str) and value and value != MISSING:
            self.names.setdefault(value, name)
        return value

    def step(
        self,
        name: str,
        action: Callable[[], Any],
        either: tuple[str, ...] = (),
        read: Callable[[Any], Any] | None = None,
    ) -> Any:
        """Run ``action``; record what it returned (as ``read`` reads it, with the whole answer
        as ``body``; the step returns the answer), or the error it raised (the error is the
        result then, with the last lines of its traceback to show in a failure). An error of one
        of the classes ``either`` names is recorded as "one of them"."""
        try:
            answer = action()
            value = answer if read is None else read(answer)
        except Exception as error:  # the SDK's own error is the outcome under comparison
            raised = type(error).__name__
            lines = traceback.format_exc().strip().splitlines()
            self.steps[name] = {
                "error": " or ".join(either) if raised in either else raised,
                "raised": raised,
                "message": str(error),
                "traceback": lines[-TRACEBACK_LINES:],
            }
            return None
        self.steps[name] = {"value": value} if read is None else {"value": value, "body": answer}
        return answer

    def raised(self, name: str) -> str | None:
        """The class of the error step ``name`` raised (None: it raised none)."""
        return self.steps.get(name, {}).get("raised")

    def set_status(self, deployment_id: str, status: str) -> bool:
        """Put a deployment in ``status`` through the test hook (not a Peak API)."""
        import requests

        if not HOOK:
            raise RuntimeError("no test hook was named (--blocks-peak-press-hook-url)")
        answer = requests.post(
            f"{HOOK}/deployments/{deployment_id}/status",
            json={"status": status},
            headers={**HEADERS, "Authorization": TOKEN},
            timeout=30,
        )
        if not 200 <= answer.status_code < 300:
            raise RuntimeError(f"the test hook answered {answer.status_code}: {answer.text[:300]}")
        return True

    def finish(self) -> None:
        """Print the results as the last line of output (steps in the order they ran), once the
        SDK's telemetry threads are done; the last step says what the guard refused."""
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join(THREADS_WAIT)
        self.service.stop()
        self.steps["reached_only_the_target"] = {"value": self.guard.refused}
        printed({"steps": self.steps, "names": self.names})


def printed(result: dict) -> None:
    import peak

    sys.stdout.write("\n" + json.dumps({"peak_version": peak.__version__, **result}, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()


def not_applicable(reason: str) -> None:
    """Say that the journey does not apply to this SDK release (it lacks what it tries)."""
    printed({"steps": {}, "not_applicable": reason})
