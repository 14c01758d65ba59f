"""Block parameters: definitions, the seven types, required ones, hidden values, and the run
parameters a deployment reads and patches."""

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status
from .helpers import DEPLOYMENTS, parameter

GOOD_AND_BAD = {
    "boolean": (True, "yes"),
    "string": ("text", 5),
    "string_array": (["a", "b"], ["a", 1]),
    "number": (2.5, "2.5"),
    "number_array": ([1, 2.5], [1, "2"]),
    "object": ({"k": "v"}, ["k"]),
    "object_array": ([{"k": 1}], [{"k": 1}, 2]),
}


def parameters_path(deployment_id: str) -> str:
    return f"/v1/deployments/{deployment_id}/parameters/run"


@pytest.mark.clause("PP-PAR-definitions")
@pytest.mark.parametrize(
    "definition",
    [
        {"name": "p", "type": "integer", "required": False},
        {"name": "p", "required": False},
        {"type": "string", "required": False},
        {"name": "p", "type": "string"},
        {"name": "p", "type": "string", "required": "yes"},
    ],
    ids=["unknown-type", "no-type", "no-name", "no-required", "required-not-boolean"],
)
def test_malformed_definitions_are_refused(peak, definition):
    body = peak.spec_body()
    answer = peak.post_spec(body, parameters={"build": [], "run": [definition]})
    expect_status(answer, 400, 422)
    spec = peak.spec()
    answer = peak.post_release(spec["id"], "1.1.0", parameters={"run": [], "build": [definition]})
    expect_status(answer, 400, 422)


@pytest.mark.clause("PP-PAR-types")
@pytest.mark.parametrize("kind", list(GOOD_AND_BAD))
@pytest.mark.parametrize("section", ["build", "run"])
def test_each_type_takes_its_values_only(peak, kind, section):
    definitions = [parameter("value", kind)]
    spec = peak.spec(parameters={"build": [], "run": [], section: definitions})
    good, bad = GOOD_AND_BAD[kind]
    refused = peak.deployment_body(spec["id"], parameters={section: {"value": bad}})
    answer = peak.post_deployment(refused)
    expect_status(answer, 400, 422, requirement=f"a {kind} parameter given {bad!r} must be refused")
    deployment = peak.deployment(spec["id"], parameters={section: {"value": good}})
    stored = deployment["latestRevision"]["parameters"][section].get("value")
    expect_equal(stored, good, f"the {section} {kind} parameter's value", None)


@pytest.mark.clause("PP-PAR-required")
def test_required_parameters_must_be_given_and_optional_ones_default(peak):
    spec = peak.spec(
        parameters={
            "build": [parameter("image_tag", "string", required=True)],
            "run": [parameter("limit", "number", defaultValue=10)],
        }
    )
    missing = peak.deployment_body(spec["id"], parameters={"run": {"limit": 3}})
    expect_status(
        peak.post_deployment(missing), 400, 422, requirement="a required parameter left out"
    )
    deployment = peak.deployment(spec["id"], parameters={"build": {"image_tag": "v1"}})
    values = deployment["latestRevision"]["parameters"]
    expect_equal(values["run"].get("limit"), 10, "an optional parameter left out", None)
    revision = peak.post_revision(deployment["id"], {"parameters": {"run": {"limit": 4}}})
    expect_status(revision, 400, 422, requirement="a revision leaving out a required parameter")


@pytest.mark.clause("PP-PAR-unknown")
def test_undefined_parameters_are_refused(api, peak):
    spec = peak.spec(parameters={"build": [], "run": [parameter("limit", "number")]})
    body = peak.deployment_body(spec["id"], parameters={"run": {"limits": 3}})
    expect_status(peak.post_deployment(body), 400, 422)
    deployment = peak.deployment(spec["id"])
    expect_status(api.patch(parameters_path(deployment["id"]), {"limits": 3}), 400, 422)


@pytest.mark.clause("PP-PAR-hidden")
def test_hidden_values_never_appear_in_descriptions(run, api, peak):
    spec = peak.spec(
        parameters={
            "build": [parameter("build_token", "string", hideValue=True)],
            "run": [parameter("api_key", "string", required=True, hideValue=True)],
        }
    )
    secret = f"hidden-{run.draws.token_hex(8)}"
    values = {"build": {"build_token": f"{secret}-build"}, "run": {"api_key": secret}}
    deployment = peak.deployment(spec["id"], parameters=values)
    peak.revision(deployment["id"], {"parameters": values})
    base = f"{DEPLOYMENTS}{deployment['id']}"
    reads = [
        api.get(base),
        api.get(DEPLOYMENTS, params={"name": deployment["metadata"]["name"]}),
        api.get(f"{base}/revisions/1"),
        api.get(f"{base}/revisions/2"),
        api.get(f"{base}/revisions"),
    ]
    for answer in reads:
        expect_status(answer, 200)
        expect(
            secret not in answer.text,
            f"{answer.path} must not show a hidden value",
            f"showed {secret}",
            answer,
        )


@pytest.mark.clause("PP-PAR-get")
def test_get_answers_the_run_parameters_of_the_latest_revision(api, peak):
    definitions = [parameter("limit", "number"), parameter("mode", "string", defaultValue="x")]
    spec = peak.spec(parameters={"build": [parameter("tag", "string")], "run": definitions})
    deployment = peak.deployment(
        spec["id"], parameters={"run": {"limit": 1}, "build": {"tag": "t"}}
    )
    answer = api.get(parameters_path(deployment["id"]))
    expect_equal(expect_json(answer, 200, "parameters"), {"limit": 1, "mode": "x"}, "run", answer)
    peak.revision(deployment["id"], {"parameters": {"run": {"limit": 2, "mode": "y"}}})
    answer = api.get(parameters_path(deployment["id"]))
    expect_equal(answer.json, {"limit": 2, "mode": "y"}, "run parameters of revision 2", answer)


@pytest.mark.clause("PP-PAR-patch")
def test_patch_merges_into_the_run_parameters(api, peak):
    definitions = [parameter("limit", "number"), parameter("mode", "string")]
    spec = peak.spec(parameters={"build": [], "run": definitions})
    deployment = peak.deployment(spec["id"], parameters={"run": {"limit": 1, "mode": "fast"}})
    path = parameters_path(deployment["id"])
    answer = api.patch(path, {"limit": 7})
    merged = {"limit": 7, "mode": "fast"}
    expect_equal(expect_json(answer, 200, "parameters"), merged, "the PATCH answer", answer)
    read = api.get(path)
    expect_equal(expect_json(read, 200, "parameters"), merged, "run parameters after PATCH", read)
    expect_status(api.patch(path, {"limit": "seven"}), 400, 422)
    read = api.get(path)
    expect_equal(read.json, merged, "run parameters after a refused PATCH", read)
