"""ASGI wrappers in front of the API: a request size limit and an optional basic-auth string."""

import base64
import hmac
import json


async def _answer(send, status: int, body: dict) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class BodyLimit:
    """413 for a request body over ``limit`` bytes, declared or streamed. The body is read here
    (up to the limit) and replayed to the app, so the app never sees a partial body."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_large = {"detail": f"Request body over {self.limit} bytes"}
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await _answer(send, 413, too_large)
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.limit:
                return await _answer(send, 413, too_large)
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay():
            return messages.pop(0) if messages else await receive()

        return await self.app(scope, replay, send)


class BasicAuth:
    """HTTP Basic credentials equal to the auth string (``user:password``) on every path but
    ``exempt`` (the health path), as the real server does with PREFECT_SERVER_API_AUTH_STRING."""

    def __init__(self, app, auth_string: str, exempt: str) -> None:
        self.app = app
        self.expected = "Basic " + base64.b64encode(auth_string.encode()).decode()
        self.exempt = exempt

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or scope["path"] == self.exempt:
            return await self.app(scope, receive, send)
        given = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        if scope["type"] == "http" and not hmac.compare_digest(given, self.expected):
            return await _answer(send, 401, {"exception_message": "Unauthorized"})
        return await self.app(scope, receive, send)
