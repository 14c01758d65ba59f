"""The blocks API's handlers: block types, block schemas, block documents and capabilities.
Each takes the request and the store, and answers JSON (or 204 with no body)."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .bodies import query_flag
from .documents import (
    create_document,
    document_json,
    named_documents,
    update_document,
)
from .errors import Refused
from .filters import documents_kept, page, schemas_kept, types_kept
from .requests import checked_body, query_body, window
from .schemas import create_schema
from .store import BlockType, Store, now
from .system import register_system_blocks
from .views import schema_json, type_json

PROTECTED_TYPE = "protected block types cannot be deleted."  # the client matches these words


def secrets_asked(request: Request) -> bool:
    return query_flag(request.query_params.get("include_secrets"), "include_secrets")


def no_content() -> Response:
    return Response(status_code=204)


def type_with_id(store: Store, request: Request) -> BlockType:
    found = store.types.get(str(request.path_params["id"]))
    if found is None:
        raise Refused(404, f"There is no block type with the id {request.path_params['id']}.")
    return found


def type_with_slug(store: Store, slug: str) -> BlockType:
    found = store.type_by_slug(slug)
    if found is None:
        raise Refused(404, f"There is no block type with the slug '{slug}'.")
    return found


# ---- block types ---------------------------------------------------------------------------


async def create_type(request: Request, store: Store) -> Response:
    body = await checked_body(request, "block_type_create")
    if body["name"].lower().startswith("prefect"):
        raise Refused(403, "Block type names starting with 'prefect' are kept for Prefect's own.")
    with store.lock:
        if store.type_by_slug(body["slug"]) is not None:
            raise Refused(409, f"The slug '{body['slug']}' belongs to another block type.")
        block_type = BlockType(**body)
        store.types[block_type.id] = block_type
        return JSONResponse(type_json(block_type), status_code=201)


async def read_type(request: Request, store: Store) -> Response:
    return JSONResponse(type_json(type_with_id(store, request)))


async def read_type_by_slug(request: Request, store: Store) -> Response:
    return JSONResponse(type_json(type_with_slug(store, request.path_params["slug"])))


async def update_type(request: Request, store: Store) -> Response:
    body = await checked_body(request, "block_type_update")
    with store.lock:
        block_type = type_with_id(store, request)
        for key, value in body.items():
            setattr(block_type, key, value)
        block_type.updated = now()
    return no_content()


async def delete_type(request: Request, store: Store) -> Response:
    with store.lock:
        block_type = type_with_id(store, request)
        if block_type.is_protected:
            raise Refused(403, PROTECTED_TYPE)
        store.delete_type(block_type)
    return no_content()


async def filter_types(request: Request, store: Store) -> Response:
    query = await query_body(request, "block_types_query")
    offset, limit = window(query)
    with store.lock:
        return JSONResponse([type_json(t) for t in page(types_kept(store, query), offset, limit)])


async def install_system_types(request: Request, store: Store) -> Response:
    with store.lock:
        register_system_blocks(store)
    return JSONResponse(None)


async def type_documents(request: Request, store: Store) -> Response:
    secrets = secrets_asked(request)
    with store.lock:
        block_type = type_with_slug(store, request.path_params["slug"])
        listed = named_documents(store, block_type)
        return JSONResponse([document_json(store, d, secrets) for d in listed])


async def type_document_by_name(request: Request, store: Store) -> Response:
    secrets = secrets_asked(request)
    slug, name = request.path_params["slug"], request.path_params["name"]
    with store.lock:
        block_type = store.type_by_slug(slug)
        document = store.document_named(block_type.id, name) if block_type else None
        if document is None:
            raise Refused(404, f"No block document of the type '{slug}' is named '{name}'.")
        return JSONResponse(document_json(store, document, secrets))


# ---- block schemas -------------------------------------------------------------------------


def schema_with_id(store: Store, request: Request):
    found = store.schemas.get(str(request.path_params["id"]))
    if found is None:
        raise Refused(404, f"There is no block schema with the id {request.path_params['id']}.")
    return found


async def create_block_schema(request: Request, store: Store) -> Response:
    body = await checked_body(request, "block_schema_create")
    with store.lock:
        schema, new = create_schema(store, body)
        return JSONResponse(schema_json(store, schema), status_code=201 if new else 200)


async def read_schema(request: Request, store: Store) -> Response:
    with store.lock:
        return JSONResponse(schema_json(store, schema_with_id(store, request)))


async def read_schema_by_checksum(request: Request, store: Store) -> Response:
    checksum = request.path_params["checksum"]
    version = request.query_params.get("version")
    with store.lock:
        found = store.schemas_with(checksum)
        if version is not None:
            found = [s for s in found if s.version == version]
        if not found:
            wanted = checksum if version is None else f"{checksum} in version '{version}'"
            raise Refused(404, f"No block schema has the checksum {wanted}.")
        return JSONResponse(schema_json(store, found[-1]))


async def delete_schema(request: Request, store: Store) -> Response:
    with store.lock:
        schema = schema_with_id(store, request)
        if store.types[schema.block_type_id].is_protected:
            raise Refused(403, "This schema belongs to a protected block type: it stays.")
        store.delete_schema(schema)
    return no_content()


async def filter_schemas(request: Request, store: Store) -> Response:
    query = await query_body(request, "block_schemas_query")
    offset, limit = window(query)
    with store.lock:
        kept = page(schemas_kept(store, query), offset, limit)
        return JSONResponse([schema_json(store, s) for s in kept])


async def capabilities(request: Request, store: Store) -> Response:
    with store.lock:
        found = [c for s in store.schemas.values() for c in s.capabilities]
    return JSONResponse(list(dict.fromkeys(found)))


# ---- block documents -----------------------------------------------------------------------


def document_with_id(store: Store, request: Request):
    found = store.documents.get(str(request.path_params["id"]))
    if found is None:
        raise Refused(404, f"There is no block document with the id {request.path_params['id']}.")
    return found


async def create_block_document(request: Request, store: Store) -> Response:
    body = await checked_body(request, "block_document_create")
    with store.lock:
        document = create_document(store, body)
        return JSONResponse(document_json(store, document, False), status_code=201)


async def read_document(request: Request, store: Store) -> Response:
    secrets = secrets_asked(request)
    with store.lock:
        return JSONResponse(document_json(store, document_with_id(store, request), secrets))


async def update_block_document(request: Request, store: Store) -> Response:
    body = await checked_body(request, "block_document_update")
    with store.lock:
        update_document(store, document_with_id(store, request), body)
    return no_content()


async def delete_document(request: Request, store: Store) -> Response:
    with store.lock:
        store.delete_document(document_with_id(store, request))
    return no_content()


async def filter_documents(request: Request, store: Store) -> Response:
    query = await query_body(request, "block_documents_query")
    offset, limit = window(query)
    secrets = query.get("include_secrets", False)
    with store.lock:
        kept = page(documents_kept(store, query), offset, limit)
        return JSONResponse([document_json(store, d, secrets) for d in kept])


async def count_documents(request: Request, store: Store) -> Response:
    query = await query_body(request, "block_documents_count")
    with store.lock:
        return JSONResponse(len(documents_kept(store, query)))
