"""HTTP routes of the Prefect blocks API, mounted under ``/api``.

Status codes and error bodies follow the real Prefect 3.8.8 server (see shared/spec and the
clause catalogue); where the real server answers 500 for a malformed request, this one answers
a 4xx instead.
"""

import html
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from . import filters
from .models import (
    BlockDocumentCreate,
    BlockDocumentFilter,
    BlockDocumentUpdate,
    BlockSchemaCreate,
    BlockSchemaFilter,
    BlockTypeCreate,
    BlockTypeFilter,
    BlockTypeUpdate,
    DocumentSort,
)
from .nesting import check_acyclic, create_schema, full_fields, hydrate, split_references
from .secrets import restore_masked_secrets
from .store import Conflict, NotFound, Store
from .system_blocks import install as install_system_blocks

API_VERSION = "0.8.4"
MIN_API_VERSION = (0, 8, 0)
MAX_LIMIT = 200
MAX_OFFSET = 2**63 - 1  # SQLite's largest integer; beyond it the real server answers 500
INTEGRITY_DETAIL = (
    "Data integrity conflict. This usually means a unique or foreign key constraint was"
    " violated. See server logs for details."
)
DOCUMENT_SORTS = {
    "NAME_ASC": "name ASC, rowid ASC",
    "NAME_DESC": "name DESC, rowid DESC",
    "BLOCK_TYPE_AND_NAME_ASC": "block_type_name ASC, name ASC, rowid ASC",
}


def check_api_version(version: str | None) -> None:
    """400 for a malformed or too old X-PREFECT-API-VERSION header, as the real server."""
    if version is None:
        return
    parts = version.split(".")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise HTTPException(
            400,
            "Invalid X-PREFECT-API-VERSION header format."
            f"Expected header in format 'x.y.z' but received {version}",
        )
    if tuple(int(part) for part in parts) < MIN_API_VERSION:
        raise HTTPException(
            400,
            f"The request specified API version {version} but this server requires version"
            " 0.8.0 or higher.",
        )


class VersionCheckedRoute(APIRoute):
    """Checks the version header once a route has matched and before anything else about the
    request (so it wins over validation errors, as the real server's router dependency does),
    without the cost of a FastAPI dependency on every request."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handle = super().get_route_handler()
        body_optional = bool(self.dependant.body_params) and not any(
            param.field_info.is_required() for param in self.dependant.body_params
        )

        async def checked(request: Request) -> Response:
            check_api_version(request.headers.get("x-prefect-api-version"))
            if body_optional and (await request.body()).strip() == b"null":
                request._body = b"{}"  # the real server reads a null body as no body at all
            return await handle(request)

        return checked


BASE_PATH = "/api"  # where the Prefect API lives; its routes carry it
router = APIRouter(prefix=BASE_PATH, route_class=VersionCheckedRoute)


IncludeSecrets = Annotated[bool, Query()]


def found(call, *args: Any) -> Any:
    """Run a store lookup, turning NotFound into a 404 with the store's message."""
    try:
        return call(*args)
    except NotFound as missing:
        raise HTTPException(404, str(missing)) from missing


def checked_limit(limit: int | None) -> int:
    if limit is None:
        return MAX_LIMIT
    if limit < 0:
        raise HTTPException(422, "Invalid limit: must be greater than or equal to 0.")
    if limit > MAX_LIMIT:
        raise HTTPException(422, f"Invalid limit: must be less than or equal to {MAX_LIMIT}.")
    return limit


async def body_limit(limit: Annotated[int | None, Body()] = None) -> int:
    """The body's limit, checked as a dependency, as on the real server: its errors come before
    those of the other body fields, and a bad limit is refused before they are validated."""
    return checked_limit(limit)


Limit = Annotated[int, Depends(body_limit)]


# representations


def schema_view(store: Store, schema: dict) -> dict:
    return {
        "id": schema["id"],
        "created": schema["created"],
        "updated": schema["updated"],
        "checksum": schema["checksum"],
        "fields": full_fields(store, schema),
        "block_type_id": schema["block_type_id"],
        "block_type": store.block_type(schema["block_type_id"]),
        "capabilities": schema["capabilities"],
        "version": schema["version"],
    }


