"""The Kragle profile's ASGI app: the block types API under ``/kragle/api/v1`` and, beside it
under ``/kragle/_hooks``, the out-of-band test hooks (approve a block, delete a block) that the
Kragle API itself does not have.

Requests: POST and PUT take a JSON object, or ``{"auth": {...}, "payload": {...}}`` (inline
authentication); the session cookie ``auth_tkt`` comes from ``POST /authenticate``. Errors are
HTTP 500 with ``{"code", "msg"}``; 403 for an object the caller may not see or change.
"""

import json
import re
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..store import row_number
from . import errors
from .definitions import validate_definition
from .errors import Forbidden, KragleError
from .remote import fetch_definition
from .store import PAGE_SIZE, Conflict, NotFound, Store

BASE_PATH = "/kragle/api/v1"
HOOKS_PATH = "/kragle/_hooks"
MOUNT_PATH = "/kragle"
DESCRIPTION = (
    f"kragle: {BASE_PATH}, with test users conformance-a and conformance-b and test hooks under "
    f"{HOOKS_PATH}"
)
COOKIE = "auth_tkt"
CREATE_KEYS = {"name", "definition", "is_remote", "needs_approval"}
# Names end up in /blocktypes/byname/<name>: no path or query characters, no control characters.
NAME = re.compile(r"^[^/?#%\x00-\x1f\x7f]{1,255}$")
QUERY_BOOLEANS = {"0": False, "1": True}
PAGE = re.compile(r"[0-9]{1,9}")


def store_of(request: Request) -> Store:
    return request.app.state.store


# ---- requests ------------------------------------------------------------------------------


async def json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except ValueError:
        raise KragleError(errors.BAD_JSON) from None


def login(store: Store, credentials: Any) -> int:
    """The user the credentials name (the username wins over the email); error 3 otherwise."""
    if not isinstance(credentials, dict) or not isinstance(credentials.get("password"), str):
        raise KragleError(errors.BAD_LOGIN)
    by = "username" if "username" in credentials else "email"
    who = credentials.get(by)
    user = store.check_password(who, by, credentials["password"]) if isinstance(who, str) else None
    if user is None:
        raise KragleError(errors.BAD_LOGIN)
    return user


def cookie_user(request: Request) -> int | None:
    token = request.cookies.get(COOKIE)
    return store_of(request).session_user(token) if token else None


async def caller_and_payload(request: Request) -> tuple[int | None, Any]:
    """The authenticated user (cookie or inline ``auth``) and the real request body."""
    body = await json_body(request)
    if isinstance(body, dict) and set(body) == {"auth", "payload"}:
        return login(store_of(request), body["auth"]), body["payload"]
    return cookie_user(request), body


def required_user(user: int | None) -> int:
    if user is None:
        raise Forbidden("this endpoint requires authentication")
    return user


def known_query(request: Request, *names: str) -> None:
    unknown = set(request.query_params) - set(names)
    if unknown:
        raise KragleError(errors.BAD_QUERY, f"unknown query parameters {sorted(unknown)}")


def query_flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "0")
    if raw not in QUERY_BOOLEANS:
        raise KragleError(errors.BAD_QUERY, f"{name} must be 0 or 1")
    return QUERY_BOOLEANS[raw]


def query_page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not PAGE.fullmatch(raw) or int(raw) < 1:
        raise KragleError(errors.BAD_QUERY, "page must be an integer from 1")
    return int(raw)


# ---- block payloads ------------------------------------------------------------------------


