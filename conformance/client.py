"""HTTP client for a target: base URL, headers, timeouts, retries, the counters of what it sent,
and the registry of the objects the run created (``cleanup`` fills it and deletes them).

The path of one request: a test calls ``ApiClient.request``; the client sends it (with retries),
makes an ``Exchange`` of what was sent and answered, adds to its ``Counters``, and hands the
exchange to its listeners in order (``target.client_of`` assembles them, in one place: the
secrets learned for the reports, the objects created, the exchange recorded to a file, the
oracle of differential mode). The test judges the exchange with ``checks``; a failure carries it
into the report."""

import base64
import json
import re
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING, Any, Protocol

import httpx

if TYPE_CHECKING:
    from .answers import Answers

MAX_SHOWN = 1500  # of a body in a failure message
MAX_KEPT = 4000  # of a body kept beside the message in the reports


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's default verification, built once per process: loading the CA bundle costs
    about 30 ms, and a run opens several clients."""
    return httpx.create_ssl_context()


# The Prefect client retries these statuses with backoff (5 retries by default); a server under
# its own background load (the real one answers 503 when SQLite is locked) is used the same way.
RETRY_STATUSES = {408, 429, 502, 503}
KEPT_ALIVE = 4
RETRY_DELAYS = (0.1, 0.2, 0.4, 0.8, 1.6)


def retried(
    send: Callable[[], httpx.Response], on_retry: Callable[[], None] = lambda: None
) -> httpx.Response:
    """``send()``'s answer, sent again after each delay while it is busy (a status in
    RETRY_STATUSES); the last answer, busy or not."""
    for delay in (*RETRY_DELAYS, None):
        response = send()
        if response.status_code not in RETRY_STATUSES or delay is None:
            return response
        on_retry()
        time.sleep(delay)
    raise AssertionError("unreachable")


def _shorten(text: str, limit: int = MAX_SHOWN) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


@dataclass
class Exchange:
    """One request and the target's answer."""

    method: str
    url: str
    request_json: Any
    status: int
    headers: dict[str, str]
    text: str
    response: httpx.Response | None = field(default=None, repr=False, compare=False)
    request_content: bytes = b""  # the body as sent (b"" for none)
    request_headers: dict[str, str] = field(default_factory=dict)  # set for this request only
    request_form: dict[str, str] | None = None  # a form body (multipart parts), as shown
    # the API it was sent to: how its answers are checked (their JSON Schemas, the error shape)
    answers: "Answers | None" = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> str:
        return httpx.URL(self.url).path

    @property
    def query(self) -> str:
        return httpx.URL(self.url).query.decode()

    @property
    def raw_path(self) -> str:
        """The path as sent, percent-encoded, without the query."""
        return httpx.URL(self.url).raw_path.decode("ascii").split("?", 1)[0]

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    def as_record(self, base_url: str) -> dict:
        base_path = httpx.URL(base_url).path.rstrip("/")
        return {
            "method": self.method,
            "path": self.path.removeprefix(base_path),
            "raw_path": self.raw_path.removeprefix(base_path),
            "query": self.query,
            **recorded_body(self.request_content),
            "status": self.status,
            "content_type": self.headers.get("content-type"),
            "body": self.text,
        }

    def shown(self) -> dict:
        """The request and the answer as a failure message shows them, field by field (the
        reports keep them beside the message)."""
        body = None
        if self.request_json is not NO_BODY:
            body = _shorten(json.dumps(self.request_json), MAX_KEPT)
        elif self.request_form is not None:
            body = "form: " + _shorten(json.dumps(self.request_form), MAX_KEPT)
        return {
            "method": self.method,
            "url": self.url,
            "request_body": body,
            "status": self.status,
            "content_type": self.headers.get("content-type"),
            "response_body": _shorten(self.text, MAX_KEPT),
        }

    def describe(self) -> str:
        lines = [f"  request:  {self.method} {self.url}"]
        if self.request_json is not NO_BODY:
            lines.append("            " + _shorten(json.dumps(self.request_json)))
        if self.request_form is not None:
            lines.append("            form: " + _shorten(json.dumps(self.request_form)))
        content_type = self.headers.get("content-type", "no content-type")
        lines.append(f"  response: {self.status} ({content_type})")
        if self.text:
            lines.append("            " + _shorten(self.text))
        return "\n".join(lines)


