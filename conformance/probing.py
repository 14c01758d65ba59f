"""Probing a server before any test runs: one request that tells whether it answers as a server
of the profile's API, and the one paragraph (exit code 4) that ends a run whose target (or
oracle) is not usable.

``Probe`` is the part of a ``Profile`` this module reads: where to ask, and what a live answer
looks like. The embedded reference server is waited for with the same probe.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from .client import tls_context
from .options import PROBE_TIMEOUT_CAP
from .redaction import without_url_passwords

EXIT_TARGET_UNUSABLE = 4


def answers_200(response: httpx.Response) -> bool:
    return response.status_code == 200


@dataclass(frozen=True)
class Probe:
    """How a server of the profile is seen to be alive, read when the run opens its target
    (and its oracle) and while the embedded server starts: ``path`` below the base URL,
    ``alive(answer)``, and ``expectation``, how a message names a live answer."""

    path: str = "/health"
    alive: Callable[[httpx.Response], bool] = answers_200
    expectation: str = "200"


def unusable(url: str, what: str, profile_name: str, example_url: str, role: str = "target"):
    """End the run before any test: the paragraph says what was tried and how to fix it."""
    option = "--target-url" if role == "target" else "--blocks-oracle-url"
    advice = (
        ", or leave --target-url out to test the bundled reference server"
        if role == "target"
        else ""
    )
    paragraph = (
        f"blocks-conformance: the {role} {url} is not usable: {what}. Nothing was tested. "
        f"Check that the server is running and that {option} is the base URL of its "
        f"{profile_name} API (for example {example_url}){advice}."
    )
    pytest.exit(without_url_passwords(paragraph), returncode=EXIT_TARGET_UNUSABLE)


def probe(
    url: str,
    headers: dict[str, str],
    timeout: float,
    part: Probe,
    unusable_because: Callable[[str], None],
) -> None:
    """One request to the probe path; anything but a live answer ends the run
    (``unusable_because(what)``)."""
    probed = f"{url.rstrip('/')}{part.path}"
    started = time.monotonic()
    try:
        answer = httpx.get(
            probed, headers=headers, timeout=min(timeout, PROBE_TIMEOUT_CAP), verify=tls_context()
        )
    except httpx.HTTPError as error:
        waited = time.monotonic() - started
        unusable_because(
            f"GET {probed} failed after {waited:.1f} s with {type(error).__name__}: "
            f"{error or 'no detail'}"
        )
        return
    if not part.alive(answer):
        unusable_because(
            f"GET {probed} answered {answer.status_code} instead of {part.expectation}"
        )