def check_keys(payload: Any, required: set[str]) -> dict:
    if not isinstance(payload, dict):
        raise KragleError(errors.BAD_PAYLOAD, "the payload must be a JSON object")
    unknown = set(payload) - CREATE_KEYS
    if unknown:
        raise KragleError(errors.BAD_PAYLOAD, f"unknown keys {sorted(unknown)}")
    missing = required - set(payload)
    if missing:
        raise KragleError(errors.BAD_PAYLOAD, f"missing {sorted(missing)}")
    for flag in ("is_remote", "needs_approval"):
        if flag in payload and not isinstance(payload[flag], bool):
            raise KragleError(errors.BAD_PAYLOAD, f"{flag} must be true or false")
    if "name" in payload:
        if not isinstance(payload["name"], str):
            raise KragleError(errors.BAD_PAYLOAD, "name must be a string")
        if not NAME.match(payload["name"]) or not payload["name"].strip():
            raise KragleError(errors.BAD_NAME, "bad name")
    return payload


async def resolve(definition: Any, is_remote: bool) -> Any:
    """The definition as a JSON object (fetched when remote), validated."""
    if is_remote != isinstance(definition, str):
        detail = "a uri definition needs is_remote true, and is_remote true needs a uri"
        raise KragleError(errors.BAD_PAYLOAD, detail)
    resolved = await fetch_definition(definition) if is_remote else definition
    validate_definition(resolved)
    return resolved


async def checked_new_block(store: Store, payload: Any) -> dict:
    """A create (or validate) payload, checked as create checks it, with its resolved form."""
    payload = check_keys(payload, {"name", "definition"})
    block = {"is_remote": False, "needs_approval": False, **payload}
    block["resolved"] = await resolve(block["definition"], block["is_remote"])
    if name_taken(store, block["name"]):
        raise KragleError(errors.BAD_NAME, "the name is taken")
    return block


def name_taken(store: Store, name: str, other_than: int | None = None) -> bool:
    try:
        return store.by_name(name)["id"] != other_than
    except NotFound:
        return False


# ---- answers -------------------------------------------------------------------------------


def shown(block: dict, with_approval: bool = True, with_resolved: bool = True) -> dict:
    keys = ["id", "owner", "name", "definition", "is_remote", "needs_approval"]
    keys += ["is_approved"] * with_approval + ["resolved"] * with_resolved
    return {key: block[key] for key in keys}


def visible(block: dict, user: int | None) -> bool:
    return block["is_approved"] or block["owner"] == user


def readable(store: Store, lookup, key: Any, user: int | None) -> dict:
    try:
        block = lookup(key)
    except NotFound:
        raise KragleError(errors.NO_SUCH_OBJECT) from None
    if not visible(block, user):
        raise Forbidden("this Block is private")
    return block


def block_id(raw: str) -> int:
    key = row_number(raw)
    if key is None:
        raise KragleError(errors.NO_SUCH_OBJECT)
    return key


# ---- endpoints -----------------------------------------------------------------------------


async def authenticate(request: Request) -> Response:
    store = store_of(request)
    user = login(store, await json_body(request))
    answer = JSONResponse({"code": 0, "user_id": user})
    answer.set_cookie(COOKIE, store.open_session(user), httponly=True, samesite="lax")
    return answer


async def list_blocks(request: Request) -> Response:
    store, user = store_of(request), cookie_user(request)
    known_query(request, "page", "filter_user_types", "show_resolved")
    page = query_page(request)
    public_only = query_flag(request, "filter_user_types")
    with_resolved = query_flag(request, "show_resolved")
    count, blocks = store.page(user, public_only, page)
    items = [shown(block, not public_only, with_resolved) for block in blocks]
    return JSONResponse({"count": count, "pagesize": PAGE_SIZE, "page": page, "blocktypes": items})


async def read_by_id(request: Request) -> Response:
    store = store_of(request)
    known_query(request)
    key = block_id(request.path_params["block_id"])
    return JSONResponse(shown(readable(store, store.by_id, key, cookie_user(request))))


async def read_by_name(request: Request) -> Response:
    store = store_of(request)
    known_query(request)
    name = request.path_params["name"]
    return JSONResponse(shown(readable(store, store.by_name, name, cookie_user(request))))


