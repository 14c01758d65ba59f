"""Our OpenAPI 3.1 contract of the Prefect blocks API: every endpoint the suite covers, the
request bodies the real server accepts, and every status the clauses allow.

``python -m conformance.prefect.contract`` writes ``fixtures/openapi/prefect.json``; a
test fails when that file is stale, and another checks every response the real server gives
during a conformance run against it. Request schemas describe what the real server *accepts*,
pydantic's lax coercions included (``"5"`` for an integer, ``0`` or ``"yes"`` for a boolean), so
that negative generation only produces requests the server must refuse. What the real servers
accept is what they accept on both of their databases: no text holds a NUL character, which
PostgreSQL cannot store (the real server on PostgreSQL answers 503 to it, on SQLite stores it).
"""

from .. import fixtures_dir
from ..contracts import contract_path, document, main, ref, schemas_of

RESPONSE_SCHEMAS = fixtures_dir() / "schemas" / "prefect"
CONTRACT_PATH = contract_path("prefect")

WITHOUT_NUL = "^[^\\x00]*$"  # text PostgreSQL can store
TEXT = {"type": "string", "pattern": WITHOUT_NUL}
NAME = {"type": "string", "pattern": "^[^/%&><\\x00]+$"}
SLUG = {"type": "string", "pattern": "^[a-z0-9-]+$"}
DOCUMENT_NAME = {"type": "string", "pattern": "^[a-z0-9-]+$"}
TEXT_OR_NULL = {"type": ["string", "null"], "pattern": WITHOUT_NUL}
UUID = {"type": "string", "format": "uuid"}
# What pydantic's lax mode (the real server's) accepts, measured: booleans also take 0 and 1
# and these words in any case; integers also take booleans and strings such as " 5 ", "+5",
# "5.0" and "1_0" (but not "5.", which the real server refuses).
LAX_BOOL = {
    "anyOf": [
        {"type": "boolean"},
        {"enum": [0, 1]},
        {"type": "string", "pattern": "^(?i:0|1|on|off|t|f|true|false|y|n|yes|no)$"},
    ]
}
TRUE_VALUES = [True, 1, *(["1", "on", "t", "true", "y", "yes"])]
FALSE_VALUES = [False, 0, *(["0", "off", "f", "false", "n", "no"])]
LAX_INT = {
    "anyOf": [
        {"type": "integer"},
        {"type": "boolean"},
        {"type": "string", "pattern": "^\\s*[+-]?[0-9]+(_[0-9]+)*(\\.0+)?\\s*$"},
    ]
}


def strict(properties: dict, required: list[str] | None = None) -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def any_of(item: dict) -> dict:
    return {
        "anyOf": [strict({"any_": {"type": ["array", "null"], "items": item}}), {"type": "null"}]
    }


FILTERS = {
    "BlockTypeFilter": strict(
        {
            "name": {"anyOf": [strict({"like_": TEXT_OR_NULL}), {"type": "null"}]},
            "slug": any_of(TEXT),
        }
    ),
    "BlockSchemaFilter": strict(
        {
            "operator": {"enum": ["and_", "or_"]},
            "block_type_id": any_of(UUID),
            "block_capabilities": {
                "anyOf": [
                    strict({"all_": {"type": ["array", "null"], "items": TEXT}}),
                    {"type": "null"},
                ]
            },
            "id": any_of(UUID),
            "version": any_of(TEXT),
        }
    ),
    "BlockDocumentFilter": strict(
        {
            "operator": {"enum": ["and_", "or_"]},
            "id": any_of(UUID),
            "is_anonymous": {
                "anyOf": [
                    strict({"eq_": {"anyOf": [LAX_BOOL, {"type": "null"}]}}),
                    {"type": "null"},
                ]
            },
            "block_type_id": any_of(UUID),
            "name": {
                "anyOf": [
                    strict(
                        {
                            "any_": {"type": ["array", "null"], "items": TEXT},
                            "like_": TEXT_OR_NULL,
                        }
                    ),
                    {"type": "null"},
                ]
            },
        }
    ),
}

