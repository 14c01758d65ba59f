"""Fixtures of the Kragle profile: the two test users (authenticated once a run), the test hook,
the suite's server of remote definitions, and the ``blocks`` builder."""

from collections.abc import Iterator

import pytest

from ..client import ApiClient
from ..plugin import ACTIVE_PROFILE
from ..target import Target
from .helpers import Blocks, User, authenticate
from .profile import BASE_PATH, HOOKS_PATH, SETTINGS
from .remote import DefinitionServer

EMBEDDED_HOOK = "embedded"  # --blocks-kragle-hook-url's value for the embedded server's hook


def pytest_configure(config: pytest.Config) -> None:
    """Without --target-url the embedded reference server is the target, and its test hook
    is the default: the clauses that need one run (their ``needs`` marker sees the option)."""
    profile = config.stash.get(ACTIVE_PROFILE, None)
    if profile is None or profile.name != "kragle":
        return
    if config.getoption("target_url") is None and not config.getoption("blocks_kragle_hook_url"):
        config.option.blocks_kragle_hook_url = EMBEDDED_HOOK


def hook_url(config: pytest.Config, target: Target) -> str | None:
    given = config.getoption("blocks_kragle_hook_url")
    if given == EMBEDDED_HOOK:
        if target.embedded is None:
            return None
        return target.url.removesuffix(BASE_PATH) + HOOKS_PATH
    return given.rstrip("/") if given else None


@pytest.fixture(scope="session")
def target(conformance_target: Target) -> Target:
    return conformance_target


@pytest.fixture
def api(conformance_api: ApiClient) -> ApiClient:
    return conformance_api


@pytest.fixture(scope="session")
def ns(conformance_namespace: str) -> str:
    return conformance_namespace


@pytest.fixture(scope="session")
def users(pytestconfig: pytest.Config, target: Target) -> tuple[User, User]:
    """The two test users, authenticated; their cookies and the hook go to clean-up."""
    option = pytestconfig.getoption
    first = User(option("blocks_kragle_user"), option("blocks_kragle_password"))
    second = User(option("blocks_kragle_second_user"), option("blocks_kragle_second_password"))
    first, second = authenticate(target.client, first), authenticate(target.client, second)
    SETTINGS.hook_url = hook_url(pytestconfig, target)
    SETTINGS.cookies = [first.cookie, second.cookie]
    if first.user_id == second.user_id:
        pytest.fail("--blocks-kragle-user and --blocks-kragle-second-user must be two users")
    return first, second


@pytest.fixture
def blocks(api: ApiClient, ns: str, users: tuple[User, User]) -> Blocks:
    return Blocks(api, ns, *users, SETTINGS.hook_url)


@pytest.fixture(scope="session")
def definition_server(pytestconfig: pytest.Config) -> Iterator[DefinitionServer]:
    server = DefinitionServer(pytestconfig.getoption("blocks_kragle_serve_host"))
    yield server
    server.close()
