"""Generated cases from our OpenAPI contract (``fixtures/openapi/peak_press.json``).

Schemathesis generates requests for every JSON operation; the suite sends them with its own
client (token, timeouts, clean-up registry) and lets schemathesis judge the answers. Valid
requests are aimed at a spec and a deployment the run owns (their ids, release version and
revision number in the path) with every name moved into the run's namespace, so they only
change or create objects the run deletes; invalid requests are sent as generated. The contract
has no DELETE operation: generated cases delete nothing.
"""

import pytest

from ..generation import POSITIVE, Contract, contract_tests
from .contract import CONTRACT_PATH
from .helpers import parameter


def can_be_invalid(operation) -> bool:
    """A body, a query parameter or a path parameter that is not any string: something an
    invalid request can get wrong (any text is a valid spec or deployment id)."""
    parameters = list(operation.iter_parameters())
    return bool(operation.body) or any(
        parameter.location == "query"
        or parameter.definition.get("schema", {}).get("type") not in (None, "string")
        for parameter in parameters
    )


CONTRACT = Contract(CONTRACT_PATH, can_be_invalid)


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


def prepared(mode, owned: dict):
    def prepare(case) -> None:
        if mode is POSITIVE:
            aimed_at_owned(case, owned)

    return prepare


(
    test_generated_valid_requests_follow_the_contract,
    test_generated_invalid_requests_are_refused,
) = contract_tests(CONTRACT, "PP-GEN-contract", "PP-GEN-invalid-rejected", prepared)