REQUESTS = {
    "BlockTypeCreate": strict(
        {
            "name": NAME,
            "slug": SLUG,
            "logo_url": TEXT_OR_NULL,
            "documentation_url": TEXT_OR_NULL,
            "description": TEXT_OR_NULL,
            "code_example": TEXT_OR_NULL,
        },
        ["name", "slug"],
    ),
    "BlockTypeUpdate": strict(
        {
            "logo_url": TEXT_OR_NULL,
            "documentation_url": TEXT_OR_NULL,
            "description": TEXT_OR_NULL,
            "code_example": TEXT_OR_NULL,
        }
    ),
    "BlockSchemaCreate": strict(
        {
            "fields": {"type": "object"},
            "block_type_id": UUID,
            "capabilities": {"type": "array", "items": TEXT},
            "version": TEXT,
        },
        ["block_type_id"],
    ),
    # A named document needs a name; an anonymous one may leave it to the server.
    "BlockDocumentCreate": {
        "anyOf": [
            strict(
                {
                    "name": DOCUMENT_NAME,
                    "data": {"type": "object"},
                    "block_schema_id": UUID,
                    "block_type_id": UUID,
                    "is_anonymous": {"enum": FALSE_VALUES},
                },
                ["name", "block_schema_id", "block_type_id"],
            ),
            strict(
                {
                    "name": {"anyOf": [DOCUMENT_NAME, {"type": "null"}]},
                    "data": {"type": "object"},
                    "block_schema_id": UUID,
                    "block_type_id": UUID,
                    "is_anonymous": {"enum": TRUE_VALUES},
                },
                ["is_anonymous", "block_schema_id", "block_type_id"],
            ),
        ]
    },
    "BlockDocumentUpdate": strict(
        {
            "block_schema_id": {"anyOf": [UUID, {"type": "null"}]},
            "data": {"type": "object"},
            "merge_existing_data": LAX_BOOL,
        }
    ),
    "BlockTypesFilterBody": {
        "type": ["object", "null"],
        "properties": {
            "block_types": {"anyOf": [ref("BlockTypeFilter"), {"type": "null"}]},
            "block_schemas": {"anyOf": [ref("BlockSchemaFilter"), {"type": "null"}]},
            "limit": {"anyOf": [LAX_INT, {"type": "null"}]},
            "offset": {"anyOf": [LAX_INT, {"type": "null"}]},
        },
    },
    "BlockSchemasFilterBody": {
        "type": ["object", "null"],
        "properties": {
            "block_schemas": {"anyOf": [ref("BlockSchemaFilter"), {"type": "null"}]},
            "limit": {"anyOf": [LAX_INT, {"type": "null"}]},
            "offset": {"anyOf": [LAX_INT, {"type": "null"}]},
        },
    },
    "BlockDocumentsFilterBody": {
        "type": ["object", "null"],
        "properties": {
            "block_documents": {"anyOf": [ref("BlockDocumentFilter"), {"type": "null"}]},
            "block_types": {"anyOf": [ref("BlockTypeFilter"), {"type": "null"}]},
            "block_schemas": {"anyOf": [ref("BlockSchemaFilter"), {"type": "null"}]},
            "include_secrets": {"anyOf": [LAX_BOOL, {"type": "null"}]},
            "sort": {
                "anyOf": [
                    {"enum": ["NAME_ASC", "NAME_DESC", "BLOCK_TYPE_AND_NAME_ASC"]},
                    {"type": "null"},
                ]
            },
            "limit": {"anyOf": [LAX_INT, {"type": "null"}]},
            "offset": {"anyOf": [LAX_INT, {"type": "null"}]},
        },
    },
    "BlockDocumentsCountBody": {
        "type": ["object", "null"],
        "properties": {
            "block_documents": {"anyOf": [ref("BlockDocumentFilter"), {"type": "null"}]},
            "block_types": {"anyOf": [ref("BlockTypeFilter"), {"type": "null"}]},
            "block_schemas": {"anyOf": [ref("BlockSchemaFilter"), {"type": "null"}]},
        },
    },
}

ERRORS = {
    400: ("a refused request (bad version header, bad reference)", "detail_error"),
    403: ("forbidden (reserved name, protected object)", "detail_error"),
    404: ("not found", "detail_error"),
    409: ("conflict (duplicate, integrity)", "detail_error"),
    405: (
        "the path matched another route's method (a generated id such as 'filter')",
        "detail_error",
    ),
    422: ("invalid request", "error"),
}


def respond(success: dict[int, str | None], errors: list[int]) -> dict:
    responses = {}
    for status, schema in success.items():
        entry: dict = {"description": "success"}
        if schema is not None:
            entry["content"] = {"application/json": {"schema": ref(schema)}}
        responses[str(status)] = entry
    for status in errors:
        description, schema = ERRORS[status]
        responses[str(status)] = {
            "description": description,
            "content": {"application/json": {"schema": ref(schema)}},
        }
    return responses


