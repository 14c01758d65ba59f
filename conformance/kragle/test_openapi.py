"""Generated cases from our OpenAPI contract (``fixtures/openapi/kragle.json``).

Schemathesis generates requests for every operation; the suite sends them as the first test
user, with names moved into the run's namespace, remote definitions pointed at the suite's own
definition server and PUTs aimed at a block of the run, and lets schemathesis judge the answers
against the contract. Invalid requests must be refused: 403, or 500 with the error envelope.
"""

import pytest
from hypothesis import assume, given, seed
from schemathesis import GenerationMode, openapi
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core import NotSet

from ..checks import expect_status, fail
from ..generation import generated_settings
from .contract import CONTRACT_PATH
from .helpers import minimal_definition

CONTRACT = openapi.from_path(str(CONTRACT_PATH))
OPERATIONS = {operation.ok().label: operation.ok() for operation in CONTRACT.get_all_operations()}
WITH_INPUT = [
    label
    for label, operation in OPERATIONS.items()
    if operation.body or list(operation.iter_parameters())
]
VALID_CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def owned(blocks, definition_server) -> dict:
    """A block of the run for PUTs, and a URL serving a valid definition."""
    block = blocks.create("contract")
    url = blocks.serve(definition_server, "contract", minimal_definition("contract"))
    return {"block": block, "url": url}


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


def is_invalid(case) -> bool:
    components = case.meta.components.values() if case.meta else []
    return any(component.mode is GenerationMode.NEGATIVE for component in components)


def became_valid_when_sent(case, response) -> bool:
    """Whether schemathesis itself excuses a 2xx answer to this negative case: its mutation
    did not survive serialization (an integer 0 for a string enum of "0" and "1" is sent as
    the query value "0", which is valid)."""
    try:
        case.validate_response(response, checks=[negative_data_rejection])
    except (Exception, BaseExceptionGroup):
        return False
    return True


def send(api, case, body, headers):
    kwargs = {"params": case.query or None, "headers": {**(case.headers or {}), **headers}}
    path = case.formatted_path
    if isinstance(body, NotSet):
        return api.request(case.method, path, **kwargs)
    if isinstance(body, bytes | bytearray):
        kwargs["headers"]["content-type"] = "application/json"
        return api.request(case.method, path, content=bytes(body), **kwargs)
    return api.request(case.method, path, body, **kwargs)


def run_generated(api, blocks, owned, pytestconfig, label: str, mode: GenerationMode):
    operation = OPERATIONS[label]

    @generated_settings(pytestconfig)
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        assume(mode is GenerationMode.POSITIVE or is_invalid(case))
        body = case.body
        if mode is GenerationMode.POSITIVE:
            body = into_namespace(case, body, blocks, owned)
            case.body = body
        exchange = send(api, case, body, blocks.first.headers)
        api.tally[f"schemathesis {mode.value} cases"] += 1
        if mode is GenerationMode.NEGATIVE:
            # only an acceptance can be excused; any other answer must be Kragle's refusal
            accepted = 200 <= exchange.status < 300
            if accepted and became_valid_when_sent(case, exchange.response):
                return
            expect_status(
                exchange, 403, 500, requirement=f"an invalid request to {label} must be refused"
            )
            return
        try:
            case.validate_response(exchange.response, checks=VALID_CHECKS)
        except (Exception, BaseExceptionGroup) as error:
            fail(
                f"a generated valid request to {label} must follow the contract",
                str(error).strip()[:2000],
                exchange,
            )

    seed(pytestconfig.getoption("blocks_seed"))(check)()


@pytest.mark.generated
@pytest.mark.clause("KR-GEN-contract")
@pytest.mark.parametrize("label", list(OPERATIONS))
def test_generated_valid_requests_follow_the_contract(api, blocks, owned, pytestconfig, label):
    run_generated(api, blocks, owned, pytestconfig, label, GenerationMode.POSITIVE)


@pytest.mark.generated
@pytest.mark.clause("KR-GEN-invalid-rejected")
@pytest.mark.parametrize("label", WITH_INPUT)
def test_generated_invalid_requests_are_refused(api, blocks, owned, pytestconfig, label):
    run_generated(api, blocks, owned, pytestconfig, label, GenerationMode.NEGATIVE)
