"""Application factory: the blocks API under ``/api`` backed by one SQLite file."""

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .guards import BasicAuth, BodyLimit
from .prefect.api import install_system_blocks
from .prefect.api import router as prefect_router
from .prefect.events import router as events_router
from .prefect.nesting import NestingError
from .store import Store, load_cipher

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024

log = logging.getLogger("reference_server")


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 in the real server's shape rather than FastAPI's default ``{"detail": [...]}``."""
    body = {
        "exception_message": "Invalid request received.",
        "exception_detail": jsonable_encoder(exc.errors()),
        "request_body": jsonable_encoder(exc.body),
    }
    return JSONResponse(body, status_code=422)


async def nesting_error(request: Request, exc: NestingError) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=exc.status)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse({"exception_message": "Internal Server Error"}, status_code=500)


def create_app(
    db_path: str, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, auth_string: str | None = None
):
    """The ASGI app: the API under /api, behind the size limit and the optional auth string."""
    store = Store(db_path, load_cipher(db_path))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        install_system_blocks(store)
        yield
        store.close()

    api = FastAPI(
        title="blocks reference server (Prefect profile)",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    api.state.store = store
    api.include_router(prefect_router, prefix="/api")
    api.include_router(events_router, prefix="/api")
    api.add_exception_handler(RequestValidationError, validation_error)
    api.add_exception_handler(NestingError, nesting_error)
    api.add_exception_handler(Exception, unexpected_error)
    app = BodyLimit(api, max_body_bytes)
    return BasicAuth(app, auth_string) if auth_string else app
