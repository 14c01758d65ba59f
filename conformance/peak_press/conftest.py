"""Fixtures of the Peak Press profile: the builders, the test hook that puts a deployment in a
status (for the redeploy clauses), and one test of each journey per peak-sdk release."""

from collections.abc import Callable

import pytest

from ..checks import expect_status
from ..client import ApiClient
from ..journeys import parametrize_clients
from ..plugin import active_run
from ..run import Run
from .client_journeys import PEAK
from .helpers import Peak
from .options import HOOK_OPTION, PYTHON_OPTION


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test of each journey per SDK release it applies to (``test_...[1.29.0]``)."""
    run = active_run(metafunc.config)
    pythons = list(run.settings.value(PYTHON_OPTION) or []) if run else []
    parametrize_clients(metafunc, PEAK, pythons)


@pytest.fixture
def peak(run: Run, api: ApiClient, ns: str) -> Peak:
    """Builders for namespaced specs, releases and deployments."""
    return Peak(api, ns, run)


@pytest.fixture
def set_status(run: Run, api: ApiClient) -> Callable[[str, str], None]:
    """Puts a deployment in a status through the test hook (--blocks-peak-press-hook-url; a
    path is taken below the target URL)."""
    hook = run.settings.value(HOOK_OPTION).rstrip("/")

    def put(deployment_id: str, status: str) -> None:
        answer = api.post(f"{hook}/deployments/{deployment_id}/status", {"status": status})
        expect_status(answer, 200, 204, requirement=f"the test hook must set the status {status}")

    return put
