"""Across the API: the token, the error body, the service paths peak-sdk calls on its own."""

import pytest

from ..checks import expect, expect_status, validate_body
from ..client import ApiClient
from ..target import client_of
from .helpers import DEPLOYMENTS, SPECS, UNKNOWN_ID, form


@pytest.fixture
def client_with(run, api: ApiClient):
    """Clients of the target with other headers (or none); whatever a server wrongly lets them
    create is handed to the run's clean-up."""
    made: list[ApiClient] = []

    def make(headers: dict[str, str]) -> ApiClient:
        client = client_of(run, api.base_url, headers, api.timeout)
        made.append(client)
        return client

    yield make
    for client in made:
        for kind, ids in client.created.ids.items():
            for object_id in ids:
                api.created.add(kind, object_id)
        client.close()


def unauthorised_calls(client: ApiClient, peak) -> list:
    body = peak.spec_body()
    return [
        client.get(SPECS),
        client.get(f"{SPECS}{UNKNOWN_ID}"),
        client.post(SPECS, files={**form(body), "featured": (None, "null")}),
        client.get(DEPLOYMENTS),
    ]


@pytest.mark.clause("PP-API-token")
def test_requests_without_a_token_answer_401(client_with, peak):
    for answer in unauthorised_calls(client_with({}), peak):
        expect_status(answer, 401, requirement=f"{answer.method} {answer.path} without a token")


@pytest.mark.clause("PP-API-token")
def test_requests_with_an_unknown_token_answer_401(run, client_with, peak):
    wrong = client_with({"Authorization": f"conformance-wrong-{run.draws.token_hex(8)}"})
    for answer in unauthorised_calls(wrong, peak):
        expect_status(answer, 401, requirement=f"{answer.method} {answer.path} with a wrong token")


@pytest.mark.clause("PP-API-token")
def test_the_raw_token_is_accepted(api):
    """The run's own client sends the token as peak-sdk does: the raw value, no Bearer."""
    answer = api.get(SPECS, params={"pageSize": 1})
    sent = answer.response.request.headers.get("authorization", "") if answer.response else ""
    expect(not sent.lower().startswith("bearer "), "the suite sends the raw token", "Bearer", None)
    expect_status(answer, 200)


@pytest.mark.clause("PP-API-error-shape")
@pytest.mark.parametrize(
    "path", [f"{SPECS}{UNKNOWN_ID}", f"{DEPLOYMENTS}{UNKNOWN_ID}", f"{SPECS}{UNKNOWN_ID}/releases"]
)
def test_not_found_answers_carry_a_detail(api, path):
    answer = api.get(path)
    expect_status(answer, 404)
    validate_body(answer, "detail_error")


@pytest.mark.clause("PP-API-error-shape")
def test_invalid_requests_carry_a_detail(api, peak):
    answer = api.get(SPECS, params={"pageSize": "0"})
    expect_status(answer, 400, 422)
    validate_body(answer, "detail_error")
    answer = peak.post_deployment({"metadata": {"name": peak.unique("x")}})
    expect_status(answer, 400, 422)
    validate_body(answer, "detail_error")


@pytest.mark.clause("PP-API-session-bootstrap")
def test_tenant_metadata_and_telemetry_answer(api):
    answer = api.get("/tenant-management/api/v1/external/tenants/tenant-metadata")
    expect_status(answer, 200)
    expect(
        isinstance(answer.json, dict), "the tenant metadata is a JSON object", answer.text, answer
    )
    telemetry = api.post("/resource-usage/api/v1/telemetry", {"method": "GET", "statusCode": 200})
    expect(
        200 <= telemetry.status < 300, "telemetry must answer 2xx", str(telemetry.status), telemetry
    )
