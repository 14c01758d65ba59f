"""What CI provides to our tests (the real servers and clients, Debian's chromium), and what a
test does when something is missing: fail in CI, skip elsewhere."""

import os
from typing import NoReturn

import pytest


def required_in_ci(variable: str, why: str) -> str:
    """An environment variable that CI must set; locally its absence skips the test."""
    value = os.environ.get(variable)
    if not value:
        missing(f"{variable} is not set ({why}); .ci/run sets it")
    return value


def missing(what: str) -> NoReturn:
    """Something a test needs is missing: a failure in CI (CI=true), a skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide it: {what}")
    pytest.skip(what)


CHROMIUM = "/usr/bin/chromium"  # Debian's package; .ci/run installs it when missing
# No first-run work and no background traffic: without these Chromium tries to reach Google.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
