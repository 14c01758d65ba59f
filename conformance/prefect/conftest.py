"""Fixtures of the Prefect profile: the standard short names, the ``blocks`` builder, and one
test of each journey per client release."""

import pytest

from ..client import ApiClient
from ..journeys import parametrize_clients
from ..plugin import active_run
from ..run import Run
from .client_journeys import PREFECT
from .helpers import Blocks


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test of each journey per client release (``test_...[3.9.1]``)."""
    run = active_run(metafunc.config)
    pythons = list(run.settings.value(PREFECT.dest) or []) if run else []
    parametrize_clients(metafunc, PREFECT, pythons)


@pytest.fixture
def blocks(run: Run, api: ApiClient, ns: str) -> Blocks:
    """Builders for namespaced block types, schemas and documents."""
    return Blocks(api, ns, run)