def recorded_body(content: bytes) -> dict:
    """A request body for a JSON line: as text, or base64 when it is not UTF-8."""
    try:
        return {"request": content.decode("utf-8")}
    except UnicodeDecodeError:
        return {"request_base64": base64.b64encode(content).decode("ascii")}


def body_of_record(record: dict) -> bytes:
    if "request_base64" in record:
        return base64.b64decode(record["request_base64"])
    return (record.get("request") or "").encode()


NO_BODY = object()  # a request without a body; None sends the JSON literal null


def form_as_shown(data: Any, files: Any) -> dict[str, str] | None:
    """The fields of a form body (httpx ``data=``/``files=``) for failure messages: text parts
    as sent, file parts by file name and size."""
    if data is None and files is None:
        return None
    shown = {str(key): str(value) for key, value in dict(data or {}).items()}
    parts = files.items() if isinstance(files, dict) else files or []
    for name, part in parts:
        filename, content = (part[0], part[1]) if isinstance(part, tuple) else (None, part)
        if filename is None and isinstance(content, str | bytes):
            text = content.decode(errors="replace") if isinstance(content, bytes) else content
            shown[str(name)] = text
        else:
            size = len(content) if isinstance(content, str | bytes) else "?"
            shown[str(name)] = f"<file {filename}, {size} bytes>"
    return shown


class TargetUnreachable(Exception):
    """The target did not answer HTTP at all."""


class LeftBehind(Exception):
    """An object the target's API cannot delete (the message says why): clean-up reports it
    as left behind, which does not fail the run."""


