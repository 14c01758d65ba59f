"""Our OpenAPI 3.1 contract of the Kragle block types API: every operation the suite covers,
the request bodies the documents describe, and every status they allow (200, 403 for private
objects and missing authentication, 500 with the error envelope for every API error).

``python -m conformance.kragle.contract`` writes ``fixtures/openapi/kragle.json``.
"""

import json

from .. import fixtures_dir
from ..contracts import LAX, contract_path, document, localise, main, ref, schemas_of

RESPONSE_SCHEMAS = fixtures_dir() / "schemas" / "kragle"
DEFINITION_SCHEMA = fixtures_dir() / "kragle" / "block_definition.json"
CONTRACT_PATH = contract_path("kragle")
# A query boolean is 0 or 1, as the documents tell clients to send it (kragle_docs
# API_Reference.md: "Query-string parameters which are booleans should be passed as 0
# (representing false) or 1 (representing true)."). true and false are no such value, but a
# server may read them as 1 and 0 (KR-LIST-bad-boolean, a SHOULD): valid requests never send
# them, invalid ones are never made of them.
QUERY_BOOLEAN = {
    "type": "string",
    "enum": ["0", "1"],
    LAX: {"enum": ["true", "false"], "description": "what a server may read as 1 and 0"},
}
RENAMED = {"dependencies": "dependentRequired"}
# What a name may be (error 5 otherwise): not blank, no path, query or control characters.
NAME = {
    "type": "string",
    "maxLength": 255,
    "pattern": "^[^/?#%\\x00-\\x1f\\x7f]*[^/?#%\\s\\x00-\\x1f\\x7f][^/?#%\\x00-\\x1f\\x7f]*$",
}


def answers(success: str) -> dict:
    def content(schema: str) -> dict:
        return {"content": {"application/json": {"schema": ref(schema)}}}

    return {
        "200": {"description": "success", **content(success)},
        "403": {"description": "a private object, or authentication missing"},
        "500": {"description": "an API error: {code, msg}", **content("error")},
    }


def block_request(required: list[str]) -> dict:
    definition = {"anyOf": [ref("block_definition"), {"type": "string", "format": "uri"}]}
    properties = {
        "name": NAME,
        "definition": definition,
        "is_remote": {"type": "boolean"},
        "needs_approval": {"type": "boolean"},
    }
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    return {**schema, "required": required} if required else schema


def json_body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": ref(schema)}}}


def path_param(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def query(name: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema}


def paths() -> dict:
    block_id = path_param("id", {"type": "integer", "minimum": 1})
    return {
        "/authenticate": {
            "post": {
                "operationId": "authenticate",
                "requestBody": json_body("credentials"),
                "responses": answers("authenticated"),
            }
        },
        "/blocktypes": {
            "get": {
                "operationId": "list_blocktypes",
                "parameters": [
                    query("page", {"type": "integer", "minimum": 1}),
                    query("filter_user_types", QUERY_BOOLEAN),
                    query("show_resolved", QUERY_BOOLEAN),
                ],
                "responses": answers("block_list"),
            },
            "post": {
                "operationId": "create_blocktype",
                "requestBody": json_body("create_request"),
                "responses": answers("created"),
            },
        },
        "/validate/blocktypes": {
            "post": {
                "operationId": "validate_blocktype",
                "requestBody": json_body("create_request"),
                "responses": answers("validated"),
            }
        },
        "/blocktypes/byid/{id}": {
            "get": {
                "operationId": "read_blocktype_by_id",
                "parameters": [block_id],
                "responses": answers("block"),
            }
        },
        "/blocktypes/byname/{name}": {
            "get": {
                "operationId": "read_blocktype_by_name",
                "parameters": [path_param("name", NAME)],
                "responses": answers("block"),
            }
        },
        "/blocktypes/{id}": {
            "put": {
                "operationId": "update_blocktype",
                "parameters": [block_id],
                "requestBody": json_body("update_request"),
                "responses": answers("block"),
            }
        },
    }


def build() -> dict:
    schemas = schemas_of(RESPONSE_SCHEMAS, RENAMED)
    schemas["block_definition"] = localise(json.loads(DEFINITION_SCHEMA.read_text()), RENAMED)
    schemas["credentials"] = {
        "type": "object",
        "properties": {
            "username": {"type": "string"},
            "email": {"type": "string"},
            "password": {"type": "string"},
        },
        "required": ["password"],
        "additionalProperties": False,
    }
    schemas["create_request"] = block_request(["name", "definition"])
    schemas["update_request"] = block_request([])
    return document(
        {
            "title": "Kragle.io block types API (blocks-conformance contract)",
            "version": "1",
            "description": "Written for blocks-conformance from the Kragle documents; paths are "
            "relative to the base URL that includes /api/v1. Authentication is the auth_tkt "
            "cookie from POST /authenticate, or an inline {auth, payload} body.",
        },
        paths(),
        schemas,
    )


if __name__ == "__main__":
    main(build, CONTRACT_PATH)