def body(schema: str, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": ref(schema)}}}


def path_param(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


INCLUDE_SECRETS = {"name": "include_secrets", "in": "query", "required": False, "schema": LAX_BOOL}


def operation(op_id: str, responses: dict, **extra) -> dict:
    if "400" not in responses:
        # Any route answers 400 to a malformed or too old X-PREFECT-API-VERSION header, and a
        # body route to a body that is not JSON text at all (FastAPI's "There was an error
        # parsing the body").
        responses = {**responses, "400": respond({}, [400])["400"]}
    return {"operationId": op_id, "responses": responses, **extra}


# What a block type or schema path id that is not a UUID gets: 404 (no route matches), before
# Prefect 3.4.8 a 422 (the path matched and the id failed validation), 405 for a generated id
# that names another route ('filter').
MALFORMED_ID = [404, 405, 422]


def paths() -> dict:
    type_id = [path_param("id", UUID)]
    return {
        "/health": {"get": operation("health", respond({200: "health"}, []))},
        "/admin/version": {
            "get": operation("server_version", respond({200: "version_string"}, []))
        },
        "/block_types/": {
            "post": operation(
                "create_block_type",
                respond({201: "block_type"}, [403, 409, 422]),
                requestBody=body("BlockTypeCreate"),
            )
        },
        "/block_types/filter": {
            "post": operation(
                "filter_block_types",
                respond({200: "block_type_list"}, [422]),
                requestBody=body("BlockTypesFilterBody", required=False),
            )
        },
        "/block_types/{id}": {
            "get": operation(
                "read_block_type", respond({200: "block_type"}, MALFORMED_ID), parameters=type_id
            ),
            "patch": operation(
                "update_block_type",
                respond({204: None}, [404, 405, 422]),
                parameters=type_id,
                requestBody=body("BlockTypeUpdate"),
            ),
            "delete": operation(
                "delete_block_type",
                respond({204: None}, [403, *MALFORMED_ID]),
                parameters=type_id,
            ),
        },
        "/block_types/slug/{slug}": {
            "get": operation(
                "read_block_type_by_slug",
                respond({200: "block_type"}, [404]),
                parameters=[path_param("slug", SLUG)],
            )
        },
        "/block_types/slug/{slug}/block_documents": {
            "get": operation(
                "read_block_documents_of_type",
                respond({200: "block_document_list"}, [404, 422]),
                parameters=[path_param("slug", SLUG), INCLUDE_SECRETS],
            )
        },
        "/block_types/slug/{slug}/block_documents/name/{name}": {
            "get": operation(
                "read_block_document_by_name",
                respond({200: "block_document"}, [404, 422]),
                parameters=[
                    path_param("slug", SLUG),
                    path_param("name", DOCUMENT_NAME),
                    INCLUDE_SECRETS,
                ],
            )
        },
        "/block_schemas/": {
            "post": operation(
                "create_block_schema",
                respond({200: "block_schema", 201: "block_schema"}, [400, 404, 409, 422]),
                requestBody=body("BlockSchemaCreate"),
            )
        },
        "/block_schemas/filter": {
            "post": operation(
                "filter_block_schemas",
                respond({200: "block_schema_list"}, [422]),
                requestBody=body("BlockSchemasFilterBody", required=False),
            )
        },
        "/block_schemas/{id}": {
            "get": operation(
                "read_block_schema",
                respond({200: "block_schema"}, MALFORMED_ID),
                parameters=type_id,
            ),
            "delete": operation(
                "delete_block_schema",
                respond({204: None}, [403, *MALFORMED_ID]),
                parameters=type_id,
            ),
        },
        "/block_schemas/checksum/{checksum}": {
            "get": operation(
                "read_block_schema_by_checksum",
                respond({200: "block_schema"}, [404]),
                parameters=[
                    path_param("checksum", {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"}),
                    {
                        "name": "version",
                        "in": "query",
                        "required": False,
                        "schema": TEXT,
                    },
                ],
            )
        },
        "/block_capabilities/": {
            "get": operation("read_capabilities", respond({200: "string_list"}, []))
        },
        "/block_documents/": {
            "post": operation(
                "create_block_document",
                respond({201: "block_document"}, [400, 409, 422]),
                requestBody=body("BlockDocumentCreate"),
            )
        },
        "/block_documents/filter": {
            "post": operation(
                "filter_block_documents",
                respond({200: "block_document_list"}, [422]),
                requestBody=body("BlockDocumentsFilterBody", required=False),
            )
        },
        "/block_documents/count": {
            "post": operation(
                "count_block_documents",
                respond({200: "count"}, [422]),
                requestBody=body("BlockDocumentsCountBody", required=False),
            )
        },
        "/block_documents/{id}": {
            "get": operation(
                "read_block_document",
                respond({200: "block_document"}, [404, 405, 422]),
                parameters=[*type_id, INCLUDE_SECRETS],
            ),
            "patch": operation(
                "update_block_document",
                respond({204: None}, [400, 404, 405, 409, 422]),
                parameters=type_id,
                requestBody=body("BlockDocumentUpdate"),
            ),
            "delete": operation(
                "delete_block_document", respond({204: None}, [404, 405]), parameters=type_id
            ),
        },
    }


def build() -> dict:
    responses = schemas_of(RESPONSE_SCHEMAS)
    return document(
        {
            "title": "Prefect blocks API (blocks-conformance contract)",
            "version": "3.8.8",
            "description": "Written for blocks-conformance from the behaviour of the real Prefect "
            "3.8.8 server; paths are relative to the base URL that includes /api.",
        },
        paths(),
        {**responses, **FILTERS, **REQUESTS},
    )


if __name__ == "__main__":
    main(build, CONTRACT_PATH)
