"""The Kragle profile: the Kragle.io block types API, its clean-up and its errors.

Kragle has no DELETE: the run's blocks are deleted through the out-of-band test hook when the
run has one (``--blocks-kragle-hook-url``) and otherwise reported as left behind. The sweep
lists what each test user sees. Both need the run's own Kragle state (hook URL, the users'
session cookies), which the profile's ``users`` fixture puts in ``Run.state`` once it has them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ..answers import Answers
from ..clauses import Catalogue
from ..cleanup import CleanUp, Resource
from ..client import ApiClient, Exchange, LeftBehind
from ..differential import Answer, DifferentialRules, Invented
from ..embedded import ReferenceServer
from ..namespaces import Swept
from ..options import Credentials, Settings
from ..probing import Probe, Read
from ..profiles import Profile, RunHooks

BASE_PATH = "/kragle/api/v1"
HOOKS_PATH = "/kragle/_hooks"
MAX_SWEEP_PAGES = 2000
EMBEDDED_HOOK = "embedded"  # --blocks-kragle-hook-url's value for the embedded server's hook
HOOK_OPTION = "blocks_kragle_hook_url"


@dataclass
class KragleState:
    """A run's Kragle state: the test hook's URL, and the test users' Cookie headers and ids."""

    hook_url: str | None = None
    cookies: list[str] = field(default_factory=list)
    user_ids: list[str] = field(default_factory=list)


def created_by(client: ApiClient, path: str, exchange: Exchange) -> list[tuple[str, str]]:
    body = exchange.json
    if exchange.method != "POST" or path != "/blocktypes" or exchange.status != 200:
        return []
    if not isinstance(body, dict) or not isinstance(body.get("id"), int | str):
        return []
    return [("blocktype", str(body["id"]))]


def delete_blocktype(client: ApiClient, block_id: str) -> Exchange:
    hook_url = client.state.hook_url
    if hook_url is None:
        raise LeftBehind("Kragle has no DELETE and the run has no --blocks-kragle-hook-url")
    return client.delete(f"{hook_url}/blocktypes/{block_id}")


def sweep(client: ApiClient, prefix: str) -> list[Swept]:
    """The blocks whose name starts with ``prefix`` that the test users see, page by page, and
    own (a public block of another user is not the run's, whatever its name)."""
    found: dict[str, Swept] = {}
    owners = {str(user_id) for user_id in client.state.user_ids}
    for cookie in client.state.cookies:
        for page in range(1, MAX_SWEEP_PAGES + 1):
            answer = client.get("/blocktypes", params={"page": page}, headers={"Cookie": cookie})
            body = answer.json
            items = body.get("blocktypes") if isinstance(body, dict) else None
            if answer.status != 200 or not isinstance(items, list) or not items:
                break
            for item in items:
                name = str(item.get("name", "")) if isinstance(item, dict) else ""
                owner = str(item.get("owner")) if isinstance(item, dict) else ""
                if name.startswith(prefix) and (not owners or owner in owners):
                    found[str(item.get("id"))] = Swept("blocktype", str(item.get("id")), name)
            if len(items) < (body.get("pagesize") or 10):
                break
    return sorted(found.values())


USER_OPTIONS = (
    ("blocks_kragle_user", "blocks_kragle_password"),
    ("blocks_kragle_second_user", "blocks_kragle_second_password"),
)


def prepare_sweep(client: ApiClient, settings: Settings) -> str | None:
    """Outside a run: log the test users in (a sweep lists what each sees and owns) and take
    the hook that deletes blocks (Kragle has no DELETE)."""
    from .helpers import User, cookie_header

    for login_option, password_option in USER_OPTIONS:
        user = User(settings.value(login_option), settings.value(password_option))
        answer = client.post("/authenticate", user.credentials)
        body = answer.json
        cookie = cookie_header(answer) if answer.status == 200 else ""
        if not cookie or not isinstance(body, dict) or body.get("user_id") is None:
            return (
                f"could not log in as {user.login}: POST /authenticate answered "
                f"{answer.status}. The sweep lists what the test users see: give their logins "
                "and passwords with --blocks-kragle-user, --blocks-kragle-password, "
                "--blocks-kragle-second-user and --blocks-kragle-second-password"
            )
        client.state.cookies.append(cookie)
        client.state.user_ids.append(body["user_id"])
    hook = settings.value(HOOK_OPTION)
    client.state.hook_url = hook.rstrip("/") if hook and hook != EMBEDDED_HOOK else None
    return None


