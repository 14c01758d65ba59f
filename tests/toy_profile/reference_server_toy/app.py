"""The toy profile's app: notes under ``/toy``, kept in memory. ``create_app(db_path,
keep_deleted=False)``; ``keep_deleted`` is its broken variant (DELETE answers 204 and forgets
nothing)."""

import uuid

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MOUNT_PATH = "/toy"
DESCRIPTION = f"toy: {MOUNT_PATH}, notes kept in memory"


def create_app(db_path: str, keep_deleted: bool = False) -> Starlette:
    notes: dict[str, dict] = {}

    async def health(request: Request) -> JSONResponse:
        return JSONResponse(True)

    async def listed(request: Request) -> JSONResponse:
        prefix = request.query_params.get("prefix", "")
        return JSONResponse([note for note in notes.values() if note["text"].startswith(prefix)])

    async def create(request: Request) -> JSONResponse:
        body = await request.json()
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return JSONResponse({"error": "a note needs a text"}, status_code=400)
        note = {"id": str(uuid.uuid4()), "text": body["text"]}
        notes[note["id"]] = note
        return JSONResponse(note, status_code=201)

    async def read(request: Request) -> JSONResponse:
        note = notes.get(request.path_params["note_id"])
        return JSONResponse(note) if note else JSONResponse({"error": "no such note"}, 404)

    async def delete(request: Request) -> Response:
        note_id = request.path_params["note_id"]
        if note_id not in notes:
            return JSONResponse({"error": "no such note"}, status_code=404)
        if not keep_deleted:
            del notes[note_id]
        return Response(status_code=204)

    return Starlette(
        routes=[
            Route(f"{MOUNT_PATH}/health", health),
            Route(f"{MOUNT_PATH}/notes", listed),
            Route(f"{MOUNT_PATH}/notes", create, methods=["POST"]),
            Route(f"{MOUNT_PATH}/notes/{{note_id}}", read),
            Route(f"{MOUNT_PATH}/notes/{{note_id}}", delete, methods=["DELETE"]),
        ]
    )
