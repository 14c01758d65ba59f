"""Fixtures of the Prefect profile: short local names for the plugin's fixtures, and builders."""

import pytest

from ..client import ApiClient
from ..target import Target
from .helpers import Blocks


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
def blocks(api: ApiClient, ns: str) -> Blocks:
    """Builders for namespaced block types, schemas and documents."""
    return Blocks(api, ns)
