"""The Prefect UI served by the suite: a small HTTP server of its own on loopback that serves the
UI's static files (from the wheel of the --blocks-prefect-python interpreter), answers the UI's
``ui-settings`` with an API URL on its own origin, forwards the UI's blocks API calls to the
target (with the run's headers) and gives neutral answers to the UI's calls outside the blocks
API. It records every API call the UI made, for the report.

The target needs nothing beyond the blocks API: no CORS (the browser talks to one origin), no UI
of its own, none of the other routes of a Prefect server.
"""

from __future__ import annotations

import json
import mimetypes
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ..client import retried, tls_context

PLACEHOLDER = b"/PREFECT_UI_SERVE_BASE_REPLACE_PLACEHOLDER"
API_PREFIX = "/api"
# the blocks API, and the two service routes the Prefect client calls too: forwarded to the target
FORWARDED = ("/block_types", "/block_schemas", "/block_documents", "/block_capabilities")
FORWARDED_ROUTES = ("/health", "/admin/version")
# the UI's calls outside the blocks API, answered by the suite: what a server with nothing
# configured answers
NEUTRAL = {
    ("GET", "/admin/settings"): (
        200,
        {"server": {"analytics_enabled": False, "ui": {"show_promotional_content": False}}},
    ),
    ("GET", "/admin/storage"): (200, {"default_result_storage_block_id": None}),
    ("POST", "/ui/schemas/validate"): (200, {"errors": [], "valid": True}),
}
FORWARD_TIMEOUT = 30.0
SHOWN_BODY = 300  # characters of a body kept in the record of a call
# text files whose placeholder is replaced (the others are served as they are)
TEXT_SUFFIXES = (".html", ".js", ".css", ".json", ".webmanifest", ".svg", ".txt")


@dataclass(frozen=True)
class Call:
    """One API call the UI made, as the suite's server saw it."""

    method: str
    path: str  # below the API prefix, with the query
    request_body: str | None
    status: int
    response_body: str
    forwarded: bool  # sent to the target (a blocks API call), or answered by the suite
    at: float  # seconds since the server started

    def shown(self) -> dict:
        return {
            "method": self.method,
            "path": self.path,
            "request_body": self.request_body,
            "status": self.status,
            "response_body": self.response_body,
            "forwarded": self.forwarded,
        }

    def line(self) -> str:
        where = "target" if self.forwarded else "suite"
        return f"{self.method} {self.path} -> {self.status} ({where})"


