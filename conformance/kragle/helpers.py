"""Users, blocks and checks of the Kragle profile's tests.

Every request says who sends it: ``as_user`` gives the user's session cookie (the client keeps
no cookies), ``None`` sends none. Every block name starts with the run's namespace.
"""

import json
from dataclasses import dataclass
from typing import Any

from ..checks import expect, expect_equal, expect_json, expect_status, fail
from ..client import ApiClient, Exchange
from ..run import Run
from ..steps import expect_step_json, step

BLOCK_KEYS = {
    "id",
    "name",
    "owner",
    "is_remote",
    "is_approved",
    "needs_approval",
    "definition",
    "resolved",
}
MAX_PAGES = 2000
WALK_ATTEMPTS = 5


def expect_keys(body: dict, documented: set[str], what: str, exchange: Exchange) -> None:
    """Every documented key is present. The documents show each answer as an example of its
    "structure" or "format", not as a closed set: a key more is for differential mode."""
    __tracebackhide__ = True
    missing = sorted(documented - set(body))
    expect(not missing, f"{what} must carry {sorted(documented)}", f"left out {missing}", exchange)


# the defaults Actions_for_Block_Types.md documents for the parameters of uri actions
URI_ACTION_DEFAULTS = {"headers": {}, "response_type": "string", "auth_required": False}


def with_documented_defaults(definition: Any) -> Any:
    """A definition with the documented defaults of its uri actions filled in: a server may
    store a definition as sent or with them (both read the same)."""
    if not isinstance(definition, dict) or not isinstance(definition.get("actions"), list):
        return definition
    actions = []
    for action in definition["actions"]:
        params = action.get("action_params") if isinstance(action, dict) else None
        if str(action.get("action", "")).startswith("uri_") and isinstance(params, dict):
            action = {**action, "action_params": {**URI_ACTION_DEFAULTS, **params}}
        actions.append(action)
    return {**definition, "actions": actions}


def expect_same_definition(actual: Any, expected: Any, what: str, exchange) -> None:
    """The same definition, but for the documented defaults of uri actions."""
    __tracebackhide__ = True
    expect_equal(
        with_documented_defaults(actual), with_documented_defaults(expected), what, exchange
    )


def minimal_definition(label: str = "x") -> dict:
    """The documents' minimal valid example, with a Type name of our own."""
    return {
        "io": {"input": f"Type{label}", "output": None},
        "actions": [{"action": "uri_post", "action_params": {"uri": "https://example.com/in"}}],
        "state": {"input": {}, "output": {}},
        "initial_state": {"input": {}, "output": {}},
    }


@dataclass
class User:
    login: str
    password: str
    cookie: str = ""  # the Cookie header that POST /authenticate's answer set
    user_id: Any = None

    @property
    def credentials(self) -> dict:
        key = "email" if "@" in self.login else "username"
        return {key: self.login, "password": self.password}

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie}


def cookie_header(exchange: Exchange) -> str:
    """The cookies an answer sets, as a Cookie header that sends them back."""
    assert exchange.response is not None
    pairs = [
        value.split(";", 1)[0].strip() for value in exchange.response.headers.get_list("set-cookie")
    ]
    return "; ".join(pair for pair in pairs if "=" in pair)


@step("KR-AUTH-cookie")
def authenticate(api: ApiClient, user: User) -> User:
    """The user, logged in (a step of KR-AUTH-cookie)."""
    answer = api.post("/authenticate", user.credentials)
    body = expect_json(
        answer, 200, "authenticated", f"POST /authenticate as {user.login} must answer 200"
    )
    cookie = cookie_header(answer)
    expect(bool(cookie), "POST /authenticate must set a session cookie", "set no cookie", answer)
    return User(user.login, user.password, cookie, body["user_id"])


def headers_of(user: User | None) -> dict[str, str] | None:
    return user.headers if user is not None else None


def expect_error(exchange: Exchange, *codes: int, requirement: str = "") -> dict:
    """HTTP 500 with the error envelope and one of ``codes``."""
    __tracebackhide__ = True
    wanted = " or ".join(str(code) for code in codes)
    requirement = (
        requirement
        or f"{exchange.method} {exchange.path} must answer HTTP 500 with error code {wanted}"
    )
    expect_status(exchange, 500, requirement=requirement)
    body = exchange.json
    if body.get("code") not in codes:
        fail(requirement, f"answered error code {body.get('code')}", exchange)
    return body


