"""Fixtures of the Prefect profile: the standard short names and the ``blocks`` builder."""

import pytest

from ..client import ApiClient
from ..plugin import active_run
from .client_journeys import client_version
from .helpers import Blocks


def journey_clients(pythons: list[str]) -> list[tuple[str, str]]:
    """Each --blocks-prefect-python with its client release (checked at the run's start:
    ``profile.unusable_clients``)."""
    return [(python, client_version(python)) for python in pythons]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test of each journey per client release (``test_...[3.9.1]``)."""
    if "journey_client" not in metafunc.fixturenames:
        return
    run = active_run(metafunc.config)
    pythons = list(run.settings.value("blocks_prefect_python") or []) if run else []
    clients = journey_clients(pythons)
    ids = [version for _, version in clients] or ["no-client"]
    metafunc.parametrize("journey_client", clients or [None], ids=ids, scope="session")


@pytest.fixture
def blocks(api: ApiClient, ns: str) -> Blocks:
    """Builders for namespaced block types, schemas and documents."""
    return Blocks(api, ns)
