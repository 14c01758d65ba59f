"""Generated cases from our OpenAPI contract (``fixtures/openapi/peak-press.json``).

Schemathesis generates requests for every JSON operation; the suite sends them with its own
client (token, timeouts, clean-up registry) and lets schemathesis judge the answers. Valid
requests are aimed at a spec and a deployment the run owns (their ids, release version and
revision number in the path) with every name moved into the run's namespace, so they only
change or create objects the run deletes; invalid requests are sent as generated. The contract
has no DELETE operation: generated cases delete nothing.
"""

import pytest
from hypothesis import assume, given, seed
from schemathesis import GenerationMode, openapi
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core import NotSet

from ..checks import fail
from ..generation import generated_settings
from .contract import CONTRACT_PATH
from .helpers import parameter

CONTRACT = openapi.from_path(str(CONTRACT_PATH))
OPERATIONS = {operation.ok().label: operation.ok() for operation in CONTRACT.get_all_operations()}


def can_be_invalid(operation) -> bool:
    """A body, a query parameter or a path parameter that is not any string: something an
    invalid request can get wrong (any text is a valid spec or deployment id)."""
    parameters = list(operation.iter_parameters())
    return bool(operation.body) or any(
        parameter.location == "query"
        or parameter.definition.get("schema", {}).get("type") not in (None, "string")
        for parameter in parameters
    )


WITH_INPUT = [label for label, operation in OPERATIONS.items() if can_be_invalid(operation)]
VALID_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
INVALID_CHECKS = [not_a_server_error, negative_data_rejection, status_code_conformance]


@pytest.fixture
def owned(peak) -> dict:
    """A spec with run parameters and a deployment of it, for valid cases to aim at."""
    spec = peak.spec(
        parameters={"build": [], "run": [parameter("limit", "number"), parameter("tag", "string")]}
    )
    deployment = peak.deployment(spec["id"])
    return {"specId": spec["id"], "deploymentId": deployment["id"], "ns": peak.ns}


def aimed_at_owned(case, owned: dict) -> None:
    """Path ids of the run's objects; names in a body moved into the run's namespace."""
    path = dict(case.path_parameters or {})
    for key in ("specId", "deploymentId"):
        if key in path:
            path[key] = owned[key]
    if "version" in path:
        path["version"] = "1.0.0"
    if "revision" in path:
        path["revision"] = 1
    case.path_parameters = path
    body = case.body
    if not isinstance(body, dict):
        return
    body = dict(body)
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
    if metadata is not None and isinstance(metadata.get("name"), str):
        body["metadata"] = {**metadata, "name": f"{owned['ns']}{metadata['name']}"}
    if isinstance(body.get("name"), str):  # a deployment PATCH: flat metadata
        body["name"] = f"{owned['ns']}{body['name']}"
    if isinstance(body.get("spec"), dict):
        body["spec"] = {**body["spec"], "id": owned["specId"]}
    case.body = body


def is_invalid(case) -> bool:
    components = case.meta.components.values() if case.meta else []
    return any(component.mode is GenerationMode.NEGATIVE for component in components)


def send(api, case):
    kwargs = {"params": case.query or None, "headers": case.headers or None}
    body = case.body
    if isinstance(body, NotSet):
        return api.request(case.method, case.formatted_path, **kwargs)
    if isinstance(body, bytes | bytearray):  # negative cases may be raw, non-JSON bytes
        headers = {"content-type": "application/json", **(case.headers or {})}
        return api.request(
            case.method,
            case.formatted_path,
            content=bytes(body),
            params=kwargs["params"],
            headers=headers,
        )
    return api.request(case.method, case.formatted_path, body, **kwargs)


def run_generated(api, owned, pytestconfig, label: str, mode: GenerationMode, checks: list):
    operation = OPERATIONS[label]

    @generated_settings(pytestconfig)
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        # Negative generation sometimes leaves every part valid (an optional body left out):
        # such a case is not an invalid request.
        assume(mode is GenerationMode.POSITIVE or is_invalid(case))
        if mode is GenerationMode.POSITIVE:
            aimed_at_owned(case, owned)
        exchange = send(api, case)
        api.tally[f"schemathesis {mode.value} cases"] += 1
        try:
            case.validate_response(exchange.response, checks=checks)
        except (Exception, BaseExceptionGroup) as error:  # schemathesis groups its failures
            fail(
                f"a generated {mode.value} request to {label} must pass "
                f"{', '.join(c.__name__ for c in checks)}",
                str(error).strip()[:2000],
                exchange,
            )

    seed(pytestconfig.getoption("blocks_seed"))(check)()


@pytest.mark.generated
@pytest.mark.clause("PP-GEN-contract")
@pytest.mark.parametrize("label", list(OPERATIONS))
def test_generated_valid_requests_follow_the_contract(api, owned, pytestconfig, label):
    run_generated(api, owned, pytestconfig, label, GenerationMode.POSITIVE, VALID_CHECKS)


@pytest.mark.generated
@pytest.mark.clause("PP-GEN-invalid-rejected")
@pytest.mark.parametrize("label", WITH_INPUT)
def test_generated_invalid_requests_are_refused(api, owned, pytestconfig, label):
    run_generated(api, owned, pytestconfig, label, GenerationMode.NEGATIVE, INVALID_CHECKS)
