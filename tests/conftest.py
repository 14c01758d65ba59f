"""Fixtures of the project's own tests (their helpers are in ``tests/support``): servers to point
the suite at, broken variants started by name, headless Chromium, and the two full runs several
tests read."""

import os
import shutil
from pathlib import Path

import pytest

from conformance.browser import CHROMIUM, launched_browser

from .support.environment import missing, required_in_ci
from .support.full_runs import real_full_run, reference_full_run
from .support.servers import ServerProcess, variant_server

# pytest compiles its plugins' modules (schemathesis, hypothesis) to rewrite their asserts; with
# PYTHONDONTWRITEBYTECODE set it cannot cache them, and every suite run pays seconds for it.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep each ``xdist_group`` on one worker under ``--dist loadgroup``. pytest-xdist names a
    test's group in its node id (``...@group``) by setting an attribute that pytest 9.2 no
    longer reads (its node ids are structured now), so without this a group's tests spread
    over the workers and the session fixtures they share (the full runs, the report pages'
    runs) are made once on every worker. Does nothing once pytest-xdist sets the id itself."""
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # an older pytest: pytest-xdist's own renaming works
        return
    for item in items:
        marks = item.iter_markers("xdist_group")
        groups = sorted(
            {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in marks}
        )
        if groups and "@" not in item.nodeid and hasattr(item, "_id"):
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")


@pytest.fixture
def reference_server(tmp_path):
    server = ServerProcess(None, tmp_path)
    yield server
    server.kill()  # nothing reads its database afterwards: no need to wait for a clean stop


@pytest.fixture
def start_variant(tmp_path):
    """Starts broken variants (``tests/variants``) by name; stops them after the test."""
    started = []

    def start(name: str) -> ServerProcess:
        server = variant_server(name, tmp_path)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's ``chromium``) driven by Playwright for Python, one per
    worker; nothing downloads a browser."""
    executable = shutil.which("chromium") or CHROMIUM
    if not Path(executable).is_file():
        missing(f"Debian's chromium is not installed ({CHROMIUM}; apt-get install chromium)")
    try:
        import playwright  # noqa: F401 (the browser is launched with it)
    except ImportError:
        missing('Playwright for Python is not installed (pip install -e ".[dev]")')
    with launched_browser(executable) as launched:
        yield launched


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory):
    """The full run against a reference server with other users' objects
    (tests/support/full_runs.py)."""
    return reference_full_run(tmp_path_factory.mktemp("reference-full-run"))


@pytest.fixture(scope="session")
def real_run(tmp_path_factory):
    """The full run against the real Prefect server (BLOCKS_REAL_TARGET_URL; CI sets it)."""
    url = required_in_ci("BLOCKS_REAL_TARGET_URL", "the real Prefect server")
    return real_full_run(url, tmp_path_factory.mktemp("real-full-run"))
