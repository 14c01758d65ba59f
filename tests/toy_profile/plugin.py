"""The toy profile provided by a pytest plugin (``-p tests.toy_profile.plugin``), from outside
the suite's package: the same profile, with its own app as the embedded server (the reference
server has no toy package unless the toy is built in)."""

import sys
from dataclasses import replace
from pathlib import Path

from conformance.profiles import Profile

from .conformance_toy.profile import PROFILE as BUILT_IN_SHAPE


def own_app(port: int, workdir: Path) -> list[str]:
    return [sys.executable, "-m", "tests.toy_profile.reference_server_toy", "--port", str(port)]


PROFILE = replace(BUILT_IN_SHAPE, server=replace(BUILT_IN_SHAPE.server, command=own_app))


def pytest_blocks_conformance_profiles() -> list[Profile]:
    return [PROFILE]
