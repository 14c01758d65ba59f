"""The Peak Press profile's ASGI app, under ``/peak``: the blocks API (``api.py``), the two
service paths peak-sdk calls on its own (the session's tenant metadata and the telemetry sink),
the test hook, and the token check in front of all of them.

peak-sdk builds every URL as ``<base domain>/<path>``; a client whose base domain is patched to
``http://HOST:PORT/peak`` reaches all of these paths on this server.

Tokens: every request needs ``Authorization: <token>`` (the raw token, no "Bearer"), one of the
comma-separated ``BLOCKS_REFERENCE_PEAK_TOKENS`` (default: ``DEFAULT_TOKEN``); else 401.

Test hook (not part of the Peak API): ``POST /peak/_conformance/deployments/{id}/status`` with
``{"status": "failed"}`` (any deployment status) sets the status of a deployment and of its latest
revision, so that a redeploy can be tried from ``failed`` or ``warning``.
"""

import hmac
import json
import logging
import os
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .api import DEPLOYMENT_STATUSES, deployment_view, found, json_object, store_of
from .api import router as blocks_router
from .store import Store

BASE_PATH = "/peak"
MOUNT_PATH = BASE_PATH
TOKENS_ENVIRONMENT = "BLOCKS_REFERENCE_PEAK_TOKENS"
DEFAULT_TOKEN = "peak-conformance-token"
HOOK_PATH = "/_conformance"
DESCRIPTION = (
    f"peak-press: {BASE_PATH}, with the tokens of {TOKENS_ENVIRONMENT}, comma-separated, default "
    f"{DEFAULT_TOKEN}, and a test hook POST {BASE_PATH}{HOOK_PATH}/deployments/{{id}}/status"
)

log = logging.getLogger("reference_server.peak_press")

service = APIRouter()


@service.get("/tenant-management/api/v1/external/tenants/tenant-metadata")
async def tenant_metadata():
    """peak-sdk's Session reads ``spokeDetails.domain`` from here, if present."""
    return {}


@service.post("/resource-usage/api/v1/telemetry")
async def telemetry(request: Request):
    await request.body()
    return {}


hook = APIRouter()


@hook.post(HOOK_PATH + "/deployments/{deployment_id}/status")
async def set_deployment_status(deployment_id: str, request: Request):
    store = store_of(request)
    deployment = found(store.deployment, deployment_id)
    status = (await json_object(request)).get("status")
    if status not in DEPLOYMENT_STATUSES:
        raise HTTPException(400, f"status must be one of {', '.join(DEPLOYMENT_STATUSES)}")
    latest = {**deployment["latestRevision"], "status": status}
    changed = {**deployment, "status": status, "latestRevision": latest}
    with store.transaction():
        store.replace_revision(deployment_id, latest)
        store.replace_deployment(changed)
    return deployment_view(changed)


def accepted_tokens() -> list[str]:
    raw = os.environ.get(TOKENS_ENVIRONMENT, DEFAULT_TOKEN)
    return [token.strip() for token in raw.split(",") if token.strip()]


class TokenCheck:
    """401 for a request whose ``Authorization`` header is not one of ``tokens``."""

    def __init__(self, app, tokens: list[str]) -> None:
        self.app = app
        self.tokens = [token.encode() for token in tokens]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope["headers"]).get(b"authorization", b"")
        if any(hmac.compare_digest(given, token) for token in self.tokens):
            return await self.app(scope, receive, send)
        payload = json.dumps({"detail": "Unauthorized: a valid token is required"}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
        ]
        await send({"type": "http.response.start", "status": 401, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse({"detail": "Internal Server Error"}, status_code=500)


def create_app(db_path: str):
    """The Peak Press API under /peak on the Peak tables of ``db_path``, behind the token check."""
    store = Store(db_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        store.close()

    api = FastAPI(
        title="blocks reference server (Peak Press profile)",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    api.state.store = store
    for router in (blocks_router, service, hook):
        api.include_router(router, prefix=BASE_PATH)
    api.add_exception_handler(StarletteHTTPException, http_error)
    api.add_exception_handler(Exception, unexpected_error)
    return TokenCheck(api, accepted_tokens())
