"""The Prefect profile's ASGI app: the blocks API under ``/api`` on the Prefect tables."""

import argparse
import copy
import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, compile_path

from ..guards import BasicAuth
from ..store import load_cipher
from .api import BASE_PATH
from .api import router as blocks_router
from .events import router as events_router
from .nesting import NestingError
from .store import Store
from .system_blocks import install as install_system_blocks
from .timeline import facts, resolved, versions

MOUNT_PATH = BASE_PATH
ANSWERS_UNKNOWN_PATHS = True  # the real server's 404 for a path no profile owns
DESCRIPTION = f"prefect: {BASE_PATH}, e.g. http://127.0.0.1:4200{BASE_PATH}/health"


def played_release(name: str) -> str:
    """--prefect-release as a known release (argparse shows the ValueError's words)."""
    try:
        return resolved(name)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The Prefect profile's options of ``python -m reference_server``."""
    parser.add_argument(
        "--auth-string",
        default=os.environ.get("PREFECT_SERVER_API_AUTH_STRING"),
        help="require HTTP Basic credentials 'user:password' on every Prefect path but "
        f"{BASE_PATH}/health, like the real server's PREFECT_SERVER_API_AUTH_STRING (default: "
        "that variable, else none)",
    )
    parser.add_argument(
        "--prefect-release",
        metavar="VERSION",
        type=played_release,
        help="the real Prefect release the Prefect API plays: its system block types and "
        "schemas, its /api/admin/version and what its answers took from it where releases "
        "differ (a version such as 3.4.7, or a line such as 3.6 for its newest; known: every "
        f"release from {versions()[0]} to {versions()[-1]}; default the newest)",
    )


log = logging.getLogger("reference_server.prefect")


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


UUID_IDS = ("/block_types/{id:uuid}", "/block_schemas/{id:uuid}")


def played_routes(routes: Iterable[BaseRoute], release: str) -> Iterator[BaseRoute]:
    """The routes as the release has them. Before 3.4.8 (``malformed_path_id`` 422 in the
    timeline) a block type or schema path id that is not a UUID matched the route and failed
    its validation (422; 405 for a method the path has no route for), instead of matching no
    route (404)."""
    validated = facts(release)["malformed_path_id"] == 422
    for route in routes:
        if validated and isinstance(route, APIRoute) and route.path.endswith(UUID_IDS):
            route = copy.copy(route)
            route.path = route.path.replace("{id:uuid}", "{id}")
            route.path_regex, route.path_format, route.param_convertors = compile_path(route.path)
        yield route


def create_app(db_path: str, auth_string: str | None = None, prefect_release: str | None = None):
    """The Prefect API under /api, playing the real release ``prefect_release`` (its system
    blocks and version; default the newest known), behind the optional auth string (as the real
    server's PREFECT_SERVER_API_AUTH_STRING)."""
    store = Store(db_path, load_cipher(db_path))
    release = resolved(prefect_release)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        install_system_blocks(store, release)
        yield
        store.close()

    api = FastAPI(
        routes=[*played_routes(blocks_router.routes, release), *events_router.routes],
        title="blocks reference server (Prefect profile)",
        lifespan=lifespan,
        docs_url=f"{BASE_PATH}/docs",
        redoc_url=None,
        openapi_url=f"{BASE_PATH}/openapi.json",
    )
    api.state.store = store
    api.state.prefect_release = release
    api.add_exception_handler(RequestValidationError, validation_error)
    api.add_exception_handler(NestingError, nesting_error)
    api.add_exception_handler(Exception, unexpected_error)
    return BasicAuth(api, auth_string, exempt=f"{BASE_PATH}/health") if auth_string else api