def cookie_jar_that_keeps_nothing() -> CookieJar:
    """Every request carries exactly the headers its test gives: a session cookie a server
    sets is never sent again unless a test sends it itself."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


@dataclass
class Counters:
    """What a client's requests add up to, and the generated cases its tests sent, by kind (the
    target's client's are the run's facts; an oracle's client keeps its own)."""

    requests: int = 0
    retried: int = 0
    seconds_waiting: float = 0.0  # inside HTTP calls: the target's share of the run's time
    generated: Counter[str] = field(default_factory=Counter)

    def generated_case(self, kind: str) -> None:
        self.generated[kind] += 1


class Listener(Protocol):
    """Hears every exchange of a client, after it is made, with the path below the base URL."""

    def heard(self, path: str, exchange: "Exchange") -> None: ...


@dataclass
class CreatedObjects:
    """Ids of objects this run created, per kind, in creation order, and those clean-up could
    not delete through the API (left behind, with why)."""

    ids: dict[str, list[str]] = field(default_factory=dict)
    left_behind: list[str] = field(default_factory=list)

    def add(self, kind: str, object_id: str) -> None:
        known = self.ids.setdefault(kind, [])
        if object_id not in known:
            known.append(object_id)

    def forget(self, kind: str, object_id: str) -> None:
        if object_id in self.ids.get(kind, []):
            self.ids[kind].remove(object_id)

    def __len__(self) -> int:
        return sum(len(ids) for ids in self.ids.values())


class Recorder:
    """A listener: every exchange, with the test that sent it, appended to a JSON-lines file
    (``--blocks-record-exchanges``)."""

    def __init__(self, path: str, base_url: str, current_test: Any) -> None:
        self.file = open(path, "a")  # noqa: SIM115 (closed in close)
        self.base_url = base_url
        self.current_test = current_test  # () -> the test being run, or None
        # a text file object is not thread-safe: tests that race requests would lose records
        self.lock = threading.Lock()

    def heard(self, path: str, exchange: "Exchange") -> None:
        test = self.current_test()
        record = {**exchange.as_record(self.base_url), **(test.as_record() if test else {})}
        with self.lock:
            self.file.write(json.dumps(record) + "\n")

    def close(self) -> None:
        self.file.close()


class ApiClient:
    """Thin httpx wrapper; every call returns an Exchange and never raises on HTTP status.
    Its exchanges carry the ``answers`` of the API it speaks (how they are checked); it adds to
    ``counters`` and hands every exchange to its ``listeners`` in order."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str],
        timeout: float,
        answers: "Answers | None" = None,
        counters: Counters | None = None,
        state: Any = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = headers
        self.timeout = timeout
        self.answers = answers
        self.counters = counters if counters is not None else Counters()
        self.state = state  # the profile's per-run data (its hooks' URL, its users' sessions)
        self.listeners: list[Listener] = []
        self.created = CreatedObjects()
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=timeout,
            follow_redirects=False,
            cookies=cookie_jar_that_keeps_nothing(),
            verify=tls_context(),
            # few idle connections: httpcore looks at every pooled one on every request, and
            # the tests that race requests would leave dozens
            limits=httpx.Limits(max_keepalive_connections=KEPT_ALIVE),
        )

    def listen(self, listeners: Iterable[Listener]) -> None:
        """Add listeners, heard after the ones the client has, in the order given."""
        self.listeners.extend(listeners)

    def close(self) -> None:
        self._http.close()
        for listener in self.listeners:
            close = getattr(listener, "close", None)
            if close is not None:
                close()

    def outgoing(self, path: str, options: dict) -> tuple[str, dict]:
        """What is sent for a request: as given (an oracle's client speaks its own terms)."""
        return path, options

    def request(self, method: str, path: str, json_body: Any = NO_BODY, **kwargs: Any) -> Exchange:
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        if json_body is not NO_BODY:
            kwargs["content"] = json.dumps(json_body).encode()
            kwargs["headers"] = {"content-type": "application/json", **kwargs.get("headers", {})}
        sent_path, sent = self.outgoing(path, kwargs)
        response = self._send(method, sent_path, sent)
        exchange = Exchange(
            method=method,
            url=str(response.request.url),
            request_json=json_body,
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            text=response.text,
            response=response,
            request_content=sent_content(response.request, sent),
            request_headers=sent_headers(response.request, sent),
            request_form=form_as_shown(sent.get("data"), sent.get("files")),
            answers=self.answers,
        )
        for listener in self.listeners:
            listener.heard(path, exchange)
        return exchange

    def _send(self, method: str, path: str, kwargs: dict) -> httpx.Response:
        return retried(lambda: self._send_once(method, path, kwargs), self._count_retry)

    def _count_retry(self) -> None:
        self.counters.retried += 1

    def _send_once(self, method: str, path: str, kwargs: dict) -> httpx.Response:
        started = time.perf_counter()
        try:
            return self._send_or_resend(method, path, kwargs)
        finally:
            self.counters.requests += 1
            self.counters.seconds_waiting += time.perf_counter() - started

    def _send_or_resend(self, method: str, path: str, kwargs: dict) -> httpx.Response:
        try:
            return self._http.request(method, path, **kwargs)
        except (httpx.RemoteProtocolError, httpx.ReadError):
            # Servers that drop a kept-alive connection after an error (the real Prefect server
            # does after any 500 or 503) leave a dead socket in the pool; the request never
            # reached them, so sending it once more on a fresh connection is safe.
            pass
        except httpx.TransportError as error:
            raise TargetUnreachable(f"{method} {self.base_url}{path}: {error!r}") from error
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise TargetUnreachable(f"{method} {self.base_url}{path}: {error!r}") from error

    def get(self, path: str, **kwargs: Any) -> Exchange:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json_body: Any = NO_BODY, **kwargs: Any) -> Exchange:
        return self.request("POST", path, json_body, **kwargs)

    def patch(self, path: str, json_body: Any = NO_BODY, **kwargs: Any) -> Exchange:
        return self.request("PATCH", path, json_body, **kwargs)

    def put(self, path: str, json_body: Any = NO_BODY, **kwargs: Any) -> Exchange:
        return self.request("PUT", path, json_body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Exchange:
        return self.request("DELETE", path, **kwargs)

    def forget(self, kind: str, object_id: str) -> None:
        """An object the test deleted itself: clean-up need not delete it."""
        self.created.forget(kind, object_id)


def sent_content(request: httpx.Request, options: dict) -> bytes:
    """The body as sent: given as content, or built by httpx (a multipart form)."""
    content = options.get("content")
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode()
    if options.get("files") is not None or options.get("data") is not None:
        try:
            return request.content
        except httpx.RequestNotRead:  # a multipart stream: httpx can iterate it again
            return b"".join(request.stream)
    return b""


def sent_headers(request: httpx.Request, options: dict) -> dict[str, str]:
    """The headers set for this request only, and the content type httpx chose for a form
    (with its multipart boundary)."""
    headers = dict(options.get("headers") or {})
    if options.get("files") is not None or options.get("data") is not None:
        headers.setdefault("content-type", request.headers.get("content-type", ""))
    return headers


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    secret = re.compile(r"authorization|token|key|cookie", re.IGNORECASE)
    return {k: ("<redacted>" if secret.search(k) else v) for k, v in headers.items()}
