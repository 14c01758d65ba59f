"""Side-by-side throughput of the reference server and real Prefect servers on loopback, in one
run, on every endpoint of the blocks API, with 1 and 8 clients.

    python benchmarks/server_throughput.py \
        --prefect 3.8.8=/path/to/venv-3.8.8/bin/prefect \
        --prefect 3.9.1=/path/to/venv-3.9.1/bin/prefect

The reference server is started here (``python -m reference_server`` on a free port with a
temporary SQLite file) unless ``--reference URL`` names one. Each ``--prefect LABEL=BIN`` starts a
real Prefect server exactly as CI does (``prefect server start`` on 127.0.0.1 with a temporary
PREFECT_HOME); ``--target LABEL=URL`` names one already running. All of them run for the whole
benchmark, and each phase is measured on every server in turn, so that they are compared on the
same machine state.

The load generator is wrk (Debian: ``apt install wrk``), one thread on kept-alive connections,
driven by ``wrk_phase.lua``. Its ceiling is measured first, with the same script, against
``null_server.py`` (a server that answers every request at once), and printed beside the
fastest rate measured on a target. On a machine with two or more CPUs, wrk runs on the first
and every server on the others, so that the load generator and the server it measures never
take turns on one CPU (``--no-pin`` to share them).

Per endpoint and client count: successful (2xx) answers per second, wrk's p50 and p99 latency
over all answers, the number of other answers (and of socket errors), and the reference
server's rate as a multiple of each real server's. A row is "ok" when the reference server
reaches at least ``--goal`` times the rate of every real server with a lower p99, and "SHORT"
otherwise; the exit status is 1 when a row is short. The first row, GET /health, is not a
blocks API endpoint and is not judged: it shows each server's floor, the cheapest answer it
gives.

Read, filter and update phases run for ``--seconds`` (a phase with fewer than 20 answers runs
again for ten times as long); a create phase runs for ``--seconds`` and the delete phase after
it deletes exactly what it created (it ends when all are answered). Each server gets its own
namespace: a block type with a run prefix, a schema with a secret field and ``--documents``
documents (the filters read a page of 10 of them, the list of a type's documents reads them
all), deleted at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from conformance.embedded import free_port  # noqa: E402

CONCURRENCY = (1, 8)
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)
PAGE = 200  # the real server's largest page
MIN_ANSWERS = 20  # fewer in a phase: it is measured again for ten times as long
REFERENCE = "reference"


@dataclass(frozen=True)
class Cores:
    """Which CPUs the load generator and the servers run on: on two or more, one each, so that
    the load generator and the server measured never take turns on one CPU."""

    load: set[int] | None
    servers: set[int] | None

    @classmethod
    def split(cls, pin: bool) -> Cores:
        available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        if not pin or len(available) < 2:
            return cls(None, None)
        return cls({available[0]}, set(available[1:]))

    def describe(self) -> str:
        if self.load is None:
            return "not pinned"
        return f"load generator on CPU {sorted(self.load)}, servers on CPU {sorted(self.servers)}"


def pinned(cpus: set[int] | None) -> Callable[[], None] | None:
    """A preexec_fn that keeps the child (and what it starts) on ``cpus``."""
    return None if cpus is None else lambda: os.sched_setaffinity(0, cpus)


class Connection:
    """A keep-alive HTTP/1.1 connection to one base URL that speaks JSON (set-up and listing;
    the measured load is wrk's)."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        self.prefix = parts.path.rstrip("/")
        self._http = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    def call(self, method: str, path: str, body: object = None) -> tuple[int, bytes]:
        """Status and body; status 0 when the connection failed."""
        payload = None if body is None else json.dumps(body)
        headers = {"content-type": "application/json"} if payload is not None else {}
        try:
            self._http.request(method, self.prefix + path, body=payload, headers=headers)
            answer = self._http.getresponse()
            return answer.status, answer.read()
        except (OSError, http.client.HTTPException):
            self._http.close()  # http.client reconnects on the next request
            return 0, b""

    def json(self, method: str, path: str, body: object = None, ok=(200, 201, 204)) -> object:
        """The answer's JSON, after retrying 503 (the real server's "database is locked") and a
        dropped connection, as the Prefect client does."""
        for delay in (*RETRY_DELAYS, None):
            status, payload = self.call(method, path, body)
            if status in ok:
                return json.loads(payload) if payload else None
            if status not in (0, 503) or delay is None:
                raise SystemExit(f"{method} {self.prefix}{path} -> {status} {payload[:300]!r}")
            time.sleep(delay)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._http.close()


@dataclass
class Request:
    method: str
    path: str  # under the base URL
    body: object = None

    def line(self, base_path: str) -> str:
        body = "" if self.body is None else json.dumps(self.body, separators=(",", ":"))
        return f"{self.method}\t{base_path}{self.path}\t{body}"


@dataclass
class Endpoint:
    """One endpoint of the blocks API and the requests a phase sends to it."""

    name: str
    mode: str  # wrk_phase.lua's PHASE_MODE: cycle, unique or once
    plan: Callable[[Namespace, int], list[Request]]
    judged: bool = True  # False: shown for comparison, not a blocks API endpoint


class Namespace:
    """One server's share of the benchmark: a block type with a schema and N documents, and a
    block type per client count that receives the schemas the create phases make."""

    def __init__(self, label: str, url: str, documents: int) -> None:
        self.label = label
        self.url = url
        self.base_path = urlsplit(url).path.rstrip("/")
        self.prefix = f"bench-{uuid.uuid4().hex[:8]}"
        self.setup = Connection(url)
        self.type = self.create_type(self.prefix)
        self.schema_types = {n: self.create_type(f"{self.prefix}-schemas{n}") for n in CONCURRENCY}
        fields = {
            "title": self.prefix,
            "type": "object",
            "properties": {"pw": {"type": "string"}, "n": {"type": "integer"}},
            "secret_fields": ["pw"],
        }
        self.schema = self.setup.json(
            "POST", "/block_schemas/", {"block_type_id": self.type["id"], "fields": fields}
        )
        self.documents = [
            self.setup.json("POST", "/block_documents/", self.document(str(number)))
            for number in range(documents)
        ]

    def create_type(self, name: str) -> dict:
        return self.setup.json("POST", "/block_types/", {"name": name, "slug": name})

    def document(self, number: str, tag: str = "") -> dict:
        return {
            "name": f"{self.prefix}{tag}-{number}",
            "data": {"pw": "not-a-real-secret", "n": number},
            "block_type_id": self.type["id"],
            "block_schema_id": self.schema["id"],
        }

    def listed(self, path: str, body: dict) -> list[dict]:
        """Every object a filter endpoint finds, page by page."""
        found: list[dict] = []
        while True:
            page = self.setup.json("POST", path, {**body, "limit": PAGE, "offset": len(found)})
            found += page
            if len(page) < PAGE:
                return found

    def created_types(self, clients: int) -> list[dict]:
        like = {"block_types": {"name": {"like_": f"{self.prefix}-t{clients}-"}}}
        return self.listed("/block_types/filter", like)

    def created_schemas(self, clients: int) -> list[dict]:
        scope = {"block_schemas": {"block_type_id": {"any_": [self.schema_types[clients]["id"]]}}}
        return self.listed("/block_schemas/filter", scope)

    def created_documents(self, clients: int) -> list[dict]:
        like = {"block_documents": {"name": {"like_": f"{self.prefix}-c{clients}-"}}}
        return self.listed("/block_documents/filter", like)

    def clean_up(self) -> None:
        """Deleting a block type deletes its schemas and documents (a cascade on every server)."""
        leftovers = self.created_types(1) + self.created_types(8)
        for block_type in [self.type, *self.schema_types.values(), *leftovers]:
            try:
                self.setup.json("DELETE", f"/block_types/{block_type['id']}", ok=(204, 404))
            except SystemExit as failed:
                print(f"clean-up of {block_type['name']} on {self.label} failed: {failed}")
        self.setup.close()


def scoped_documents(space: Namespace) -> dict:
    return {"block_types": {"slug": {"any_": [space.prefix]}}}


def read(path: Callable[[Namespace], str]) -> Callable[[Namespace, int], list[Request]]:
    return lambda space, clients: [Request("GET", path(space))]


def post(path: str, body: Callable[[Namespace], dict]) -> Callable[[Namespace, int], list[Request]]:
    return lambda space, clients: [Request("POST", path, body(space))]


def deletes(kind: str, listing: str) -> Callable[[Namespace, int], list[Request]]:
    def plan(space: Namespace, clients: int) -> list[Request]:
        objects = getattr(space, listing)(clients)
        return [Request("DELETE", f"/{kind}/{found['id']}") for found in objects]

    return plan


def type_updates(space: Namespace, clients: int) -> list[Request]:
    path = f"/block_types/{space.type['id']}"
    return [Request("PATCH", path, {"description": text}) for text in ("one", "two")]


def document_updates(space: Namespace, clients: int) -> list[Request]:
    """Alternating data on up to 100 documents, so that every update changes something."""
    chosen = space.documents[:100]
    return [
        Request("PATCH", f"/block_documents/{document['id']}", {"data": {"pw": "x", "n": value}})
        for value in (1, 2)
        for document in chosen
    ]


def new_schema(space: Namespace, clients: int) -> list[Request]:
    fields = {
        "title": f"{space.prefix}-s{clients}-@N@",
        "type": "object",
        "properties": {"pw": {"type": "string"}},
        "secret_fields": ["pw"],
    }
    body = {"block_type_id": space.schema_types[clients]["id"], "fields": fields}
    return [Request("POST", "/block_schemas/", body)]


def new_type(space: Namespace, clients: int) -> list[Request]:
    name = f"{space.prefix}-t{clients}-@N@"
    return [Request("POST", "/block_types/", {"name": name, "slug": name})]


def new_document(space: Namespace, clients: int) -> list[Request]:
    return [Request("POST", "/block_documents/", space.document("@N@", f"-c{clients}"))]


ENDPOINTS = [
    # not a blocks API endpoint: the cheapest answer of each server, the floor of the others
    Endpoint("GET /health (each server's floor)", "cycle", read(lambda s: "/health"), False),
    Endpoint("GET /block_types/{id}", "cycle", read(lambda s: f"/block_types/{s.type['id']}")),
    Endpoint(
        "GET /block_types/slug/{slug}", "cycle", read(lambda s: f"/block_types/slug/{s.prefix}")
    ),
    Endpoint(
        "POST /block_types/filter",
        "cycle",
        post("/block_types/filter", lambda s: {"block_types": {"name": {"like_": s.prefix}}}),
    ),
    Endpoint(
        "GET /block_types/slug/{slug}/block_documents",
        "cycle",
        read(lambda s: f"/block_types/slug/{s.prefix}/block_documents"),
    ),
    Endpoint(
        "GET /block_types/slug/{slug}/block_documents/name/{name}",
        "cycle",
        read(lambda s: f"/block_types/slug/{s.prefix}/block_documents/name/{s.prefix}-0"),
    ),
    Endpoint(
        "GET /block_schemas/{id}", "cycle", read(lambda s: f"/block_schemas/{s.schema['id']}")
    ),
    Endpoint(
        "GET /block_schemas/checksum/{checksum}",
        "cycle",
        read(lambda s: f"/block_schemas/checksum/{s.schema['checksum']}"),
    ),
    Endpoint(
        "POST /block_schemas/filter",
        "cycle",
        post(
            "/block_schemas/filter",
            lambda s: {"block_schemas": {"block_type_id": {"any_": [s.type["id"]]}}, "limit": 10},
        ),
    ),
    Endpoint("GET /block_capabilities/", "cycle", read(lambda s: "/block_capabilities/")),
    Endpoint(
        "GET /block_documents/{id}",
        "cycle",
        read(lambda s: f"/block_documents/{s.documents[0]['id']}"),
    ),
    Endpoint(
        "POST /block_documents/filter",
        "cycle",
        post("/block_documents/filter", lambda s: {**scoped_documents(s), "limit": 10}),
    ),
    Endpoint(
        "POST /block_documents/count", "cycle", post("/block_documents/count", scoped_documents)
    ),
    Endpoint("PATCH /block_types/{id}", "cycle", type_updates),
    Endpoint("PATCH /block_documents/{id}", "cycle", document_updates),
    Endpoint(
        "POST /block_types/install_system_block_types",
        "cycle",
        post("/block_types/install_system_block_types", lambda s: None),
    ),
    Endpoint("POST /block_types/", "unique", new_type),
    Endpoint("DELETE /block_types/{id}", "once", deletes("block_types", "created_types")),
    Endpoint("POST /block_schemas/", "unique", new_schema),
    Endpoint("DELETE /block_schemas/{id}", "once", deletes("block_schemas", "created_schemas")),
    Endpoint("POST /block_documents/", "unique", new_document),
    Endpoint(
        "DELETE /block_documents/{id}", "once", deletes("block_documents", "created_documents")
    ),
]


@dataclass
class Phase:
    seconds: float
    statuses: Counter  # status -> answers
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def errors(self) -> int:
        return sum(self.statuses.values()) - self.ok + self.socket_errors

    @property
    def rate(self) -> float:
        """Successful answers per second."""
        return self.ok / self.seconds if self.seconds else 0.0


def run_wrk(
    origin: str,
    requests: list[str],
    mode: str,
    clients: int,
    seconds: int,
    surplus: str,
    cpus: set[int] | None,
) -> Phase:
    with tempfile.NamedTemporaryFile("w", suffix=".plan", delete=False) as plan:
        plan.write("\n".join(requests) + "\n")
    environment = {**os.environ, "PHASE_PLAN": plan.name, "PHASE_MODE": mode}
    environment["PHASE_SURPLUS"] = surplus
    command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "60s"]
    command += ["-s", str(HERE / "wrk_phase.lua"), origin]
    try:
        finished = subprocess.run(
            command, env=environment, capture_output=True, text=True, preexec_fn=pinned(cpus)
        )
    finally:
        os.unlink(plan.name)
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if finished.returncode != 0 or not lines:
        raise SystemExit(
            f"wrk failed ({finished.returncode}): {finished.stderr or finished.stdout}"
        )
    result = json.loads(lines[-1])
    statuses = Counter({int(status): n for status, n in result["statuses"].items()})
    answered = sum(statuses.values()) > 0  # else no latency is known: longer than the phase
    return Phase(
        result["duration_us"] / 1e6,
        statuses,
        result["socket_errors"],
        result["p50_us"] / 1000 if answered else float("inf"),
        result["p99_us"] / 1000 if answered else float("inf"),
    )


