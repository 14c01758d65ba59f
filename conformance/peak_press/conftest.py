"""Fixtures of the Peak Press profile: the builders, and the test hook that puts a deployment in a
status (for the redeploy clauses)."""

from collections.abc import Callable

import pytest

from ..checks import expect_status
from ..client import ApiClient
from .helpers import Peak
from .options import HOOK_OPTION


@pytest.fixture
def peak(api: ApiClient, ns: str) -> Peak:
    """Builders for namespaced specs, releases and deployments."""
    return Peak(api, ns)


@pytest.fixture
def set_status(api: ApiClient) -> Callable[[str, str], None]:
    """Puts a deployment in a status through the test hook (--blocks-peak-press-hook-url; a
    path is taken below the target URL)."""
    hook = api.run.settings.value(HOOK_OPTION).rstrip("/")

    def put(deployment_id: str, status: str) -> None:
        answer = api.post(f"{hook}/deployments/{deployment_id}/status", {"status": status})
        expect_status(answer, 200, 204, requirement=f"the test hook must set the status {status}")

    return put
