"""Level 5, clients: the real peak-sdk, run by each interpreter named with
--blocks-peak-press-python, drives the target through scripted journeys (``journeys/``); what
the SDK returns or raises at each step, as far as the documents promise it, must be what that
release gives against the reference server (PP-JRN-spec, -deployment, -errors, -validate); the
whole answers it hands on unchanged should be (PP-JRN-bodies, SHOULD). Each journey runs once per
SDK release it applies to, named with the release (``[1.29.0]``), in a namespace of the
release's own that the run's clean-up sweeps; each journey deletes what it creates."""

import pytest

from ..journeys import Journeys
from ..real_clients import Destination
from ..run import Run
from ..target import Target, request_headers
from .client_journeys import PEAK, hook_url
from .helpers import NEEDS_HOOK
from .options import HOOK_OPTION

pytestmark = PEAK.needs


@pytest.fixture(scope="session")
def journeys(conformance_run: Run, target: Target, journey_client, tmp_path_factory) -> Journeys:
    """The journeys of one SDK release (``journey_client``: its Python and its release; see
    conftest.py), with the run's token and headers and the test hook."""
    python, version = journey_client
    settings = conformance_run.settings
    destination = Destination(
        target.url,
        request_headers(conformance_run, settings.headers),
        "",
        {"hook": hook_url(target.url, settings.value(HOOK_OPTION))},
    )
    workdir = tmp_path_factory.mktemp(f"peak-journeys-{version}")
    return Journeys(PEAK, python, version, target, destination, workdir)


@pytest.mark.clause("PP-JRN-spec")
def test_a_spec_is_created_listed_updated_released_and_deleted(journeys):
    journeys.check("spec")


@NEEDS_HOOK
@pytest.mark.clause("PP-JRN-deployment")
def test_a_deployment_is_created_revised_redeployed_parametrised_and_deleted(journeys):
    journeys.check("deployment")


@pytest.mark.clause("PP-JRN-errors")
def test_the_sdk_raises_its_exception_classes_for_the_servers_refusals(journeys):
    journeys.check("errors")


@pytest.mark.clause("PP-JRN-validate")
def test_validate_saves_nothing_and_raises_what_a_create_raises(journeys):
    journeys.check("validate")


@pytest.mark.clause("PP-JRN-bodies")
def test_the_answers_the_sdk_hands_on_are_the_reference_servers(conformance_run: Run, journeys):
    """The journeys' runs of this release (the deployment journey's with the test hook only)."""
    hook = conformance_run.settings.value(HOOK_OPTION)
    for name in PEAK.journey_names():
        if journeys.applies(name) and (name != "deployment" or hook):
            journeys.check_bodies(name)
