"""Redeploy: only from failed or warning (set through the test hook), otherwise 409."""

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status, validate_body
from .helpers import DEPLOYMENTS, NEEDS_HOOK, SUCCESS, parameter


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
def test_redeploy_of_a_failed_or_warning_deployment_redeploys_the_latest_revision(
    api, peak, set_status, status
):
    """ "Redeploy latest revision": revision 2 again in place, or a revision 3 copying it (2 then
    superseded); either way the latest revision is the one the answer names, with revision 2's
    release and parameters, and the deployment leaves the status it was in."""
    spec = peak.spec(parameters={"build": [], "run": [parameter("limit", "number")]})
    deployment = peak.deployment(spec["id"], parameters={"run": {"limit": 5}})
    peak.revision(deployment["id"], {"parameters": {"run": {"limit": 6}}})
    set_status(deployment["id"], status)
    answer = api.post(f"{DEPLOYMENTS}{deployment['id']}/redeploy")
    expect_status(answer, *SUCCESS, requirement=f"redeploy of a {status} deployment")
    redeployed = validate_body(answer, "redeployed")
    expect_equal(redeployed["deploymentId"], deployment["id"], "deploymentId", answer)
    number = redeployed["revision"]
    expect(
        number in (2, 3),
        "the redeployed revision must be 2 (in place) or 3 (a copy)",
        f"gave {number}",
        answer,
    )
    described = peak.describe_deployment(deployment["id"])
    latest = described["latestRevision"]
    expect_equal(latest["revision"], number, "latestRevision after redeploy", None)
    expect_equal(latest["id"], redeployed["revisionId"], "latestRevision.id", None)
    expect_equal(latest["release"]["version"], "1.0.0", "the redeployed release", None)
    expect_equal(latest["parameters"]["run"], {"limit": 6}, "the redeployed parameters", None)
    expect(
        described["status"] != status,
        f"the deployment must leave {status}",
        f"is still {status}",
        None,
    )
    if number == 3:
        previous = expect_json(
            api.get(f"{DEPLOYMENTS}{deployment['id']}/revisions/2"), 200, "revision"
        )
        expect_equal(previous["status"], "superseded", "revision 2 after the redeploy", None)
