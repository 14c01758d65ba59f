"""A hostile HTTP/1.1 proxy on loopback, for showing that the suite's verdict survives the
network and load a real server has: latency on every answer, ``503 database is locked`` on a
share of requests (what the real Prefect server answers when SQLite is busy), and connections
closed after every answer without saying so (as the real server does after a 500 or 503).
It can also be a careless server: one that sets a session cookie on every answer and answers a
share of requests with a 500 whose body shows the request's headers (a debug page), so that
credentials reach the suite's failure messages.

It speaks just enough HTTP for the suite's client: requests with a Content-Length body (or
none), answers forwarded from the upstream server with httpx.
"""

import asyncio
import json
import random
import threading
from dataclasses import dataclass, field
from http import HTTPStatus

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"}
LOCKED = json.dumps({"exception_message": "database is locked"}).encode()


@dataclass
class Faults:
    latency: tuple[float, float] = (0.0, 0.0)  # seconds added to every answer, drawn uniformly
    busy_every: int = 0  # every Nth request gets 503 instead of reaching the server
    close_after_answer: bool = False  # drop the connection after every answer
    seed: int = 0
    # every Nth request gets 500 with its headers and the session cookie in the body
    echo_headers_every: int = 0
    session_cookie: str = ""  # "name=value" set on every answer


@dataclass
class Tally:
    requests: int = 0
    answered_503: int = 0
    connections_closed: int = 0
    connections: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


class HostileProxy:
    """Listens on a free 127.0.0.1 port and forwards to ``upstream`` (a base URL without path)
    with ``faults``; ``url(path)`` is the proxied base URL for the suite."""

    def __init__(self, upstream: str, faults: Faults) -> None:
        self.upstream = upstream.rstrip("/")
        self.faults = faults
        self.tally = Tally()
        self._random = random.Random(faults.seed)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        self._client = httpx.AsyncClient(base_url=self.upstream, timeout=60)
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        async def shutdown() -> None:
            self._server.close()
            await self._client.aclose()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.tally.connections += 1
        try:
            while await self._one_exchange(reader, writer):
                pass
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _one_exchange(self, reader, writer) -> bool:
        """Read one request, answer it; whether the connection stays open."""
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = [line.split(":", 1) for line in header_lines if ":" in line]
        headers = [(name.strip(), value.strip()) for name, value in headers]
        length = next((int(v) for n, v in headers if n.lower() == "content-length"), 0)
        body = await reader.readexactly(length) if length else b""
        self.tally.requests += 1
        status, answer_headers, content = await self._answer(method, target, headers, body)
        low, high = self.faults.latency
        if high:
            await asyncio.sleep(self._random.uniform(low, high))
        self.tally.statuses[status] = self.tally.statuses.get(status, 0) + 1
        if self.faults.close_after_answer:
            # counted before the answer leaves: a client that reads the tally right after
            # its answer must find this connection counted
            self.tally.connections_closed += 1
        writer.write(response_bytes(status, answer_headers, content))
        await writer.drain()
        return not self.faults.close_after_answer

    async def _answer(self, method, target, headers, body) -> tuple[int, list, bytes]:
        status, kept, content = await self._forward_or_fault(method, target, headers, body)
        if self.faults.session_cookie:
            kept.append(("set-cookie", f"{self.faults.session_cookie}; Path=/; HttpOnly"))
        return status, kept, content

    async def _forward_or_fault(self, method, target, headers, body) -> tuple[int, list, bytes]:
        every = self.faults.busy_every
        if every and self.tally.requests % every == 0:
            self.tally.answered_503 += 1
            return 503, [("content-type", "application/json")], LOCKED
        echo = self.faults.echo_headers_every
        if echo and self.tally.requests % echo == 0:
            shown = {"headers": dict(headers), "session": self.faults.session_cookie}
            return 500, [("content-type", "application/json")], json.dumps(shown).encode()
        forwarded = [(n, v) for n, v in headers if n.lower() not in HOP_BY_HOP | {"host"}]
        answer = await self._client.request(method, target, headers=forwarded, content=body)
        kept = [(n, v) for n, v in answer.headers.items() if n.lower() not in HOP_BY_HOP]
        return answer.status_code, kept, answer.content


def response_bytes(status: int, headers: list[tuple[str, str]], content: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason(status)}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines.append(f"content-length: {len(content)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + content


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