def expect_refused(exchange: Exchange, requirement: str) -> None:
    """HTTP 403, or HTTP 500 with the error envelope."""
    __tracebackhide__ = True
    expect_status(exchange, 403, 500, requirement=requirement)


class Blocks:
    """Creates, reads, lists and changes blocks as one of the test users, or as nobody."""

    def __init__(
        self, api: ApiClient, ns: str, first: User, second: User, hook_url: str | None, run: Run
    ):
        self.api = api
        self.ns = ns
        self.run = run
        self.first = first
        self.second = second
        self.hook_url = hook_url

    def name(self, label: str) -> str:
        return f"{self.ns}{label}-{self.run.draws.token_hex(3)}"

    # ---- writes ----------------------------------------------------------------------------

    def post(self, body: Any, as_user: User | None, path: str = "/blocktypes") -> Exchange:
        return self.api.post(path, body, headers=headers_of(as_user))

    def payload(self, label: str, definition: Any = None, **extra: Any) -> dict:
        definition = minimal_definition() if definition is None else definition
        return {"name": self.name(label), "definition": definition, **extra}

    def create(
        self, label: str, definition: Any = None, as_user: User | None = None, **extra
    ) -> dict:
        """A new block (200 and its id; a step of KR-CRT-create); returns the payload with its
        ``id``."""
        __tracebackhide__ = True
        payload = self.payload(label, definition, **extra)
        answer = self.post(payload, as_user or self.first)
        given = definition is not None or bool(extra)
        created = expect_step_json(answer, 200, "created", "KR-CRT-create", given=given)
        return {**payload, "id": created["id"]}

    def serve(self, server, label: str, document: Any) -> str:
        """Serve a JSON document from the suite's definition server; its URL."""
        return server.serve(f"/{self.name(label)}.json", json.dumps(document).encode())

    def put(self, block_id: Any, body: Any, as_user: User | None) -> Exchange:
        return self.api.put(f"/blocktypes/{block_id}", body, headers=headers_of(as_user))

    def approve(self, block_id: Any) -> None:
        """Make a block public through the run's test hook."""
        answer = self.api.post(f"{self.hook_url}/blocktypes/{block_id}/approve")
        expect_status(answer, 204, 200, requirement="the test hook must approve the block")

    # ---- reads -----------------------------------------------------------------------------

    def by_id(self, block_id: Any, as_user: User | None) -> Exchange:
        return self.api.get(f"/blocktypes/byid/{block_id}", headers=headers_of(as_user))

    def by_name(self, name: str, as_user: User | None) -> Exchange:
        return self.api.get(f"/blocktypes/byname/{name}", headers=headers_of(as_user))

    def read(self, block_id: Any, as_user: User | None = None) -> dict:
        return expect_json(self.by_id(block_id, as_user or self.first), 200, "block")

    def page(self, as_user: User | None, **query: Any) -> Exchange:
        return self.api.get("/blocktypes", params=query or None, headers=headers_of(as_user))

    def walk(self, as_user: User | None, by_count: bool = True, **query: Any) -> "Walk":
        """Every page, from 1 to the last (the last by ``count``, or else the first page
        shorter than pagesize); walked again while the count changes under it (other tests
        of the run, or other users, may create blocks meanwhile)."""
        for _ in range(WALK_ATTEMPTS):
            walk = self._walk_once(as_user, by_count, query)
            if len({page.json["count"] for page in walk.pages}) == 1:
                return walk
        return walk

    def _walk_once(self, as_user: User | None, by_count: bool, query: dict) -> "Walk":
        pages = []
        for number in range(1, MAX_PAGES + 1):
            answer = self.page(as_user, **query, page=number)
            body = expect_json(answer, 200, "block_list")
            pages.append(answer)
            short = len(body["blocktypes"]) < body["pagesize"]
            if short or (by_count and body["pagesize"] * number >= body["count"]):
                return Walk(pages)
        fail(f"paging must end within {MAX_PAGES} pages", "did not", pages[-1])
        raise AssertionError("unreachable")


@dataclass
class Walk:
    pages: list[Exchange]

    @property
    def items(self) -> list[dict]:
        return [item for page in self.pages for item in page.json["blocktypes"]]

    def ids(self) -> list[Any]:
        return [item["id"] for item in self.items]

    def find(self, block_id: Any) -> tuple[dict | None, Exchange | None]:
        for page in self.pages:
            for item in page.json["blocktypes"]:
                if item["id"] == block_id:
                    return item, page
        return None, None

    def last(self) -> Exchange:
        return self.pages[-1]


def compact_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())
