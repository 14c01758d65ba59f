"""The short fixture names every profile's tests use (``run``, ``target``, ``api``, ``ns``,
``test_key``), for the plugin's ``conformance_*`` fixtures. The plugin loads this module only
when a session becomes a conformance run: in any other pytest run of the environment it offers
only names no other project is likely to use."""

import pytest

from .client import ApiClient
from .run import Run
from .selection import test_key as key_of
from .target import Target


@pytest.fixture(scope="session")
def run(conformance_run: Run) -> Run:
    """The run: its settings, its random draws, its counters, the profile's state."""
    return conformance_run


@pytest.fixture(scope="session")
def target(conformance_target: Target) -> Target:
    return conformance_target


@pytest.fixture
def api(conformance_api: ApiClient) -> ApiClient:
    return conformance_api


@pytest.fixture(scope="session")
def ns(conformance_namespace: str) -> str:
    return conformance_namespace


@pytest.fixture
def test_key(conformance_run: Run, request: pytest.FixtureRequest) -> str:
    """The test's id whatever the rootdir: the key of its generated tests' example database."""
    return key_of(conformance_run, request.node)
