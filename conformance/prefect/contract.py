"""Our OpenAPI 3.1 contract of the Prefect blocks API: every endpoint the suite covers, the
request bodies a server must accept, and every status the clauses allow.

``python -m conformance.prefect.contract`` writes ``fixtures/openapi/prefect.json``; a
test fails when that file is stale, and another checks every response the real server gives
during a conformance run against it.

Request schemas follow Prefect's published OpenAPI (``/api/openapi.json`` of 3.8.8 and 3.9.1) as
a JSON Schema validator reads it, within what the real servers accept: an integer is a JSON
integer, a boolean a JSON boolean. Where the real server also accepts inputs by converting them
(pydantic's lax mode: ``"5"`` or ``false`` for an integer, ``0`` or ``"yes"`` for a boolean,
``null`` read as absent), the schema carries them in an ``x-blocks-lax`` annotation: valid
generated requests never hold them (PF-GEN-contract), invalid ones are never made of them
(PF-GEN-invalid-rejected), and PF-GEN-lax-inputs, a SHOULD clause, asks that they be read as the
real server reads them. Two inputs the published OpenAPI does not show are valid because the
real client sends them: a block type's ``description`` (``BlockTypeCreate`` of the client) and
``null`` limit and offset on ``/block_documents/filter`` (``read_block_documents``).

What the real servers accept is what they accept on both of their databases: no text holds a
NUL character, which PostgreSQL cannot store (the real server on PostgreSQL answers 503 to it,
on SQLite stores it).
"""

from .. import fixtures_dir
from ..contracts import LAX, contract_path, document, main, ref, schemas_of

RESPONSE_SCHEMAS = fixtures_dir() / "schemas" / "prefect"
CONTRACT_PATH = contract_path("prefect")

WITHOUT_NUL = "^[^\\x00]*$"  # text PostgreSQL can store
TEXT = {"type": "string", "pattern": WITHOUT_NUL}
NAME = {"type": "string", "pattern": "^[^/%&><\\x00]+$"}
SLUG = {"type": "string", "pattern": "^[a-z0-9-]+$"}
DOCUMENT_NAME = {"type": "string", "pattern": "^[a-z0-9-]+$"}
TEXT_OR_NULL = {"type": ["string", "null"], "pattern": WITHOUT_NUL}
UUID = {"type": "string", "format": "uuid"}
NULL = {"type": "null"}

# What pydantic's lax mode (the real server's) converts, measured on 3.8.8 and 3.9.1: a boolean
# is also 0 or 1 and these words in any case; an integer also a boolean or a string such as
# " 5 ", "+5", "5.0" and "1_0" (but not "5.", which the real server refuses).
BOOLEAN_WORDS = "^(?i:0|1|on|off|t|f|true|false|y|n|yes|no)$"
LAX_BOOLEAN = {
    "anyOf": [{"enum": [0, 1]}, {"type": "string", "pattern": BOOLEAN_WORDS}],
    "description": "what the real server converts to a boolean (pydantic's lax mode)",
}
LAX_INTEGER = {
    "anyOf": [
        {"type": "boolean"},
        {"type": "string", "pattern": "^\\s*[+-]?[0-9]+(_[0-9]+)*(\\.0+)?\\s*$"},
    ],
    "description": "what the real server converts to an integer (pydantic's lax mode)",
}
LAX_NULL = {**NULL, "description": "what the real server reads as absent"}


def lax(schema: dict, *inputs: dict) -> dict:
    """``schema`` with the inputs the real server also takes by converting them."""
    extra = inputs[0] if len(inputs) == 1 else {"anyOf": list(inputs)}
    return {**schema, LAX: extra}


BOOLEAN = lax({"type": "boolean"}, LAX_BOOLEAN)
INTEGER = lax({"type": "integer"}, LAX_INTEGER)
# limit and offset where the published OpenAPI has a bare integer and no client sends null
PAGE_INTEGER = lax({"type": "integer"}, LAX_INTEGER, LAX_NULL)
# what the documents' filter sends: the real client's read_block_documents sends null for both
CLIENT_PAGE_INTEGER = {"anyOf": [INTEGER, NULL]}
TRUE_WORDS = ["1", "on", "t", "true", "y", "yes"]
FALSE_WORDS = ["0", "off", "f", "false", "n", "no"]
# a named document (is_anonymous false or left out) and an anonymous one
NOT_ANONYMOUS = lax({"const": False}, {"enum": [0, *FALSE_WORDS]})
ANONYMOUS = lax({"const": True}, {"enum": [1, *TRUE_WORDS]})

