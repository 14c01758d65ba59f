"""Level 5, clients: the real Prefect client and CLI, run by each interpreter named with
--blocks-prefect-python, drive the target through scripted journeys (``journeys/``); each
step's result must be what that client release gives against its own real Prefect server.
Each journey runs once per client, named with its release (``[3.9.1]``). Everything a journey
creates is in the run's namespace, so the run's clean-up sweep deletes it."""

import pytest

from ..journeys import Journeys
from ..real_clients import Destination
from ..run import Run
from ..target import Target
from .client_journeys import PREFECT

pytestmark = PREFECT.needs


@pytest.fixture(scope="session")
def journeys(conformance_run: Run, target: Target, journey_client, tmp_path_factory) -> Journeys:
    """The journeys of one client (``journey_client``: its Python and its release, one test of
    each journey per client: see conftest.py)."""
    python, version = journey_client
    workdir = tmp_path_factory.mktemp(f"journeys-{version}")
    destination = Destination(target.url, conformance_run.settings.headers, "")
    return Journeys(PREFECT, python, version, target, destination, workdir)


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
