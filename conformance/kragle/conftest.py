"""Fixtures of the Kragle profile: the two test users (authenticated once a run), the test hook,
the suite's server of remote definitions, and the ``blocks`` builder."""

from collections.abc import Iterator

import pytest

from ..client import ApiClient
from ..run import Run
from ..target import Target
from .helpers import Blocks, User, authenticate
from .profile import BASE_PATH, EMBEDDED_HOOK, HOOK_OPTION, HOOKS_PATH
from .remote import DefinitionServer


def hook_url(run: Run, target: Target) -> str | None:
    given = run.settings.value(HOOK_OPTION)
    if given == EMBEDDED_HOOK:
        if target.embedded is None:
            return None
        return target.url.removesuffix(BASE_PATH) + HOOKS_PATH
    return given.rstrip("/") if given else None


@pytest.fixture(scope="session")
def users(conformance_run: Run, target: Target) -> tuple[User, User]:
    """The two test users, authenticated; their cookies and the hook go to the run's state
    (clean-up needs them)."""
    option = conformance_run.settings.value
    first = User(option("blocks_kragle_user"), option("blocks_kragle_password"))
    second = User(option("blocks_kragle_second_user"), option("blocks_kragle_second_password"))
    first, second = authenticate(target.client, first), authenticate(target.client, second)
    conformance_run.state.hook_url = hook_url(conformance_run, target)
    conformance_run.state.cookies = [first.cookie, second.cookie]
    conformance_run.state.user_ids = [first.user_id, second.user_id]
    if first.user_id == second.user_id:
        pytest.fail("--blocks-kragle-user and --blocks-kragle-second-user must be two users")
    return first, second


@pytest.fixture
def blocks(run: Run, api: ApiClient, ns: str, users: tuple[User, User]) -> Blocks:
    return Blocks(api, ns, *users, run.state.hook_url, run)


@pytest.fixture(scope="session")
def definition_server(conformance_run: Run) -> Iterator[DefinitionServer]:
    server = DefinitionServer(conformance_run.settings.value("blocks_kragle_serve_host"))
    yield server
    server.close()
