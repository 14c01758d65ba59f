"""Reading a request: its JSON body, its query bodies (the /filter and /count endpoints) and
the page they ask for, and the API version header every route checks."""

import json
import re
from typing import Any

from starlette.requests import Request

from .bodies import checked
from .errors import Refused, invalid

MAX_LIMIT = 200
OLDEST_API = (0, 8, 0)
API_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")


def not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


async def json_body(request: Request, required: bool = True) -> Any:
    """The body as JSON; None when there is none and none is required."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise invalid(["body"], "this request needs a JSON body", "missing")
        return None
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=not_json)
    except (ValueError, RecursionError):
        raise invalid(["body"], "the body is not JSON text", "not_json") from None


async def checked_body(request: Request, schema: str) -> dict:
    return checked(schema, await json_body(request))


async def query_body(request: Request, schema: str) -> dict:
    """A /filter or /count body: no body is an empty query, and a top-level null counts as
    absent (the Prefect client sends ``"limit": null``)."""
    body = await json_body(request, required=False)
    if body is None:
        body = {}
    elif isinstance(body, dict):
        body = {key: value for key, value in body.items() if value is not None}
    return checked(schema, body)


def window(query: dict) -> tuple[int, int]:
    """The (offset, limit) a query asks for; limit is 200 unless it asks for fewer."""
    limit = int(query.get("limit", MAX_LIMIT))
    if not 0 <= limit <= MAX_LIMIT:
        raise Refused(422, f"limit must be between 0 and {MAX_LIMIT}, not {limit}.")
    return int(query.get("offset", 0)), limit


def check_api_version(header: str | None) -> None:
    """X-PREFECT-API-VERSION, when sent, must be x.y.z and at least 0.8.0."""
    if header is None:
        return
    found = API_VERSION.fullmatch(header.strip())
    if found is None:
        raise Refused(400, f"X-PREFECT-API-VERSION must look like 0.8.4, not {header!r}.")
    if tuple(int(part) for part in found.groups()) < OLDEST_API:
        raise Refused(400, f"API version {header} is too old: this server speaks 0.8.0 and later.")