def measure(
    space: Namespace, endpoint: Endpoint, clients: int, seconds: int, cpus: set[int] | None
) -> Phase | None:
    planned = endpoint.plan(space, clients)
    if not planned:
        return None  # a delete phase after a create phase that created nothing
    # wrk_phase.lua tells a once phase's answers from its surplus ones (200) by their status
    assert endpoint.mode != "once" or all(r.method == "DELETE" for r in planned), endpoint.name
    parts = urlsplit(space.url)
    lines = [request.line(space.base_path) for request in planned]
    # a once phase ends when every request is answered; --seconds only caps the others
    cap = seconds if endpoint.mode != "once" else max(60, seconds * 20)
    origin = f"{parts.scheme}://{parts.netloc}"
    surplus = f"{space.base_path}/health"
    phase = run_wrk(origin, lines, endpoint.mode, clients, cap, surplus, cpus)
    if endpoint.mode != "once" and sum(phase.statuses.values()) < MIN_ANSWERS:
        # too slow an endpoint for a rate and a p99: measured again, for longer
        phase = run_wrk(origin, lines, endpoint.mode, clients, cap * 10, surplus, cpus)
    return phase


@contextmanager
def server_process(
    command: list[str], url: str, cpus: set[int] | None, **env: str
) -> Iterator[str]:
    """A server started here, with its output in a temporary folder, stopped at the end."""
    folder = tempfile.mkdtemp(prefix="bench-server-")
    environment = {**os.environ, **{key: value.format(folder=folder) for key, value in env.items()}}
    command = [part.format(folder=folder) for part in command]
    log = Path(folder, "server.log").open("w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        command, env=environment, stdout=log, stderr=subprocess.STDOUT, preexec_fn=pinned(cpus)
    )
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def real_prefect_server(prefect_bin: str, cpus: set[int] | None):
    """``prefect server start`` on a free loopback port with a temporary PREFECT_HOME, as CI."""
    port = free_port()
    command = [prefect_bin, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/api"
    return server_process(
        command, url, cpus, PREFECT_HOME="{folder}", PREFECT_SERVER_ANALYTICS_ENABLED="false"
    )


def reference_server(cpus: set[int] | None):
    """The README's command: ``python -m reference_server`` with a temporary SQLite file."""
    port = free_port()
    command = [sys.executable, "-m", "reference_server", "--port", str(port)]
    command += ["--db", "{folder}/blocks.db"]
    return server_process(command, f"http://127.0.0.1:{port}/api", cpus)


def null_server(cpus: set[int] | None):
    port = free_port()
    command = [sys.executable, str(HERE / "null_server.py"), str(port)]
    return server_process(command, f"http://127.0.0.1:{port}", cpus)


def wait_for_health(url: str, seconds: float = 180) -> None:
    probe = Connection(url, timeout=2)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe.call("GET", "/health")[0] == 200:
            probe.close()
            return
        time.sleep(0.25)
    raise SystemExit(f"no answer from {url}/health within {seconds:.0f} s")


def require_loopback(url: str) -> None:
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load {url}: benchmarks stay on loopback")


def ceiling(seconds: int, cores: Cores) -> dict[int, Phase]:
    """wrk with the heaviest plan of the benchmark (a create document body with a counter)
    against the null server, placed as the servers are."""
    body = {"name": "bench-@N@", "data": {"pw": "not-a-real-secret", "n": "@N@"}}
    line = Request("POST", "/block_documents/", body).line("/api")
    with null_server(cores.servers) as origin:
        wait_for_health(origin, 30)
        return {
            n: run_wrk(origin, [line], "unique", n, seconds, "/health", cores.load)
            for n in CONCURRENCY
        }


def cell(phase: Phase | None) -> str:
    if phase is None:
        return f"{'-':>8} {'':>7} {'':>7} {'':>5}"
    return f"{phase.rate:8.0f} {phase.p50_ms:7.2f} {phase.p99_ms:7.1f} {phase.errors:5d}"


def verdict(reference: Phase | None, others: dict[str, Phase | None], goal: float) -> str:
    short = []
    for label, other in others.items():
        if reference is None or other is None:
            short.append(f"{label}: not measured")
            continue
        ratio = reference.rate / other.rate if other.rate else float("inf")
        if ratio < goal:
            short.append(f"{label}: {ratio:.1f}x")
        if reference.p99_ms >= other.p99_ms:
            short.append(f"{label}: p99 not lower")
    return "ok" if not short else "SHORT (" + "; ".join(short) + ")"


def ratio_text(reference: Phase | None, other: Phase | None) -> str:
    if reference is None or other is None:
        return "-"
    return f"{reference.rate / other.rate:.1f}x" if other.rate else "inf"


def compare(urls: dict[str, str], args: argparse.Namespace, cores: Cores) -> int:
    labels = list(urls)
    print(f"load generator: wrk, 1 thread; phases of {args.seconds} s; {cores.describe()}")
    print("servers: " + ", ".join(f"{label} {url}" for label, url in urls.items()))
    limits = ceiling(args.seconds, cores)
    print(
        "load generator ceiling (the same script against null_server.py): "
        + ", ".join(f"{n} client(s) {phase.rate:,.0f} req/s" for n, phase in limits.items()),
        flush=True,
    )
    spaces = {label: Namespace(label, url, args.documents) for label, url in urls.items()}
    others = labels[1:]
    header = (
        f"{'endpoint':57} {'c':>2} | "
        + " | ".join(f"{label[:8]:>8} {'p50 ms':>7} {'p99 ms':>7} {'err':>5}" for label in labels)
        + " | "
        + " ".join(f"{'x ' + label[:7]:>9}" for label in others)
        + " | verdict"
    )
    print(header)
    print("-" * len(header))
    failures = {label: Counter() for label in labels}
    fastest = dict.fromkeys(CONCURRENCY, 0.0)
    short_rows = 0
    try:
        for endpoint in ENDPOINTS:
            for clients in CONCURRENCY:
                phases = {
                    label: measure(spaces[label], endpoint, clients, args.seconds, cores.load)
                    for label in labels
                }
                for label, phase in phases.items():
                    if phase is not None:
                        failures[label].update(
                            {s: n for s, n in phase.statuses.items() if not 200 <= s < 300}
                        )
                        failures[label][0] += phase.socket_errors
                reference = phases[labels[0]]
                if reference is not None:
                    fastest[clients] = max(fastest[clients], reference.rate)
                judged = verdict(reference, {k: phases[k] for k in others}, args.goal)
                if not endpoint.judged:
                    judged = "(not judged) " + judged
                else:
                    short_rows += judged != "ok"
                print(
                    f"{endpoint.name:57} {clients:>2} | "
                    + " | ".join(cell(phases[label]) for label in labels)
                    + " | "
                    + " ".join(f"{ratio_text(reference, phases[k]):>9}" for k in others)
                    + f" | {judged}",
                    flush=True,
                )
    finally:
        for space in spaces.values():
            space.clean_up()
    for label, counted in failures.items():
        shown = ", ".join(
            f"{n} x {status or 'socket error'}" for status, n in sorted(counted.items()) if n
        )
        print(f"answers other than 2xx from {label}: {shown or 'none'}")
    for n in CONCURRENCY:
        print(
            f"load generator headroom at {n} client(s): ceiling {limits[n].rate:,.0f} req/s is "
            f"{limits[n].rate / fastest[n]:.1f}x the fastest rate measured ({fastest[n]:,.0f})"
        )
    rows = sum(endpoint.judged for endpoint in ENDPOINTS) * len(CONCURRENCY)
    print(f"rows short of {args.goal:g}x with a lower p99: {short_rows} of {rows}")
    return 1 if short_rows else 0


def labelled(text: str) -> tuple[str, str]:
    label, separator, value = text.partition("=")
    if not separator or not label or not value:
        raise argparse.ArgumentTypeError(f"expected LABEL=VALUE, got {text!r}")
    return label, value


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--reference", metavar="URL", help="a reference server already running (default: start one)"
    )
    parser.add_argument(
        "--prefect",
        metavar="LABEL=BIN",
        type=labelled,
        action="append",
        default=[],
        help="start a real Prefect server from this `prefect` binary (repeatable)",
    )
    parser.add_argument(
        "--target",
        metavar="LABEL=URL",
        type=labelled,
        action="append",
        default=[],
        help="a real server already running, e.g. 3.9.1=http://127.0.0.1:4200/api (repeatable)",
    )
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="let the load generator and the servers share every CPU (default: one CPU for the "
        "load generator, the others for the servers)",
    )
    parser.add_argument("--seconds", type=int, default=3, help="length of a phase (3)")
    parser.add_argument("--documents", type=int, default=1000, help="documents per server (1000)")
    parser.add_argument(
        "--goal", type=float, default=10.0, help="the reference server's rate goal, in x (10)"
    )
    args = parser.parse_args()
    if not args.prefect and not args.target:
        parser.error("name at least one real server with --prefect or --target")
    if shutil.which("wrk") is None:
        parser.error(
            "wrk is not installed (Debian/Ubuntu: apt install wrk; macOS: brew install wrk)"
        )
    return args


def main() -> int:
    args = parse_args()
    cores = Cores.split(pin=not args.no_pin)
    with ExitStack() as stack:
        urls = {REFERENCE: args.reference or stack.enter_context(reference_server(cores.servers))}
        for label, binary in args.prefect:
            urls[label] = stack.enter_context(real_prefect_server(binary, cores.servers))
        urls.update(args.target)
        for url in urls.values():
            require_loopback(url)
            wait_for_health(url)
        return compare(urls, args, cores)


if __name__ == "__main__":
    sys.exit(main())
