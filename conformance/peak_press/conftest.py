"""Fixtures of the Peak Press profile: short names for the plugin's fixtures, the builders, and
the test hook that puts a deployment in a status (for the redeploy clauses)."""

from collections.abc import Callable

import pytest

from ..checks import expect_status
from ..client import ApiClient
from ..target import Target
from .helpers import Peak
from .options import EMBEDDED_HOOK, HOOK_OPTION


def pytest_configure(config: pytest.Config) -> None:
    """The embedded reference server has a test hook: use it unless told otherwise."""
    if config.getoption("target_url") is None and not config.getoption(HOOK_OPTION):
        setattr(config.option, HOOK_OPTION, EMBEDDED_HOOK)


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
def peak(api: ApiClient, ns: str) -> Peak:
    """Builders for namespaced specs, releases and deployments."""
    return Peak(api, ns)


@pytest.fixture
def set_status(api: ApiClient, pytestconfig: pytest.Config) -> Callable[[str, str], None]:
    """Puts a deployment in a status through the test hook (--blocks-peak-press-hook-url; a
    path is taken below the target URL)."""
    hook = pytestconfig.getoption(HOOK_OPTION).rstrip("/")

    def put(deployment_id: str, status: str) -> None:
        answer = api.post(f"{hook}/deployments/{deployment_id}/status", {"status": status})
        expect_status(answer, 200, 204, requirement=f"the test hook must set the status {status}")

    return put
