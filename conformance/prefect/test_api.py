"""API-wide behaviour: service endpoints the client calls, error shapes, routing."""

import pytest

from ..checks import expect, expect_json, expect_status, validate_body
from ..client import NO_BODY, Exchange
from .checks import (
    expect_detail,
    expect_real_validation_shape,
    expect_validation_error,
    is_json,
)
from .helpers import UNKNOWN_ID, Blocks, malformed_id_status, real_keys


def reads_as_true_in_javascript(value) -> bool:
    """JavaScript's truthiness of a JSON value: false, null, 0 and "" are false."""
    return value not in (False, None, 0, "")


@pytest.mark.clause("PF-API-health")
def test_health_answers_a_true_body(api):
    answer = api.get("/health")
    expect_status(answer, 200, requirement="GET /api/health must answer 200")
    expect(is_json(answer), "its body must be JSON", "sent another body", answer)
    expect(
        reads_as_true_in_javascript(answer.json),
        "its body must read as true in JavaScript (the UI's health check)",
        f"answered {answer.text}",
        answer,
    )


@pytest.mark.clause("PF-API-health-literal")
def test_health_answers_the_literal_true(api):
    expect_json(api.get("/health"), 200, "health")


@pytest.mark.clause("PF-API-admin-version")
def test_admin_version_is_a_version_string(api):
    answer = api.get("/admin/version")
    version = expect_json(answer, 200, "version_string")
    expect(
        version.split(".")[0] == "3",
        "the server version must be of major version 3 (the client refuses another major)",
        f"answered {version!r}",
        answer,
    )


@pytest.mark.clause("PF-API-csrf-probe")
def test_csrf_probe_is_tolerated_by_the_client(run, api):
    answer = api.get("/csrf-token", params={"client": run.draws.uuid4()})
    expect_status(answer, 404, 422, requirement="the CSRF probe must answer 404 or 422")
    if answer.status == 422:
        expect(
            "CSRF protection is disabled." in answer.text,
            "a 422 from the CSRF probe must say 'CSRF protection is disabled.'",
            "said something else",
            answer,
        )


@pytest.mark.clause("PF-API-422-shape")
def test_validation_error_has_the_real_servers_shape(api):
    answer = api.post("/block_types/", {"name": 5})
    body = expect_real_validation_shape(answer, loc=["body", "slug"])
    expect(
        body["request_body"] == {"name": 5},
        "request_body must echo the parsed request body",
        f"gave {body['request_body']!r}",
        answer,
    )


@pytest.mark.clause("PF-API-422-shape")
def test_malformed_json_is_a_validation_error(api):
    answer = api.post(
        "/block_types/", content=b"{not json", headers={"content-type": "application/json"}
    )
    expect_real_validation_shape(answer)


COLLECTIONS = ["block_types", "block_schemas", "block_documents"]


@pytest.mark.clause("PF-API-malformed-uuid")
@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_malformed_path_id_is_a_client_error(api, collection, method):
    body = {} if method == "PATCH" else NO_BODY
    answer = api.request(method, f"/{collection}/not-a-uuid", body)
    expect_status(
        answer,
        *range(400, 500),
        requirement="a non-UUID path id must get a 4xx (404, 405 or 422 as the releases answer)",
    )
    expect(is_json(answer), "its body must be JSON", "sent another body", answer)


@pytest.mark.clause("PF-API-malformed-uuid-route")
@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_malformed_path_id_matches_no_route(run, api, collection, method):
    body = {} if method == "PATCH" else NO_BODY
    answer = api.request(method, f"/{collection}/not-a-uuid", body)
    status = malformed_id_status(run, collection, method)
    if status == 422:
        requirement = "before Prefect 3.4.8 a non-UUID path id must fail validation (422)"
        expect_validation_error(answer, ["path", "id"], requirement=requirement)
    elif status == 405:
        requirement = "before Prefect 3.4.8 a PATCH of a schema path must get 405 (no such route)"
        expect_detail(answer, 405, requirement=requirement)
    else:
        expect_detail(answer, 404, requirement="a non-UUID path id must get 404 (no route matches)")


@pytest.mark.clause("PF-API-version-header")
@pytest.mark.parametrize("version", ["banana", "0.7.9", "1.2"])
def test_bad_api_version_header_is_refused(api, version):
    answer = api.get(f"/block_types/{UNKNOWN_ID}", headers={"X-PREFECT-API-VERSION": version})
    expect_status(answer, 400, requirement=f"X-PREFECT-API-VERSION {version!r} must get 400")
    validate_body(answer, "detail_error")


