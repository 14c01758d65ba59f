"""Level 5, clients: the real Prefect client and CLI, run by the interpreter named with
--blocks-prefect-python, drive the target through scripted journeys (``journeys/``); each
step's result must be what it is against the real Prefect 3.8.8 server. Everything a journey
creates is in the run's namespace, so the run's clean-up sweep deletes it."""

from pathlib import Path

import pytest

from ..run import Run
from ..target import Target
from .client_journeys import (
    JourneyRun,
    expect_finished,
    expect_recorded_client,
    expect_same_as_real_server,
    run_journey,
)

pytestmark = pytest.mark.needs(
    "blocks_prefect_python", "a Python with prefect installed (--blocks-prefect-python)"
)


class Journeys:
    """Runs journeys against the target with the given interpreter and checks their results."""

    def __init__(self, python: str, target: Target, headers: dict[str, str], workdir: Path):
        self.python = python
        self.target = target
        self.headers = headers
        self.workdir = workdir

    def check(self, name: str) -> JourneyRun:
        __tracebackhide__ = True
        target = self.target
        run = run_journey(
            self.python, name, target.url, self.headers, target.namespace, self.workdir
        )
        expect_finished(run, self.python)
        expect_recorded_client(run, self.python)
        expect_same_as_real_server(run, target.namespace, target.url)
        return run


@pytest.fixture(scope="session")
def journeys(conformance_run: Run, target: Target, tmp_path_factory) -> Journeys:
    settings = conformance_run.settings
    python = settings.value("blocks_prefect_python")
    return Journeys(python, target, settings.headers, tmp_path_factory.mktemp("journeys"))


@pytest.mark.clause("PF-JRN-secret")
def test_secret_saves_loads_refuses_a_second_save_and_overwrites(journeys):
    journeys.check("secret")


@pytest.mark.clause("PF-JRN-custom-block")
def test_a_new_block_class_saves_loads_overwrites_and_evolves(journeys):
    journeys.check("custom_block")


@pytest.mark.clause("PF-JRN-nested")
def test_two_levels_of_nesting_load_whole_and_follow_the_inner_block(journeys):
    journeys.check("nested")


@pytest.mark.clause("PF-JRN-delete")
def test_a_deleted_block_no_longer_loads(journeys):
    journeys.check("delete")


@pytest.mark.clause("PF-JRN-cli")
def test_the_block_commands_of_the_cli(journeys):
    journeys.check("cli")
