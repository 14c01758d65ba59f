"""API-wide behaviour: service endpoints the client calls, error shapes, routing."""

import pytest

from .. import randomness
from ..checks import expect, expect_json, expect_status, validate_body
from ..client import NO_BODY
from .checks import expect_detail, expect_validation_error
from .helpers import UNKNOWN_ID


@pytest.mark.clause("PF-API-health")
def test_health_answers_true(api):
    expect_json(api.get("/health"), 200, "health")


@pytest.mark.clause("PF-API-admin-version")
def test_admin_version_is_a_version_string(api):
    expect_json(api.get("/admin/version"), 200, "version_string")


@pytest.mark.clause("PF-API-csrf-probe")
def test_csrf_probe_is_tolerated_by_the_client(api):
    answer = api.get("/csrf-token", params={"client": randomness.uuid4()})
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
    body = expect_validation_error(answer, loc=["body", "slug"])
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
    expect_validation_error(answer)


@pytest.mark.clause("PF-API-malformed-uuid")
@pytest.mark.parametrize("collection", ["block_types", "block_schemas", "block_documents"])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_malformed_path_id_matches_no_route(api, collection, method):
    body = {} if method == "PATCH" else NO_BODY
    answer = api.request(method, f"/{collection}/not-a-uuid", body)
    expect_detail(
        answer, 404, "Not Found", requirement="a non-UUID path id must get 404 (no route matches)"
    )


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
