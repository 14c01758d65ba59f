"""Fixtures of the Prefect profile: the standard short names and the ``blocks`` builder."""

import pytest

from ..client import ApiClient
from .helpers import Blocks


@pytest.fixture
def blocks(api: ApiClient, ns: str) -> Blocks:
    """Builders for namespaced block types, schemas and documents."""
    return Blocks(api, ns)
