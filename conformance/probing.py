"""The start-up check: before any test, the run reads one answer of each kind it needs (the
probe path, and the reads that need the run's credentials), and a target (or oracle) it cannot
use ends the run with one paragraph and exit code 4: unreachable, refusing the credentials
(naming the options that give them and the headers sent, never their values), or answering
something that is not JSON where the API answers JSON (a web page, a single-page app's
catch-all route).

``Probe`` is the part of a ``Profile`` this module reads: where to ask, what a live answer looks
like, and which reads need credentials. The embedded reference server is waited for with the
same probe.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from .client import tls_context
from .options import PROBE_TIMEOUT_CAP, Settings
from .redaction import SCHEMES, without_url_passwords  # SCHEMES: what an empty secret leaves

EXIT_TARGET_UNUSABLE = 4


def answers_200(response: httpx.Response) -> bool:
    return response.status_code == 200


def refused_by_status(response: httpx.Response) -> str | None:
    """401 or 403: the credentials were refused (or none were sent)."""
    if response.status_code in (401, 403):
        return f"answered {response.status_code}"
    return None


@dataclass(frozen=True)
class Read:
    """One read the run cannot do without its credentials (a list, a filter, a log-in): sent
    at start with the run's headers. ``refused(answer)`` says how the answer refuses the
    credentials (None: it does not); ``label`` adds who asks to the paragraph ("as
    conformance-a"). Any other answer is left to the tests, but a 2xx answer must be JSON."""

    method: str
    path: str
    body: Any = None  # JSON, None for no body
    label: str = ""
    refused: Callable[[httpx.Response], str | None] = refused_by_status


def no_reads(settings: Settings) -> tuple[Read, ...]:
    return ()


@dataclass(frozen=True)
class Probe:
    """How a server of the profile is seen to be alive and usable, read when the run opens its
    target (and its oracle) and while the embedded server starts: ``path`` below the base URL,
    ``alive(answer)``, ``expectation``, how a message names a live answer, ``json``, whether a
    live answer is JSON, and ``reads(settings)``, the reads that need the run's credentials
    (a level-1 list or filter of the API; a log-in with the run's test users)."""

    path: str = "/health"
    alive: Callable[[httpx.Response], bool] = answers_200
    expectation: str = "200"
    json: bool = True
    reads: Callable[[Settings], tuple[Read, ...]] = no_reads


@dataclass(frozen=True)
class Unusable:
    """Why the run cannot use a server: ``what`` was tried and answered; ``refused``: it
    refused the credentials (the paragraph then says how to give them)."""

    what: str
    refused: bool = False


@dataclass(frozen=True)
class SentCredentials:
    """How a paragraph about refused credentials names them: the option of headers
    (``--target-header``, or ``--blocks-oracle-header``), the headers sent, the profile's own
    credential options and its hint."""

    header_option: str
    headers: Mapping[str, str]
    options: tuple[str, ...] = ()
    hint: str = ""


def exit_unusable(paragraph: str) -> None:
    """End the run before any test with ``paragraph`` (no credentials of a URL in it)."""
    paragraph = without_url_passwords(paragraph)
    pytest.exit(f"blocks-conformance: {paragraph}", returncode=EXIT_TARGET_UNUSABLE)


def unusable(url: str, what: str, profile_name: str, example_url: str, role: str = "target"):
    """End the run before any test: the paragraph says what was tried and how to fix it."""
    option = "--target-url" if role == "target" else "--blocks-oracle-url"
    advice = (
        ", or leave --target-url out to test the bundled reference server"
        if role == "target"
        else ""
    )
    exit_unusable(
        f"the {role} {url} is not usable: {what}. Nothing was tested. "
        f"Check that the server is running and that {option} is the base URL of its "
        f"{profile_name} API (for example {example_url}){advice}."
    )


def refused(url: str, what: str, credentials: SentCredentials, role: str = "target") -> None:
    """End the run before any test: the server refused the run's credentials. The paragraph
    names the options that give them and the headers sent, never a value."""
    options = " or ".join([f"{credentials.header_option} 'NAME: VALUE'", *credentials.options])
    hint = f" ({credentials.hint})" if credentials.hint else ""
    exit_unusable(
        f"the {role} {url} refused the run's credentials: {what}. Nothing was tested. "
        f"Give the credentials it needs with {options}{hint}. "
        f"Headers sent: {header_names(credentials.headers)} (values never shown)."
    )


def header_names(headers: Mapping[str, str]) -> str:
    """The names of the headers sent, each flagged when its value is empty or a scheme with
    nothing after it (a secret that was not set: a pull request from a fork)."""
    if not headers:
        return "none"
    shown = []
    for name, value in headers.items():
        if not value.strip():
            shown.append(f"{name} (empty: a secret that was not set?)")
        elif value.strip().lower() in SCHEMES:
            shown.append(f"{name} (a scheme with nothing after it: a secret that was not set?)")
        else:
            shown.append(name)
    return ", ".join(shown)


def is_json(response: httpx.Response) -> bool:
    """A JSON content type, or a body that is JSON whatever its content type says."""
    if "json" in response.headers.get("content-type", "").lower():
        return True
    try:
        json.loads(response.content or b"")
    except ValueError:
        return False
    return True


def content_type(response: httpx.Response) -> str:
    return response.headers.get("content-type") or "no content type"


def probe(
    url: str, headers: dict[str, str], timeout: float, part: Probe, settings: Settings
) -> Unusable | None:
    """The start-up check: the probe path, then each read that needs credentials; the first
    problem found, or None when the server is usable."""
    base = url.rstrip("/")
    probed = f"{base}{part.path}"
    answer = send("GET", probed, headers, timeout)
    if isinstance(answer, Unusable):
        return answer
    if answer.status_code in (401, 403) and not part.alive(answer):
        return Unusable(
            f"GET {probed} answered {answer.status_code}: it asks for credentials even there",
            refused=True,
        )
    if not part.alive(answer):
        return Unusable(f"GET {probed} answered {answer.status_code} instead of {part.expectation}")
    if part.json and not is_json(answer):
        return not_json("GET", probed, answer)
    for read in part.reads(settings):
        problem = check_read(base, headers, timeout, read, probed, answer)
        if problem is not None:
            return problem
    return None


def check_read(
    base: str,
    headers: dict[str, str],
    timeout: float,
    read: Read,
    probed: str,
    alive: httpx.Response,
) -> Unusable | None:
    """One read that needs credentials: refused (saying that the probe path answered), a 2xx
    answer that is not JSON, or None (any other answer is for the tests to judge)."""
    target = f"{base}{read.path}"
    answer = send(read.method, target, headers, timeout, read.body)
    if isinstance(answer, Unusable):
        return answer
    sent = f"{read.method} {target}{f' {read.label}' if read.label else ''}"
    why = read.refused(answer)
    if why is not None:
        up = f"GET {probed} answered {alive.status_code}: the server is up"
        return Unusable(f"{sent} {why} ({up})", refused=True)
    if 200 <= answer.status_code < 300 and not is_json(answer):
        return not_json(read.method, target, answer)
    return None


def not_json(method: str, url: str, answer: httpx.Response) -> Unusable:
    return Unusable(
        f"{method} {url} answered {answer.status_code} with content type {content_type(answer)}"
        ", not JSON (a web page or a catch-all route, not the API)"
    )


def send(
    method: str, url: str, headers: dict[str, str], timeout: float, body: Any = None
) -> httpx.Response | Unusable:
    started = time.monotonic()
    try:
        return httpx.request(
            method,
            url,
            headers=headers,
            json=body,
            timeout=min(timeout, PROBE_TIMEOUT_CAP),
            verify=tls_context(),
        )
    except httpx.HTTPError as error:
        waited = time.monotonic() - started
        return Unusable(
            f"{method} {url} failed after {waited:.1f} s with {type(error).__name__}: "
            f"{error or 'no detail'}"
        )
