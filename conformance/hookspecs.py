"""The plugin's own hook: how a pytest plugin adds a profile to the ones a run can choose."""

import pytest


@pytest.hookspec
def pytest_blocks_conformance_profiles() -> list:
    """Return the profiles (``conformance.profiles.Profile``) this plugin provides, e.g. one
    kept outside this project and loaded with ``-p``."""
