"""Remote definitions: fetched from loopback URLs only, with a short timeout and a size cap, so
a test server never reaches outside the machine it runs on."""

import ipaddress
import json
from typing import Any

import httpx

from .errors import BAD_REMOTE, KragleError

FETCH_TIMEOUT = 3.0
MAX_REMOTE_BYTES = 1024 * 1024


def is_loopback(url: httpx.URL) -> bool:
    if url.host == "localhost":
        return True
    try:
        return ipaddress.ip_address(url.host).is_loopback
    except ValueError:
        return False


def parsed(uri: str) -> httpx.URL:
    try:
        url = httpx.URL(uri)
    except (httpx.InvalidURL, TypeError):
        raise KragleError(BAD_REMOTE, "not a URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise KragleError(BAD_REMOTE, "not an http(s) URL")
    if not is_loopback(url):
        raise KragleError(BAD_REMOTE, "this test server fetches only loopback URLs")
    return url


async def fetch_definition(uri: str) -> Any:
    """The JSON the URL serves; KragleError 7 when it cannot be had."""
    url = parsed(uri)
    try:
        client = httpx.AsyncClient(timeout=FETCH_TIMEOUT, follow_redirects=False)
        async with client, client.stream("GET", url) as response:
            if response.status_code != 200:
                raise KragleError(BAD_REMOTE, f"the URL answered {response.status_code}")
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_REMOTE_BYTES:
                    raise KragleError(BAD_REMOTE, "the URL served over 1 MB")
    except httpx.HTTPError as error:
        raise KragleError(BAD_REMOTE, type(error).__name__) from None
    try:
        return json.loads(body)
    except ValueError:
        raise KragleError(BAD_REMOTE, "the URL did not serve JSON") from None
