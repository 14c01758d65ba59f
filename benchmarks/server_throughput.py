"""Side-by-side throughput of two blocks API servers on loopback, in one run.

    python benchmarks/server_throughput.py --b http://127.0.0.1:4200/api
    python benchmarks/server_throughput.py --prefect /path/to/venv/bin/prefect

Server a is the bundled reference server, started here on a free port with a temporary SQLite
file unless ``--a URL`` names one. Server b is ``--b URL``, or a real Prefect server started here
from ``--prefect BIN`` exactly as CI starts it (``prefect server start`` on 127.0.0.1 with a
temporary PREFECT_HOME).

For each endpoint, a sequential phase and a phase with 8 concurrent clients run against a and then
b, each capped at ``--requests`` requests and ``--seconds`` seconds. Printed per endpoint and
phase: successful requests per second, p50 and p99 latency, errors, and the ratio a/b of the
rates. Endpoints: read type by slug, read document by slug and name, create document, and filter
documents (limit 10) with ``--documents`` documents in the namespace. Everything the benchmark
creates lives under one block type with a run prefix, deleted (with its documents) at the end.

The load generator is the standard library's http.client on keep-alive connections, one per
client thread, so that the client's own cost distorts the ratio as little as possible.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conformance import profiles  # noqa: E402
from conformance.embedded import EmbeddedServer, free_port  # noqa: E402

CONCURRENCY = (1, 8)
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)


class Connection:
    """A keep-alive HTTP/1.1 connection to one base URL that speaks JSON."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        self.prefix = parts.path.rstrip("/")
        self._http = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self._reused = False

    def call(self, method: str, path: str, body: object = None) -> tuple[int, bytes]:
        """Status and body; status 0 when the connection failed. A request on a kept-alive
        connection that the server has closed meanwhile is sent once more on a new one."""
        payload = None if body is None else json.dumps(body)
        headers = {"content-type": "application/json"} if payload is not None else {}
        for attempt in ("first", "again"):
            reused = self._reused
            try:
                self._http.request(method, self.prefix + path, body=payload, headers=headers)
                answer = self._http.getresponse()
                content = answer.read()
            except (OSError, http.client.HTTPException):
                self._http.close()  # http.client reconnects on the next request
                self._reused = False
                if reused and attempt == "first":
                    continue
                return 0, b""
            self._reused = True
            return answer.status, content
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._http.close()


@dataclass
class Phase:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)  # status (0: no answer) -> count

    @property
    def errors(self) -> int:
        return sum(self.failures.values())

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        ok = len(self.latencies) - self.errors
        return ok / self.seconds if self.seconds else 0.0

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


class Namespace:
    """One server's share of the benchmark: a block type, a schema and N documents."""

    def __init__(self, url: str, documents: int) -> None:
        self.url = url
        self.prefix = f"bench-{uuid.uuid4().hex[:8]}"
        self._setup = Connection(url)
        self._counter = 0
        self._lock = threading.Lock()
        self.type = self._create("/block_types/", {"name": self.prefix, "slug": self.prefix})
        fields = {
            "title": self.prefix,
            "properties": {"pw": {"type": "string"}, "n": {"type": "integer"}},
            "secret_fields": ["pw"],
        }
        self.schema = self._create(
            "/block_schemas/", {"block_type_id": self.type["id"], "fields": fields}
        )
        for _ in range(documents):
            self._create("/block_documents/", self.document_body())
        self.known_document = f"{self.prefix}-0"

    def _create(self, path: str, body: dict) -> dict:
        # Like the Prefect client, retry 503 (the real server's "database is locked") and a
        # dropped connection (status 0 here).
        for delay in (*RETRY_DELAYS, None):
            status, payload = self._setup.call("POST", path, body)
            if status in (200, 201):
                return json.loads(payload)
            if status not in (0, 503) or delay is None:
                raise SystemExit(f"set-up failed: POST {self.url}{path} -> {status} {payload!r}")
            time.sleep(delay)
        raise AssertionError("unreachable")

    def document_body(self) -> dict:
        with self._lock:
            number = self._counter
            self._counter += 1
        return {
            "name": f"{self.prefix}-{number}",
            "data": {"pw": "not-a-real-secret", "n": number},
            "block_type_id": self.type["id"],
            "block_schema_id": self.schema["id"],
        }

    def endpoints(self) -> dict[str, Callable[[Connection], tuple[int, bytes]]]:
        slug, known = self.prefix, self.known_document
        scope = {"block_types": {"slug": {"any_": [slug]}}, "limit": 10}
        return {
            "read type by slug": lambda c: c.call("GET", f"/block_types/slug/{slug}"),
            "read document by slug+name": lambda c: c.call(
                "GET", f"/block_types/slug/{slug}/block_documents/name/{known}"
            ),
            "create document": lambda c: c.call("POST", "/block_documents/", self.document_body()),
            "filter documents (limit 10)": lambda c: c.call(
                "POST", "/block_documents/filter", scope
            ),
        }

    def clean_up(self) -> None:
        """Deleting the type deletes its schemas and documents (a cascade on both servers)."""
        for delay in (*RETRY_DELAYS, None):
            status, payload = self._setup.call("DELETE", f"/block_types/{self.type['id']}")
            if status not in (0, 503) or delay is None:
                break
            time.sleep(delay)
        if status != 204:
            print(f"clean-up of {self.prefix} on {self.url}: {status} {payload[:200]}")
        self._setup.close()


