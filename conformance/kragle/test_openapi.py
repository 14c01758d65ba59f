"""Generated cases from our OpenAPI contract (``fixtures/openapi/kragle.json``).

Schemathesis generates requests for every operation; the suite sends them as the first test
user, with names moved into the run's namespace, remote definitions pointed at the suite's own
definition server and PUTs aimed at a block of the run, and lets schemathesis judge the answers
against the contract. Invalid requests must be refused: 403, or 500 with the error envelope.
"""

import pytest
from schemathesis.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ..checks import expect_status
from ..generation import POSITIVE, Contract, became_valid_when_sent, contract_tests, judged_by
from .contract import CONTRACT_PATH
from .helpers import minimal_definition

CONTRACT = Contract(CONTRACT_PATH)
VALID = judged_by([status_code_conformance, content_type_conformance, response_schema_conformance])


@pytest.fixture
def owned(blocks, definition_server) -> dict:
    """A block of the run for PUTs, a URL serving a valid definition, and the builder."""
    block = blocks.create("contract")
    url = blocks.serve(definition_server, "contract", minimal_definition("contract"))
    return {"block": block, "url": url, "blocks": blocks}


def into_namespace(case, body, blocks, owned: dict):
    """A valid request moved onto the run's own objects."""
    if case.path_parameters and "id" in case.path_parameters:
        case.path_parameters = {**case.path_parameters, "id": owned["block"]["id"]}
    if not isinstance(body, dict):
        return body
    body = dict(body)
    if "name" in body and case.path != "/authenticate":
        body["name"] = blocks.name(body["name"])[:200]
    if isinstance(body.get("definition"), str):
        body["definition"] = owned["url"]
    return body


def prepared(mode, owned: dict):
    """Valid cases aimed at the run's block and named in its namespace; every case is sent as
    the first test user."""
    blocks = owned["blocks"]

    def prepare(case) -> dict[str, str]:
        if mode is POSITIVE:
            case.body = into_namespace(case, case.body, blocks, owned)
        return blocks.first.headers

    return prepare


def refused(api, label, mode, case, exchange) -> None:
    """Only an acceptance can be excused; any other answer must be Kragle's refusal."""
    __tracebackhide__ = True
    accepted = 200 <= exchange.status < 300
    if accepted and became_valid_when_sent(case, exchange.response):
        return
    expect_status(exchange, 403, 500, requirement=f"an invalid request to {label} must be refused")


(
    test_generated_valid_requests_follow_the_contract,
    test_generated_invalid_requests_are_refused,
) = contract_tests(CONTRACT, "KR-GEN-contract", "KR-GEN-invalid-rejected", prepared, VALID, refused)
