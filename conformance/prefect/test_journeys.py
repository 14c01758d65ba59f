"""Level 5, clients: the real Prefect client and CLI, run by each interpreter named with
--blocks-prefect-python, drive the target through scripted journeys (``journeys/``); each
step's result must be what that client release gives against its own real Prefect server.
Each journey runs once per client, named with its release (``[3.9.1]``). Everything a journey
creates is in the run's namespace, so the run's clean-up sweep deletes it."""

import hashlib
from pathlib import Path

import pytest

from ..run import Run
from ..target import Target
from .client_journeys import (
    JourneyRun,
    expect_finished,
    expect_same_as_real_server,
    run_journey,
)

pytestmark = pytest.mark.needs(
    "blocks_prefect_python", "a Python with prefect installed (--blocks-prefect-python)"
)


class Journeys:
    """Runs journeys against the target with the given interpreter (a client of the release
    ``version``) and checks their results."""

    def __init__(
        self, python: str, version: str, target: Target, headers: dict[str, str], workdir: Path
    ):
        self.python = python
        self.version = version
        self.target = target
        self.headers = headers
        self.workdir = workdir

    @property
    def namespace(self) -> str:
        """A namespace of the client's own, as long as the run's (the CLI's tables are as wide
        as the names in them), derived from it, and sorting before the run's: `prefect block
        type ls` shows the first page of the types by name, which the run's own types (deleted
        only at its end) would otherwise push the journey's off. The run's clean-up sweeps it."""
        digest = hashlib.sha256(f"{self.target.namespace}{self.version}".encode()).hexdigest()
        namespace = f"conf-0000{digest[:4]}-"
        if namespace not in self.target.other_namespaces:
            self.target.other_namespaces.append(namespace)
        return namespace

    def check(self, name: str) -> JourneyRun:
        __tracebackhide__ = True
        target = self.target
        run = run_journey(self.python, name, target.url, self.headers, self.namespace, self.workdir)
        expect_finished(run, self.python)
        expect_same_as_real_server(run, self.namespace, target.url, self.version)
        return run


@pytest.fixture(scope="session")
def journeys(conformance_run: Run, target: Target, journey_client, tmp_path_factory) -> Journeys:
    """The journeys of one client (``journey_client``: its Python and its release, one test of
    each journey per client: see conftest.py)."""
    python, version = journey_client
    workdir = tmp_path_factory.mktemp(f"journeys-{version}")
    return Journeys(python, version, target, conformance_run.settings.headers, workdir)


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
