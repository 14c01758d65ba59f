"""The application: Starlette routes under ``/api``, each through one wrapper that checks the
API version header and turns refusals into their answers; the service endpoints the Prefect
client calls (health, version, the CSRF probe, the events websocket); JSON for every error."""

import json
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from . import routes
from .errors import Invalid, Refused
from .requests import check_api_version
from .store import Store
from .system import prefect_version, register_system_blocks

API_VERSION = "0.8.4"
Handler = Callable[[Request, Store], Awaitable[Response]]


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        try:
            check_api_version(request.headers.get("x-prefect-api-version"))
            return await handler(request, request.app.state.store)
        except (Refused, Invalid) as refusal:
            return refusal.response()

    return handle


async def health(request: Request, store: Store) -> Response:
    return JSONResponse(True)


async def server_version(request: Request, store: Store) -> Response:
    return JSONResponse(prefect_version())


async def api_version(request: Request, store: Store) -> Response:
    return JSONResponse(API_VERSION)


async def csrf_token(request: Request, store: Store) -> Response:
    """This server keeps no CSRF tokens; the client takes a 404 here as "no CSRF protection"."""
    raise Refused(404, "This server has no CSRF protection, and so no CSRF tokens.")


async def events_in(websocket: WebSocket) -> None:
    """The client's event stream: the "prefect" subprotocol's auth handshake is accepted, and
    the events sent are read and dropped (this server keeps no events)."""
    offered = websocket.scope.get("subprotocols") or []
    await websocket.accept(subprotocol="prefect" if "prefect" in offered else None)
    try:
        while True:
            message = await websocket.receive_text()
            try:
                kind = json.loads(message).get("type")
            except (ValueError, AttributeError):
                kind = None
            if kind == "auth":
                await websocket.send_text(json.dumps({"type": "auth_success"}))
    except WebSocketDisconnect:
        return


def both(path: str, handler: Handler, methods: list[str]) -> list[Route]:
    """A collection path with and without its trailing slash."""
    return [
        Route(f"{path}/", endpoint(handler), methods=methods),
        Route(path, endpoint(handler), methods=methods),
    ]


def api_routes() -> list:
    r = routes
    return [
        Route("/health", endpoint(health), methods=["GET"]),
        Route("/version", endpoint(api_version), methods=["GET"]),
        Route("/admin/version", endpoint(server_version), methods=["GET"]),
        Route("/csrf-token", endpoint(csrf_token), methods=["GET"]),
        WebSocketRoute("/events/in", events_in),
        *both("/block_types", r.create_type, ["POST"]),
        Route("/block_types/filter", endpoint(r.filter_types), methods=["POST"]),
        Route(
            "/block_types/install_system_block_types",
            endpoint(r.install_system_types),
            methods=["POST"],
        ),
        Route("/block_types/slug/{slug}", endpoint(r.read_type_by_slug), methods=["GET"]),
        Route(
            "/block_types/slug/{slug}/block_documents", endpoint(r.type_documents), methods=["GET"]
        ),
        Route(
            "/block_types/slug/{slug}/block_documents/name/{name}",
            endpoint(r.type_document_by_name),
            methods=["GET"],
        ),
        Route("/block_types/{id:uuid}", endpoint(r.read_type), methods=["GET"]),
        Route("/block_types/{id:uuid}", endpoint(r.update_type), methods=["PATCH"]),
        Route("/block_types/{id:uuid}", endpoint(r.delete_type), methods=["DELETE"]),
        *both("/block_schemas", r.create_block_schema, ["POST"]),
        Route("/block_schemas/filter", endpoint(r.filter_schemas), methods=["POST"]),
        Route(
            "/block_schemas/checksum/{checksum}",
            endpoint(r.read_schema_by_checksum),
            methods=["GET"],
        ),
        Route("/block_schemas/{id:uuid}", endpoint(r.read_schema), methods=["GET"]),
        Route("/block_schemas/{id:uuid}", endpoint(r.delete_schema), methods=["DELETE"]),
        *both("/block_capabilities", r.capabilities, ["GET"]),
        *both("/block_documents", r.create_block_document, ["POST"]),
        Route("/block_documents/filter", endpoint(r.filter_documents), methods=["POST"]),
        Route("/block_documents/count", endpoint(r.count_documents), methods=["POST"]),
        Route("/block_documents/{id:uuid}", endpoint(r.read_document), methods=["GET"]),
        Route("/block_documents/{id:uuid}", endpoint(r.update_block_document), methods=["PATCH"]),
        Route("/block_documents/{id:uuid}", endpoint(r.delete_document), methods=["DELETE"]),
    ]


ROUTING_WORDS = {
    404: "Nothing is served at this path.",
    405: "This path does not take that method.",
}


async def routing_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    detail = ROUTING_WORDS.get(error.status_code, error.detail)
    return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)


async def server_error(request: Request, error: Exception) -> Response:
    return JSONResponse({"detail": "The server failed on this request."}, status_code=500)


def create_app() -> Starlette:
    """A server with the system block types and schemas registered, and nothing else."""
    app = Starlette(
        routes=[Mount("/api", routes=api_routes())],
        exception_handlers={HTTPException: routing_error, Exception: server_error},
    )
    app.router.redirect_slashes = False
    app.state.store = Store()
    register_system_blocks(app.state.store)
    return app
