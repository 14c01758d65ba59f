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