async def create(request: Request) -> Response:
    store = store_of(request)
    user, payload = await caller_and_payload(request)
    owner = required_user(user)
    block = await checked_new_block(store, payload)
    try:
        new_id = store.create(owner, block)
    except Conflict:
        raise KragleError(errors.BAD_NAME, "the name is taken") from None
    return JSONResponse({"id": new_id})


async def validate(request: Request) -> Response:
    user, payload = await caller_and_payload(request)
    required_user(user)
    await checked_new_block(store_of(request), payload)
    return JSONResponse({"validated": True})


async def update(request: Request) -> Response:
    store = store_of(request)
    user, payload = await caller_and_payload(request)
    key = block_id(request.path_params["block_id"])
    block = readable(store, store.by_id, key, required_user(user))
    if block["owner"] != user:
        raise Forbidden("only the owner may change a Block")
    changes = dict(check_keys(payload, set()))
    if block["is_approved"] and {"definition", "is_remote"} & set(changes):
        raise KragleError(errors.APPROVED_READ_ONLY)
    if {"definition", "is_remote"} & set(changes):
        merged = {**block, **changes}
        changes["resolved"] = await resolve(merged["definition"], merged["is_remote"])
    if "name" in changes and name_taken(store, changes["name"], other_than=key):
        raise KragleError(errors.BAD_NAME, "the name is taken")
    try:
        store.update(key, changes)
    except Conflict:
        raise KragleError(errors.BAD_NAME, "the name is taken") from None
    return JSONResponse(shown(store.by_id(key)))


async def hook_approve(request: Request) -> Response:
    """Test hook: make a block public, as Kragle's staff would after review."""
    found = store_of(request).approve(block_id(request.path_params["block_id"]))
    return Response(status_code=204 if found else 404)


async def hook_delete(request: Request) -> Response:
    """Test hook: delete a block (the Kragle API has no DELETE); 204, or 404 when gone."""
    found = store_of(request).delete(block_id(request.path_params["block_id"]))
    return Response(status_code=204 if found else 404)


async def kragle_error(request: Request, error: KragleError) -> Response:
    if request.url.path.startswith(HOOKS_PATH):
        return Response(status_code=404)
    return error.response()


async def forbidden(request: Request, error: Forbidden) -> Response:
    return error.response()


async def unknown_path(request: Request, error: Exception) -> Response:
    return errors.KragleError(errors.NO_SUCH_OBJECT, "no such endpoint").response()


def routes() -> list[Route]:
    api, hooks = BASE_PATH, HOOKS_PATH
    return [
        Route(f"{api}/authenticate", authenticate, methods=["POST"]),
        Route(f"{api}/login", authenticate, methods=["POST"]),
        Route(f"{api}/blocktypes", list_blocks, methods=["GET"]),
        Route(f"{api}/blocktypes", create, methods=["POST"]),
        Route(f"{api}/validate/blocktypes", validate, methods=["POST"]),
        Route(f"{api}/blocktypes/byid/{{block_id}}", read_by_id, methods=["GET"]),
        Route(f"{api}/blocktypes/byname/{{name:path}}", read_by_name, methods=["GET"]),
        Route(f"{api}/blocktypes/{{block_id}}", update, methods=["PUT"]),
        Route(f"{hooks}/blocktypes/{{block_id}}/approve", hook_approve, methods=["POST"]),
        Route(f"{hooks}/blocktypes/{{block_id}}", hook_delete, methods=["DELETE"]),
    ]


def create_app(db_path: str) -> Starlette:
    """The Kragle API and its test hooks on the Kragle tables of ``db_path``."""
    store = Store(db_path)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        store.seed_test_users()
        yield
        store.close()

    app = Starlette(
        routes=routes(),
        lifespan=lifespan,
        exception_handlers={
            KragleError: kragle_error,
            Forbidden: forbidden,
            404: unknown_path,
            405: unknown_path,
        },
    )
    app.state.store = store
    return app
