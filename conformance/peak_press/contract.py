"""The Peak Press profile's OpenAPI 3.1 contract (``fixtures/openapi/peak_press.json``), built
from the answers' JSON Schemas (``fixtures/schemas/peak_press/``) and the statuses the clauses
allow. ``python -m conformance.peak_press.contract`` writes it; a test checks it is current.

The multipart spec and release creates are left out: their ``spec`` field is JSON inside a form
field, which a generator can only fill with noise; the clauses check them."""

from .. import file_name, fixtures_dir
from ..contracts import contract_path, document, main, ref, schemas_of

SCHEMAS = fixtures_dir() / "schemas" / file_name("peak-press")
CONTRACT_PATH = contract_path("peak-press")
SPEC_STATUSES = ["available", "unavailable", "archived"]
SCOPES = ["private", "public", "shared"]
DEPLOYMENT_STATUSES = [
    "deploying",
    "deployed",
    "deleting",
    "delete_failed",
    "failed",
    "platform_resource_error",
    "redeploying",
    "rollback",
    "rollback_complete",
    "rollback_failed",
    "warning",
]


def answer(schema: str | None, description: str) -> dict:
    if schema is None:
        return {"description": description}
    content = {"application/json": {"schema": ref(schema)}}
    return {"description": description, "content": content}


def success(response: dict) -> dict:
    """A create's success: peak-sdk takes any 2xx (peak/handler.py), and 200, 201 and 202 are
    the ones a create answers with a body."""
    return {str(status): response for status in (200, 201, 202)}


def errors(*statuses: int) -> dict:
    meanings = {
        400: "invalid input",
        401: "no or a wrong token",
        404: "no such object",
        409: "a name, version or state conflict",
        422: "invalid input",
    }
    return {str(status): answer("error", meanings[status]) for status in (*statuses, 401)}


def query(name: str, schema: dict, repeated: bool = False) -> dict:
    if repeated:
        schema = {"type": "array", "items": schema}
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if repeated:
        parameter.update(style="form", explode=True)
    return parameter


def path_parameter(name: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema or {"type": "string"}}


def sort_parameter(fields: list[str]) -> dict:
    pattern = f"^({'|'.join(fields)}):(asc|desc)$"
    return query("sort", {"type": "string", "pattern": pattern}, repeated=True)


PAGE = [
    query("pageSize", {"type": "integer", "minimum": 1}),
    query("pageNumber", {"type": "integer", "minimum": 1}),
]
METADATA_UPDATE = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "title": {"type": "string"},
        "summary": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "descriptionContentType": {"type": "string"},
        "imageUrl": {"type": "string"},
        "tags": ref("common/$defs/tags"),
    },
    "additionalProperties": False,
}
VALUES = {
    "type": "object",
    "properties": {
        "build": {"type": "object"},
        "run": {"type": "object"},
    },
    "additionalProperties": False,
}


