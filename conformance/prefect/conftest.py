"""Fixtures of the Prefect profile: the standard short names, the ``blocks`` builder, one test
of each journey per client release, and one test of each UI journey per client release and UI
(whose steps, pictured, go into its report)."""

import pytest

from ..client import ApiClient
from ..journeys import parametrize_clients
from ..plugin import active_run
from ..run import Run
from .client_journeys import PREFECT
from .helpers import Blocks
from .ui_journeys import UI_STEPS, parametrize_ui_clients


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test of each journey per client release (``test_...[3.9.1]``)."""
    run = active_run(metafunc.config)
    pythons = list(run.settings.value(PREFECT.dest) or []) if run else []
    parametrize_clients(metafunc, PREFECT, pythons)
    parametrize_ui_clients(metafunc, run.settings if run else None)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A UI journey's steps (what each checked, its screenshot, the UI's calls) go with the
    report of its call, or of the phase that failed (inner to the session's own wrapper, which
    then keeps secrets out of them)."""
    report = yield
    journey = item.stash.get(UI_STEPS, None)
    if journey is not None and journey.steps and (call.when == "call" or report.failed):
        report.blocks_steps = journey.shown_steps()
    return report


@pytest.fixture
def blocks(run: Run, api: ApiClient, ns: str) -> Blocks:
    """Builders for namespaced block types, schemas and documents."""
    return Blocks(api, ns, run)
