"""The toy profile's tests run in its own runs only (``-p tests.toy_profile.plugin``), not as
part of the project's own tests."""

from conformance.plugin import active_profile


def pytest_ignore_collect(collection_path, config):
    profile = active_profile(config)
    if profile is None or profile.name != "toy":
        return True
    return None