# The lax inputs PF-GEN-lax-inputs sends, each with the value the real server reads it as (every
# one lies in its annotation and outside the published reading: tests/test_contract.py).
LAX_INTEGERS = [(True, 1), (False, 0), ("2", 2), (" 2 ", 2), ("+2", 2), ("2.0", 2), ("1_0", 10)]
LAX_BOOLEANS = [
    (1, True),
    (0, False),
    ("1", True),
    ("0", False),
    ("yes", True),
    ("off", False),
    ("T", True),
    ("No", False),
    ("TRUE", True),
    ("false", False),
]


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
            "is_anonymous": {"anyOf": [strict({"eq_": {"anyOf": [BOOLEAN, NULL]}}), NULL]},
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
                    "is_anonymous": NOT_ANONYMOUS,
                },
                ["name", "block_schema_id", "block_type_id"],
            ),
            strict(
                {
                    "name": {"anyOf": [DOCUMENT_NAME, {"type": "null"}]},
                    "data": {"type": "object"},
                    "block_schema_id": UUID,
                    "block_type_id": UUID,
                    "is_anonymous": ANONYMOUS,
                },
                ["is_anonymous", "block_schema_id", "block_type_id"],
            ),
        ]
    },
    "BlockDocumentUpdate": strict(
        {
            "block_schema_id": {"anyOf": [UUID, {"type": "null"}]},
            "data": {"type": "object"},
            "merge_existing_data": BOOLEAN,
        }
    ),
    "BlockTypesFilterBody": {
        "type": "object",
        LAX: LAX_NULL,
        "properties": {
            "block_types": {"anyOf": [ref("BlockTypeFilter"), {"type": "null"}]},
            "block_schemas": {"anyOf": [ref("BlockSchemaFilter"), {"type": "null"}]},
            "limit": PAGE_INTEGER,
            "offset": PAGE_INTEGER,
        },
    },
    "BlockSchemasFilterBody": {
        "type": "object",
        LAX: LAX_NULL,
        "properties": {
            "block_schemas": {"anyOf": [ref("BlockSchemaFilter"), {"type": "null"}]},
            "limit": PAGE_INTEGER,
            "offset": PAGE_INTEGER,
        },
    },
    "BlockDocumentsFilterBody": {
        "type": "object",
        LAX: LAX_NULL,
        "properties": {
            "block_documents": {"anyOf": [ref("BlockDocumentFilter"), {"type": "null"}]},
            "block_types": {"anyOf": [ref("BlockTypeFilter"), {"type": "null"}]},
            "block_schemas": {"anyOf": [ref("BlockSchemaFilter"), {"type": "null"}]},
            "include_secrets": lax({"type": "boolean"}, LAX_BOOLEAN, LAX_NULL),
            "sort": {
                "anyOf": [
                    {"enum": ["NAME_ASC", "NAME_DESC", "BLOCK_TYPE_AND_NAME_ASC"]},
                    {"type": "null"},
                ]
            },
            "limit": CLIENT_PAGE_INTEGER,
            "offset": CLIENT_PAGE_INTEGER,
        },
    },
    "BlockDocumentsCountBody": {
        "type": "object",
        LAX: LAX_NULL,
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


INCLUDE_SECRETS = {"name": "include_secrets", "in": "query", "required": False, "schema": BOOLEAN}


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
            "description": "Written for blocks-conformance from Prefect's published OpenAPI and "
            "the behaviour of the real Prefect 3.8.8 server; paths are relative to the base URL "
            f"that includes /api. A request schema is what a server must accept; its {LAX} "
            "annotation names inputs the published OpenAPI leaves out that the real server "
            'accepts by converting them (pydantic\'s lax mode: false or "5" for an integer, 0 '
            'or "yes" for a boolean, null read as absent), which a server may also refuse.',
        },
        paths(),
        {**responses, **FILTERS, **REQUESTS},
    )


if __name__ == "__main__":
    main(build, CONTRACT_PATH)