def measure(url: str, call, clients: int, max_requests: int, max_seconds: float) -> Phase:
    """``clients`` threads share a budget of ``max_requests`` requests and ``max_seconds``."""
    lock = threading.Lock()
    budget = [max_requests]
    latencies: list[float] = []
    failures: Counter = Counter()
    deadline = time.monotonic() + max_seconds

    def take() -> bool:
        with lock:
            budget[0] -= 1
            return budget[0] >= 0 and time.monotonic() < deadline

    def worker() -> None:
        connection = Connection(url)
        try:
            while take():
                started = time.perf_counter()
                status, _ = call(connection)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if not 200 <= status < 300:
                        failures[status] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Phase(time.monotonic() - began, latencies, failures)


@contextmanager
def real_prefect_server(prefect_bin: str) -> Iterator[str]:
    """``prefect server start`` on a free loopback port with a temporary PREFECT_HOME."""
    home = tempfile.mkdtemp(prefix="bench-prefect-home-")
    port = free_port()
    environment = {
        **os.environ,
        "PREFECT_HOME": home,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    log = Path(home, "server.log").open("w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [prefect_bin, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        wait_for_health(url, process, 120)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def wait_for_health(url: str, process: subprocess.Popen, seconds: float) -> None:
    probe = Connection(url, timeout=2)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server at {url} exited with {process.returncode}")
        if probe.call("GET", "/health")[0] == 200:
            probe.close()
            return
        time.sleep(0.25)
    raise SystemExit(f"no answer from {url}/health within {seconds:.0f} s")


@contextmanager
def reference_server() -> Iterator[str]:
    server = EmbeddedServer(profiles.get("prefect"))
    try:
        server.wait_until_healthy()
        yield server.url
    finally:
        server.stop()


def require_loopback(url: str) -> None:
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load {url}: benchmarks stay on loopback")


def compare(urls: dict[str, str], args: argparse.Namespace) -> None:
    for url in urls.values():
        require_loopback(url)
    spaces = {key: Namespace(url, args.documents) for key, url in urls.items()}
    try:
        print(f"a = {urls['a']}\nb = {urls['b']}")
        print(
            f"caps per phase: {args.requests} requests, {args.seconds:.0f} s; "
            f"{args.documents} documents in each namespace"
        )
        header = (
            f"{'endpoint':28} {'clients':>7} | {'a req/s':>8} {'a p50':>8} {'a p99':>8} | "
            f"{'b req/s':>8} {'b p50':>8} {'b p99':>8} | {'a/b':>6} {'errors a/b':>11}"
        )
        print(header)
        print("-" * len(header))
        failures = {"a": Counter(), "b": Counter()}
        for name in spaces["a"].endpoints():
            for clients in CONCURRENCY:
                a, b = (
                    measure(
                        space.url, space.endpoints()[name], clients, args.requests, args.seconds
                    )
                    for space in (spaces["a"], spaces["b"])
                )
                failures["a"] += a.failures
                failures["b"] += b.failures
                ratio = a.rate / b.rate if b.rate else float("inf")
                print(
                    f"{name:28} {clients:>7} | {a.rate:8.0f} {a.percentile_ms(0.5):6.1f}ms "
                    f"{a.percentile_ms(0.99):6.1f}ms | {b.rate:8.0f} {b.percentile_ms(0.5):6.1f}ms "
                    f"{b.percentile_ms(0.99):6.1f}ms | {ratio:5.1f}x {a.errors:>5}/{b.errors:<5}",
                    flush=True,
                )
        for key, counted in failures.items():
            shown = ", ".join(f"{n} x {status or 'no answer'}" for status, n in counted.items())
            print(f"errors of {key} by status: {shown or 'none'}")
    finally:
        for space in spaces.values():
            space.clean_up()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--a", help="base URL of server a (default: start the reference server)")
    target_b = parser.add_mutually_exclusive_group(required=True)
    target_b.add_argument("--b", help="base URL of server b, e.g. a running real Prefect server")
    target_b.add_argument(
        "--prefect", metavar="BIN", help="start a real Prefect server from this `prefect` binary"
    )
    parser.add_argument("--requests", type=int, default=2000, help="cap per phase (2000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="cap per phase (10)")
    parser.add_argument(
        "--documents", type=int, default=1000, help="documents in each namespace (1000)"
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with (
        reference_server() if args.a is None else nullcontext(args.a) as url_a,
        real_prefect_server(args.prefect) if args.prefect else nullcontext(args.b) as url_b,
    ):
        compare({"a": url_a, "b": url_b}, args)


if __name__ == "__main__":
    main()