def document_view(store: Store, document: dict, include_secrets: bool) -> dict:
    schema = schema_view(store, store.block_schema(document["block_schema_id"]))
    data, references = hydrate(store, document, include_secrets)
    return {
        "id": document["id"],
        "created": document["created"],
        "updated": document["updated"],
        "name": document["name"],
        "data": data,
        "block_schema_id": document["block_schema_id"],
        "block_schema": schema,
        "block_type_id": document["block_type_id"],
        "block_type_name": document["block_type_name"],
        "block_type": store.block_type(document["block_type_id"]),
        "block_document_references": references,
        "is_anonymous": document["is_anonymous"],
    }


class ReadOnce:
    """The store, for building one answer: each block type, schema and schema's references is
    read once however many documents share it. What it returns is shared: read it only."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._read: dict[tuple[str, str], Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _once(self, method: str, key: str) -> Any:
        if (method, key) not in self._read:
            self._read[method, key] = getattr(self._store, method)(key)
        return self._read[method, key]

    def block_type(self, type_id: str) -> dict:
        return self._once("block_type", type_id)

    def block_schema(self, schema_id: str) -> dict:
        return self._once("block_schema", schema_id)

    def schema_references(self, parent_id: str) -> list[tuple[str, dict]]:
        return self._once("schema_references", parent_id)


def document_list(store: Store, documents: list[dict], include_secrets: bool) -> list[dict]:
    shared = ReadOnce(store)
    return [document_view(shared, document, include_secrets) for document in documents]


# service endpoints the Prefect client calls


@router.get("/health")
async def health() -> bool:
    return True


@router.get("/version")
async def api_version() -> str:
    return API_VERSION


@router.get("/admin/version")
async def server_version(request: Request) -> str:
    """The version of the real release the server plays (``--prefect-release``)."""
    return request.app.state.prefect_release


@router.get("/csrf-token")
async def csrf_token(client: str) -> JSONResponse:
    return JSONResponse({"detail": "CSRF protection is disabled."}, status_code=422)


# block types


def is_reserved_name(name: str) -> bool:
    """Block type names beginning with 'Prefect', in any case, belong to Prefect."""
    return name.lower().startswith("prefect")


@router.post("/block_types/", status_code=201)
async def create_block_type(body: BlockTypeCreate, request: Request) -> dict:
    store: Store = request.app.state.store
    if is_reserved_name(body.name):
        raise HTTPException(403, "Block type names beginning with 'Prefect' are reserved.")
    values = body.model_dump()
    for key in ("description", "code_example"):
        if values[key] is not None:
            values[key] = html.escape(values[key], quote=False)
    try:
        return store.create_block_type(values)
    except Conflict as conflict:
        raise HTTPException(409, f'Block type with name "{body.name}" already exists') from conflict


@router.post("/block_types/filter")
async def filter_block_types(
    request: Request,
    limit: Limit,
    block_types: Annotated[BlockTypeFilter | None, Body()] = None,
    block_schemas: Annotated[BlockSchemaFilter | None, Body()] = None,
    offset: Annotated[int | None, Body(ge=0, le=MAX_OFFSET)] = None,
) -> list[dict]:
    store: Store = request.app.state.store
    where, params = filters.types_where(block_types, block_schemas)
    return store.filter_block_types(where, params, limit, offset or 0)


@router.get("/block_types/{id:uuid}")
async def read_block_type(id: uuid.UUID, request: Request) -> dict:
    store: Store = request.app.state.store
    return found(store.block_type, str(id))


@router.get("/block_types/slug/{slug}")
async def read_block_type_by_slug(slug: str, request: Request) -> dict:
    store: Store = request.app.state.store
    return found(store.block_type_by_slug, slug)


@router.patch("/block_types/{id:uuid}", status_code=204)
async def update_block_type(id: uuid.UUID, body: BlockTypeUpdate, request: Request) -> Response:
    store: Store = request.app.state.store
    stored = found(store.block_type, str(id))
    sent = body.model_dump(exclude_unset=True)
    if not changes_anything(sent, stored):
        return Response(status_code=204)  # nothing written: `updated` stays where it was
    found(store.update_block_type, str(id), sent)
    return Response(status_code=204)


def changes_anything(sent: dict, stored: dict) -> bool:
    """Whether a block type PATCH is written, as the real server decides: unless it sends every
    updatable field, each equal to the stored one (HTML entities read as their characters)."""
    updatable = BlockTypeUpdate.model_fields
    current = {field: stored[field] for field in updatable}
    return unescaped(sent) != unescaped(current)


def unescaped(values: dict) -> dict:
    return {
        key: html.unescape(value) if key in ("description", "code_example") and value else value
        for key, value in values.items()
    }


@router.delete("/block_types/{id:uuid}", status_code=204)
async def delete_block_type(id: uuid.UUID, request: Request) -> Response:
    store: Store = request.app.state.store
    if found(store.block_type, str(id))["is_protected"]:
        raise HTTPException(403, "protected block types cannot be deleted.")
    found(store.delete_block_type, str(id))
    return Response(status_code=204)


@router.get("/block_types/slug/{slug}/block_documents")
async def read_block_documents_of_type(
    slug: str, request: Request, include_secrets: IncludeSecrets = False
) -> list[dict]:
    store: Store = request.app.state.store
    found(store.block_type_by_slug, slug)
    where, params = filters.documents_where(
        BlockDocumentFilter(), BlockTypeFilter(slug={"any_": [slug]}), None
    )
    documents = store.filter_block_documents(where, params, DOCUMENT_SORTS["NAME_ASC"], None, 0)
    return document_list(store, documents, include_secrets)


@router.get("/block_types/slug/{slug}/block_documents/name/{name}")
async def read_block_document_by_name(
    slug: str, name: str, request: Request, include_secrets: IncludeSecrets = False
) -> dict:
    store: Store = request.app.state.store
    document = found(store.block_document_by_name, slug, name)
    return document_view(store, document, include_secrets)


@router.post("/block_types/install_system_block_types")
async def install_system_block_types(request: Request) -> None:
    store: Store = request.app.state.store
    install_system_blocks(store, request.app.state.prefect_release)


# block schemas


@router.post("/block_schemas/", status_code=201)
async def create_block_schema(body: BlockSchemaCreate, request: Request) -> Any:
    store: Store = request.app.state.store
    type_id = str(body.block_type_id)
    try:
        store.block_type(type_id)
    except NotFound as missing:
        raise HTTPException(404, f"Block type {type_id} not found.") from missing
    try:
        schema, created = create_schema(
            store, body.fields, type_id, body.capabilities, body.version
        )
    except Conflict:
        # A concurrent create of the same (checksum, version) won; answer with that one.
        schema, created = create_schema(
            store, body.fields, type_id, body.capabilities, body.version
        )
    view = schema_view(store, schema)
    if not created:
        return JSONResponse(view, status_code=200)
    # The create answer echoes the posted fields (definitions included) rather than the
    # pruned and rebuilt ones later reads return.
    view["fields"] = {"block_schema_references": {}, **body.fields}
    return view


@router.post("/block_schemas/filter")
async def filter_block_schemas(
    request: Request,
    limit: Limit,
    block_schemas: Annotated[BlockSchemaFilter | None, Body()] = None,
    offset: Annotated[int | None, Body(ge=0, le=MAX_OFFSET)] = None,
) -> list[dict]:
    store: Store = request.app.state.store
    where, params = filters.block_schema_condition(block_schemas)
    schemas = store.filter_block_schemas(where, params, limit, offset or 0)
    return [schema_view(store, schema) for schema in schemas]


@router.get("/block_schemas/{id:uuid}")
async def read_block_schema(id: uuid.UUID, request: Request) -> dict:
    store: Store = request.app.state.store
    return schema_view(store, found(store.block_schema, str(id)))


@router.get("/block_schemas/checksum/{checksum}")
async def read_block_schema_by_checksum(
    checksum: str, request: Request, version: str | None = None
) -> dict:
    store: Store = request.app.state.store
    return schema_view(store, found(store.block_schema_by_checksum, checksum, version))


@router.delete("/block_schemas/{id:uuid}", status_code=204)
async def delete_block_schema(id: uuid.UUID, request: Request) -> Response:
    store: Store = request.app.state.store
    schema = found(store.block_schema, str(id))
    if store.block_type(schema["block_type_id"])["is_protected"]:
        raise HTTPException(403, "Block schemas for protected block types cannot be deleted.")
    found(store.delete_block_schema, str(id))
    return Response(status_code=204)


@router.get("/block_capabilities/")
async def read_capabilities(request: Request) -> list[str]:
    store: Store = request.app.state.store
    return store.capabilities()


# block documents


def require_documents(store: Store, references: dict[str, str]) -> None:
    for child_id in references.values():
        try:
            store.block_document(child_id)
        except NotFound as missing:
            raise HTTPException(409, INTEGRITY_DETAIL) from missing


@router.post("/block_documents/", status_code=201)
async def create_block_document(body: BlockDocumentCreate, request: Request) -> dict:
    store: Store = request.app.state.store
    type_id = str(body.block_type_id)
    if body.name is None and not body.is_anonymous:
        # Reachable with a truthy non-boolean is_anonymous such as "0", which passes the
        # name check and then coerces to false; the real server's NOT NULL name answers 409.
        raise HTTPException(409, INTEGRITY_DETAIL)
    name = body.name if body.name is not None else f"anonymous-{uuid.uuid4()}"
    if store.document_name_taken(type_id, name):
        raise HTTPException(409, "Block already exists")
    block_type = found(store.block_type, type_id)
    data, references = split_references(body.data)
    require_documents(store, references)
    values = {
        "name": name,
        "data": data,
        "is_anonymous": body.is_anonymous,
        "block_type_name": block_type["name"],
        "block_type_id": type_id,
        "block_schema_id": str(body.block_schema_id),
    }
    try:
        with store.transaction():
            document = store.create_block_document(values)
            store.set_document_references(document["id"], references)
    except Conflict as conflict:
        if store.document_name_taken(type_id, name):
            raise HTTPException(409, "Block already exists") from conflict
        raise HTTPException(409, INTEGRITY_DETAIL) from conflict
    return document_view(store, document, include_secrets=False)


@router.post("/block_documents/filter")
async def filter_block_documents(
    request: Request,
    limit: Limit,
    block_documents: Annotated[BlockDocumentFilter | None, Body()] = None,
    block_types: Annotated[BlockTypeFilter | None, Body()] = None,
    block_schemas: Annotated[BlockSchemaFilter | None, Body()] = None,
    include_secrets: Annotated[bool | None, Body()] = None,
    sort: Annotated[DocumentSort | None, Body()] = None,
    offset: Annotated[int | None, Body(ge=0, le=MAX_OFFSET)] = None,
) -> list[dict]:
    store: Store = request.app.state.store
    # Every top-level key is optional and a null counts as absent, as on the real server.
    where, params = filters.documents_where(block_documents, block_types, block_schemas)
    order = DOCUMENT_SORTS[sort.value if sort else "NAME_ASC"]
    documents = store.filter_block_documents(where, params, order, limit, offset or 0)
    return document_list(store, documents, bool(include_secrets))


@router.post("/block_documents/count")
async def count_block_documents(
    request: Request,
    block_documents: Annotated[BlockDocumentFilter | None, Body()] = None,
    block_types: Annotated[BlockTypeFilter | None, Body()] = None,
    block_schemas: Annotated[BlockSchemaFilter | None, Body()] = None,
) -> int:
    store: Store = request.app.state.store
    where, params = filters.documents_where(block_documents, block_types, block_schemas)
    return store.count_block_documents(where, params)


@router.get("/block_documents/{id:uuid}")
async def read_block_document(
    id: uuid.UUID, request: Request, include_secrets: IncludeSecrets = False
) -> dict:
    store: Store = request.app.state.store
    return document_view(store, found(store.block_document, str(id)), include_secrets)


@router.patch("/block_documents/{id:uuid}", status_code=204)
async def update_block_document(
    id: uuid.UUID, body: BlockDocumentUpdate, request: Request
) -> Response:
    store: Store = request.app.state.store
    document = found(store.block_document, str(id))
    sent = body.model_fields_set if body.merge_existing_data else set(type(body).model_fields)
    if "data" not in sent:
        return Response(status_code=204)
    schema_id = document["block_schema_id"]
    if body.block_schema_id is not None and str(body.block_schema_id) != schema_id:
        target = found(store.block_schema, str(body.block_schema_id))
        if target["block_type_id"] != document["block_type_id"]:
            raise HTTPException(
                400, "Must migrate block document to a block schema of the same block type."
            )
        schema_id = target["id"]
    secret_fields = store.block_schema(document["block_schema_id"])["fields"].get(
        "secret_fields", []
    )
    incoming = restore_masked_secrets(body.data, document["data"], secret_fields)
    merged = {**document["data"], **incoming} if body.merge_existing_data else incoming
    # References live in their own rows: any PATCH with data keeps only those it re-sends.
    data, references = split_references(merged)
    require_documents(store, references)
    check_acyclic(store, str(id), references)
    with store.transaction():
        found(store.update_block_document, str(id), data, schema_id)
        store.set_document_references(str(id), references)
    return Response(status_code=204)


@router.delete("/block_documents/{id:uuid}", status_code=204)
async def delete_block_document(id: uuid.UUID, request: Request) -> Response:
    store: Store = request.app.state.store
    found(store.delete_block_document, str(id))
    return Response(status_code=204)