def json_body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def operations() -> dict:
    spec = [path_parameter("specId")]
    deployment = [path_parameter("deploymentId")]
    return {
        "/v1/blocks/specs/": {
            "get": {
                "operationId": "list_specs",
                "parameters": [
                    query("status", {"enum": SPEC_STATUSES}, repeated=True),
                    query("scope", {"enum": SCOPES}, repeated=True),
                    # no widening: a boolean in a query is "true" or "false", and peak-sdk
                    # sends Python's True and False (PP-SPEC-list asks for both); every
                    # other input is of the type the SDK sends, so the contract has no
                    # x-blocks-lax annotation
                    query("featured", {"enum": ["true", "false", "True", "False"]}),
                    query("name", {"type": "string"}),
                    query("title", {"type": "string"}),
                    sort_parameter(["createdAt", "createdBy", "name", "title"]),
                    *PAGE,
                ],
                "responses": {"200": answer("spec_list", "a page of specs"), **errors(400, 422)},
            }
        },
        "/v1/blocks/specs/{specId}": {
            "parameters": spec,
            "get": {
                "operationId": "describe_spec",
                "responses": {"200": answer("spec", "the spec"), **errors(404)},
            },
            "patch": {
                "operationId": "update_spec_metadata",
                "requestBody": json_body(
                    {
                        "type": "object",
                        "properties": {
                            "metadata": {
                                **METADATA_UPDATE,
                                "properties": {
                                    **METADATA_UPDATE["properties"],
                                    "status": {"enum": SPEC_STATUSES},
                                },
                            },
                            "featured": {"type": "boolean"},
                            "scope": {"enum": SCOPES},
                            "tenants": {"type": "array", "items": {"type": "string"}},
                        },
                        "additionalProperties": False,
                    }
                ),
                "responses": {
                    "200": answer("spec", "the updated spec"),
                    **errors(400, 404, 409, 422),
                },
            },
        },
        "/v1/blocks/specs/{specId}/releases": {
            "parameters": spec,
            "get": {
                "operationId": "list_spec_releases",
                "parameters": [sort_parameter(["createdAt", "createdBy"]), *PAGE],
                "responses": {
                    "200": answer("release_list", "a page of releases"),
                    **errors(400, 404, 422),
                },
            },
        },
        "/v1/blocks/specs/{specId}/releases/{version}": {
            "parameters": [*spec, path_parameter("version")],
            "get": {
                "operationId": "describe_spec_release",
                "responses": {"200": answer("release", "the release"), **errors(404)},
            },
        },
        "/v1/blocks/deployments/": {
            "get": {
                "operationId": "list_deployments",
                "parameters": [
                    query("status", {"enum": DEPLOYMENT_STATUSES}, repeated=True),
                    query("name", {"type": "string"}),
                    query("title", {"type": "string"}),
                    sort_parameter(["createdAt", "createdBy", "name", "title"]),
                    *PAGE,
                ],
                "responses": {
                    "200": answer("deployment_list", "a page of deployments"),
                    **errors(400, 422),
                },
            },
            "post": {
                "operationId": "create_deployment",
                "requestBody": json_body(
                    {
                        "type": "object",
                        "required": ["metadata", "spec"],
                        "properties": {
                            "metadata": {**METADATA_UPDATE, "required": ["name", "summary"]},
                            "parameters": VALUES,
                            "revision": {
                                "type": "object",
                                "properties": {"notes": {"type": "string"}},
                            },
                            "spec": {
                                "type": "object",
                                "required": ["id"],
                                "properties": {
                                    "id": {"type": "string"},
                                    "release": {
                                        "type": "object",
                                        "properties": {"version": {"type": "string"}},
                                    },
                                },
                            },
                        },
                    }
                ),
                "responses": {
                    **success(answer("created", "the new deployment's id")),
                    **errors(400, 404, 409, 422),
                },
            },
        },
        "/v1/blocks/deployments/{deploymentId}": {
            "parameters": deployment,
            "get": {
                "operationId": "describe_deployment",
                "responses": {"200": answer("deployment", "the deployment"), **errors(404)},
            },
            "patch": {
                "operationId": "update_deployment_metadata",
                "requestBody": json_body(METADATA_UPDATE),
                "responses": {
                    "200": answer("deployment", "the updated deployment"),
                    **errors(400, 404, 409, 422),
                },
            },
        },
        "/v1/blocks/deployments/{deploymentId}/redeploy": {
            "parameters": deployment,
            "post": {
                "operationId": "redeploy",
                "responses": {
                    **success(answer("redeployed", "the redeployed revision")),
                    **errors(404, 409),
                },
            },
        },
        "/v1/blocks/deployments/{deploymentId}/revisions": {
            "parameters": deployment,
            "get": {
                "operationId": "list_deployment_revisions",
                "parameters": [
                    query("status", {"enum": [*DEPLOYMENT_STATUSES, "superseded"]}, repeated=True),
                    sort_parameter(["createdAt", "createdBy"]),
                    *PAGE,
                ],
                "responses": {
                    "200": answer("revision_list", "a page of revisions"),
                    **errors(400, 404, 422),
                },
            },
            "post": {
                "operationId": "create_deployment_revision",
                "requestBody": json_body(
                    {
                        "type": "object",
                        "properties": {
                            "release": {
                                "type": "object",
                                "properties": {"version": {"type": "string"}},
                            },
                            "revision": {
                                "type": "object",
                                "properties": {"notes": {"type": "string"}},
                            },
                            "parameters": VALUES,
                        },
                    }
                ),
                "responses": {
                    **success(answer("revision_created", "the new revision")),
                    **errors(400, 404, 409, 422),
                },
            },
        },
        "/v1/blocks/deployments/{deploymentId}/revisions/{revision}": {
            "parameters": [
                *deployment,
                path_parameter("revision", {"type": "integer", "minimum": 1}),
            ],
            "get": {
                "operationId": "describe_deployment_revision",
                "responses": {"200": answer("revision", "the revision"), **errors(404)},
            },
        },
        "/v1/deployments/{deploymentId}/parameters/run": {
            "parameters": deployment,
            "get": {
                "operationId": "get_parameters",
                "responses": {"200": answer("parameters", "the run parameters"), **errors(404)},
            },
            "patch": {
                "operationId": "patch_parameters",
                "requestBody": json_body({"type": "object"}),
                "responses": {
                    "200": answer("parameters", "the merged run parameters"),
                    **errors(400, 404, 422),
                },
            },
        },
    }


def build() -> dict:
    return document(
        {
            "title": "Peak Press blocks API (as peak-sdk 1.29.0 calls it)",
            "version": "1.29.0",
            "description": "Paths are below the target URL; every request carries "
            "Authorization: <token>. Spec and release creates (multipart) are left out.",
        },
        operations(),
        schemas_of(SCHEMAS),
    )


if __name__ == "__main__":
    main(build, CONTRACT_PATH)