@pytest.mark.clause("PF-API-version-header")
def test_current_api_version_header_is_accepted(api):
    answer = api.get("/block_types/slug/secret", headers={"X-PREFECT-API-VERSION": "0.8.4"})
    expect_json(
        answer, 200, "block_type", requirement="X-PREFECT-API-VERSION 0.8.4 must be accepted"
    )


def one_answer_of_each_kind(api, blocks: Blocks) -> list[Exchange]:
    """A success and the usual errors of every endpoint family: what the contract's content
    type check sees in generated runs, here deterministic."""
    block_type, schema = blocks.type_and_schema("content")
    document = blocks.document(block_type, schema)
    slug, name = block_type["slug"], document["name"]
    by_name = f"/block_types/slug/{slug}/block_documents/name/{name}"
    return [
        api.get("/health"),
        api.get("/admin/version"),
        api.get(f"/block_types/{block_type['id']}"),
        api.get(f"/block_types/{UNKNOWN_ID}"),
        api.get(f"/block_types/slug/{slug}"),
        api.post("/block_types/", {"name": blocks.unique("c"), "slug": slug}),
        api.post("/block_types/", {"name": "Prefect thing", "slug": blocks.unique("c")}),
        api.post("/block_types/", {"name": 5}),
        api.patch(f"/block_types/{UNKNOWN_ID}", {"description": "x"}),
        api.post("/block_types/filter", {"limit": 1}),
        api.post("/block_types/filter", {"limit": 201}),
        api.get(f"/block_schemas/{schema['id']}"),
        api.get(f"/block_schemas/checksum/{schema['checksum']}"),
        api.post("/block_schemas/", {"block_type_id": UNKNOWN_ID, "fields": {}}),
        api.post("/block_schemas/filter", {"limit": 1}),
        api.get("/block_capabilities/"),
        api.get(f"/block_documents/{document['id']}"),
        api.get(f"/block_documents/{UNKNOWN_ID}"),
        api.get(by_name),
        api.get(f"/block_types/slug/{slug}/block_documents"),
        api.post("/block_documents/", blocks.document_body(block_type, schema, name)),
        api.post("/block_documents/filter", {"limit": 1}),
        api.post("/block_documents/count", {}),
        api.post(
            "/block_documents/",
            blocks.document_body(block_type, schema, blocks.unique("c"), data={"k": {"$ref": {}}}),
        ),
    ]


@pytest.mark.clause("PF-API-content-type")
def test_every_answer_with_a_body_is_json(api, blocks):
    for answer in one_answer_of_each_kind(api, blocks):
        expect(
            is_json(answer),
            f"a {answer.status} answer to {answer.method} {answer.path} must be JSON",
            f"sent {answer.text[:200]!r}",
            answer,
        )


@pytest.mark.clause("PF-API-content-type-header")
def test_every_answer_with_a_body_says_application_json(api, blocks):
    for answer in one_answer_of_each_kind(api, blocks):
        content_type = answer.headers.get("content-type", "")
        expect(
            content_type.split(";")[0].strip() == "application/json",
            f"a {answer.status} answer to {answer.method} {answer.path} must have the content "
            "type application/json",
            f"sent the content type {content_type or 'none'}",
            answer,
        )


def keyed_objects(document: dict) -> list[tuple[str, str, dict]]:
    """A document and the objects nested in it, with their kinds."""
    schema = document.get("block_schema") or {}
    return [
        ("the document", "block_document", document),
        ("its block_type", "block_type", document.get("block_type") or {}),
        ("its block_schema", "block_schema", schema),
        ("its block_schema's block_type", "block_type", schema.get("block_type") or {}),
    ]


@pytest.mark.clause("PF-API-no-extra-fields")
def test_objects_carry_exactly_the_real_servers_keys(api, blocks):
    block_type, schema = blocks.type_and_schema("keys")
    document = blocks.document(block_type, schema)
    reads = [
        (api.get(f"/block_types/{block_type['id']}"), [("the type", "block_type")]),
        (api.get(f"/block_schemas/{schema['id']}"), [("the schema", "block_schema")]),
        (api.get(f"/block_documents/{document['id']}"), None),
    ]
    for answer, kinds in reads:
        body = expect_json(answer, 200, kinds[0][1] if kinds else "block_document")
        objects = [(what, kind, body) for what, kind in kinds] if kinds else keyed_objects(body)
        for what, kind, found in objects:
            extra = sorted(set(found) - set(real_keys(kind)))
            expect(
                not extra,
                f"{what} must carry only the real server's keys",
                f"added {extra}",
                answer,
            )