# the documents' error code of a failed log-in (Faults.md, code 3: "That user does not exist or
# the specified password is incorrect.")
WRONG_LOGIN = 3
USERS = (
    ("blocks_kragle_user", "blocks_kragle_password"),
    ("blocks_kragle_second_user", "blocks_kragle_second_password"),
)


def login_refused(response: httpx.Response) -> str | None:
    """403, 401, or the documents' error code 3 (HTTP 500)."""
    if response.status_code in (401, 403):
        return f"answered {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return None
    if response.status_code == 500 and isinstance(body, dict) and body.get("code") == WRONG_LOGIN:
        return "answered 500 with error code 3 (no such user, or a wrong password)"
    return None


def logins(settings: Settings) -> tuple[Read, ...]:
    """Each test user's log-in, as the run makes it before its first test."""
    reads = []
    for user, password in USERS:
        login = settings.value(user) or ""
        key = "email" if "@" in login else "username"
        body = {key: login, "password": settings.value(password) or ""}
        reads.append(Read("POST", "/authenticate", body, f"as {login}", login_refused))
    return tuple(reads)


def server_error(status: int) -> bool:
    """Kragle answers every API error with HTTP 500 and its {code, msg} body."""
    return status >= 500


def identity(item: dict) -> str | None:
    """A block by its name (names are unique)."""
    if isinstance(item.get("name"), str) and "definition" in item:
        return f"block {item['name']}"
    return None


def created_identity(method: str, path: str, body: bytes, answer: Answer):
    """A create answered {"id": N}: the block named in the request (inline auth's payload
    included)."""
    created = answer.json if answer.status == 200 else None
    if method != "POST" or path != "/blocktypes" or not isinstance(created, dict):
        return None
    try:
        sent = json.loads(body or b"null")
    except ValueError:
        return None
    if isinstance(sent, dict) and isinstance(sent.get("payload"), dict):
        sent = sent["payload"]
    if not isinstance(sent, dict) or not isinstance(sent.get("name"), str) or "id" not in created:
        return None
    return f"block {sent['name']}", str(created["id"])


def reference_options(url: str) -> list[str]:
    """A started reference server's test hook, beside its API."""
    return [f"--blocks-kragle-hook-url={url.removesuffix(BASE_PATH)}{HOOKS_PATH}"]


# Kragle's servers invent integer ids (of blocks and users) and session tokens: in answers
# under these keys, in requests in the paths of blocks and the session cookie.
INVENTED = Invented(
    in_text=None,
    keys=frozenset({"id", "owner", "user_id"}),
    in_requests=re.compile(r"(?<=/byid/)\d+|(?<=/blocktypes/)\d+(?!\w)|(?<=auth_tkt=)[^;,\s\"]+"),
    cookies=("auth_tkt",),
)


PROFILE = Profile(
    name="kragle",
    catalogue=Catalogue(
        prefix="KR",
        folder=Path(__file__).resolve().parent,
        areas={
            "AUTH": "auth",
            "ERR": "auth",
            "CRT": "create",
            "READ": "read",
            "LIST": "list",
            "DEF": "definitions",
            "REM": "remote",
            "VAL": "validate",
            "UPD": "update",
            "VIS": "visibility",
            "GEN": "generated",
        },
        level_names={
            1: "create and read",
            2: "list and paging",
            3: "validation and update",
            4: "visibility",
        },
    ),
    cleanup=CleanUp(
        resources=(Resource("blocktype", delete_blocktype),),
        created_by=created_by,
        sweep=sweep,
        prepare_sweep=prepare_sweep,
    ),
    server=ReferenceServer(
        base_path=BASE_PATH,
        options={HOOK_OPTION: EMBEDDED_HOOK},
        reference_options=reference_options,
    ),
    probe=Probe(path="/blocktypes", expectation="200 (the public block list)", reads=logins),
    answers=Answers(error_schema="error", is_error=server_error),
    credentials=Credentials(
        options=(
            "--blocks-kragle-user",
            "--blocks-kragle-password",
            "--blocks-kragle-second-user",
            "--blocks-kragle-second-password",
        )
    ),
    differential=DifferentialRules(
        identity=identity, invented=INVENTED, created_identity=created_identity
    ),
    hooks=RunHooks(new_state=KragleState),
)
