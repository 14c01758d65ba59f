"""Redeploy: only from failed or warning (set through the test hook), otherwise 409."""

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status, validate_body
from .helpers import DEPLOYMENTS, parameter

NEEDS_HOOK = pytest.mark.needs(
    "blocks_peak_press_hook_url",
    "a test hook that puts a deployment in failed or warning (--blocks-peak-press-hook-url)",
)


@pytest.mark.clause("PP-RDP-conflict")
def test_redeploy_of_a_healthy_deployment_conflicts(api, peak):
    deployment = peak.deployment(peak.spec()["id"])
    expect(
        deployment["status"] not in ("failed", "warning"),
        "a new deployment is neither failed nor warning",
        deployment["status"],
        None,
    )
    answer = api.post(f"{DEPLOYMENTS}{deployment['id']}/redeploy")
    expect_status(answer, 409, requirement=f"redeploy of a {deployment['status']} deployment")
    latest = peak.describe_deployment(deployment["id"])["latestRevision"]["revision"]
    expect_equal(latest, 1, "the latest revision after a refused redeploy", None)


@NEEDS_HOOK
@pytest.mark.clause("PP-RDP-failed")
@pytest.mark.parametrize("status", ["failed", "warning"])
def test_redeploy_of_a_failed_or_warning_deployment_adds_a_revision(api, peak, set_status, status):
    spec = peak.spec(parameters={"build": [], "run": [parameter("limit", "number")]})
    deployment = peak.deployment(spec["id"], parameters={"run": {"limit": 5}})
    peak.revision(deployment["id"], {"parameters": {"run": {"limit": 6}}})
    set_status(deployment["id"], status)
    answer = api.post(f"{DEPLOYMENTS}{deployment['id']}/redeploy")
    expect_status(answer, 200, 201, requirement=f"redeploy of a {status} deployment")
    redeployed = validate_body(answer, "redeployed")
    expect_equal(redeployed["deploymentId"], deployment["id"], "deploymentId", answer)
    expect_equal(redeployed["revision"], 3, "the redeployed revision's number", answer)
    latest = peak.describe_deployment(deployment["id"])["latestRevision"]
    expect_equal(latest["revision"], 3, "latestRevision after redeploy", None)
    expect_equal(latest["id"], redeployed["revisionId"], "latestRevision.id", None)
    expect_equal(latest["release"]["version"], "1.0.0", "the redeployed release", None)
    expect_equal(latest["parameters"]["run"], {"limit": 6}, "the redeployed parameters", None)
    previous = expect_json(api.get(f"{DEPLOYMENTS}{deployment['id']}/revisions/2"), 200, "revision")
    expect_equal(previous["status"], "superseded", "revision 2 after the redeploy", None)