def shortened(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return text if len(text) <= SHOWN_BODY else f"{text[:SHOWN_BODY]}... ({len(text)} chars)"


@dataclass
class CallLog:
    """Every API call the UI made, in order; a mark says where a step's calls begin."""

    started: float = field(default_factory=time.monotonic)
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    def mark(self) -> int:
        with self.lock:
            return len(self.calls)

    def since(self, mark: int) -> list[Call]:
        with self.lock:
            return list(self.calls[mark:])


class StaticFiles:
    """The UI's files, read once each, with the base-URL placeholder replaced by "" (the UI is
    served at the root of the suite's server)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.cache: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def get(self, path: str) -> tuple[bytes, str] | None:
        """The file at ``path`` and its content type (None: no such file)."""
        relative = path.lstrip("/") or "index.html"
        found = (self.folder / relative).resolve()
        if not found.is_relative_to(self.folder) or not found.is_file():
            return None
        with self.lock:
            if relative not in self.cache:
                raw = found.read_bytes()
                if found.suffix in TEXT_SUFFIXES:
                    raw = raw.replace(PLACEHOLDER, b"")
                self.cache[relative] = raw
            body = self.cache[relative]
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        if found.suffix in (".js", ".mjs"):
            kind = "text/javascript"
        return body, kind

    def index(self) -> tuple[bytes, str]:
        found = self.get("index.html")
        assert found is not None, f"no index.html in {self.folder}"
        return found


class UiServer:
    """Serves one UI (its static folder) on a free loopback port, in a thread."""

    def __init__(
        self,
        folder: Path,
        target_url: str,
        headers: dict[str, str],
        neutral: dict[tuple[str, str], tuple[int, object]] | None = None,
    ) -> None:
        self.files = StaticFiles(folder)
        self.target_url = target_url.rstrip("/")
        self.log = CallLog()
        self.neutral = NEUTRAL if neutral is None else neutral
        self.forwarder = httpx.Client(
            headers=headers, timeout=FORWARD_TIMEOUT, verify=tls_context()
        )
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (the standard library's names)
                server.handle(self)

            do_POST = do_PATCH = do_PUT = do_DELETE = do_OPTIONS = do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        self._http = QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.url}{API_PREFIX}"

    def settings(self) -> dict:
        return {
            "api_url": self.api_url,
            "csrf_enabled": False,
            "auth": None,
            "flags": [],
            "default_ui": "v1",
            "available_uis": [],
            "v1_base_url": None,
            "v2_base_url": None,
        }

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = urlsplit(request.path).path
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        if path == "/ui-settings":
            return send(request, 200, json.dumps(self.settings()).encode(), "application/json")
        if path == API_PREFIX or path.startswith(f"{API_PREFIX}/"):
            return self.api_call(request, request.path[len(API_PREFIX) :], body)
        found = self.files.get(path) if request.command == "GET" else None
        if found is None and "." in path.rsplit("/", 1)[-1]:
            return send(request, 404, b"not found", "text/plain")
        # the built assets are named after their content: the browser may keep them
        cached = found is not None and path.startswith("/assets/")
        return send(request, 200, *(found or self.files.index()), cached=cached)

    def api_call(self, request: BaseHTTPRequestHandler, path: str, body: bytes) -> None:
        route = urlsplit(path).path
        forwarded = route.startswith(FORWARDED) or route in FORWARDED_ROUTES
        if forwarded:
            status, raw, kind = self.forward(request.command, path, body)
        else:
            status, answer = self.neutral_answer(request.command, route)
            raw = b"" if answer is None else json.dumps(answer).encode()
            kind = "application/json"
        shown_request = shortened(body) if body else None
        self.log.add(
            Call(
                request.command,
                path,
                shown_request,
                status,
                shortened(raw),
                forwarded,
                time.monotonic() - self.log.started,
            )
        )
        send(request, status, raw, kind)

    def forward(self, method: str, path: str, body: bytes) -> tuple[int, bytes, str]:
        """The target's answer to a call of the UI. A busy answer (a real server on SQLite
        answers 503 while its database is locked) is retried as the suite's own requests
        are, so that a journey's verdict does not hang on the load the rest of the run puts
        on the server; one that stays busy reaches the UI."""
        headers = {"Content-Type": "application/json"} if body else {}
        url = f"{self.target_url}{path}"
        try:
            answer = retried(
                lambda: self.forwarder.request(method, url, content=body, headers=headers)
            )
        except httpx.HTTPError as error:
            return 502, f"the target did not answer: {error}".encode(), "text/plain"
        kind = answer.headers.get("content-type", "application/json")
        return answer.status_code, answer.content, kind

    def neutral_answer(self, method: str, route: str) -> tuple[int, object]:
        return self.neutral.get((method, route), (404, {"detail": "Not Found"}))

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self.forwarder.close()


class QuietServer(ThreadingHTTPServer):
    """A browser that leaves a page cancels what the page was loading: not an error."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)


def send(
    request: BaseHTTPRequestHandler, status: int, body: bytes, kind: str, cached: bool = False
) -> None:
    request.send_response(status)
    request.send_header("Content-Type", kind)
    request.send_header("Content-Length", str(len(body)))
    request.send_header("Cache-Control", "max-age=86400, immutable" if cached else "no-store")
    request.end_headers()
    if request.command != "HEAD":
        request.wfile.write(body)
