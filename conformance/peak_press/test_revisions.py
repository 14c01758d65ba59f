"""Deployment revisions: numbering, superseded, release choice, describe and list."""

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status, validate_body
from .helpers import DEPLOYMENTS, SUCCESS


def revisions_path(deployment: dict) -> str:
    return f"{DEPLOYMENTS}{deployment['id']}/revisions"


@pytest.mark.clause("PP-REV-numbering")
def test_revisions_are_numbered_from_one_by_one(peak):
    deployment = peak.deployment(peak.spec()["id"])
    expect_equal(deployment["latestRevision"]["revision"], 1, "the first revision", None)
    for expected in (2, 3, 4):
        answer = peak.post_revision(deployment["id"])
        expect_status(answer, *SUCCESS)
        created = validate_body(answer, "revision_created")
        expect_equal(created["id"], deployment["id"], "the id a revision create answers", answer)
        expect_equal(created["revision"], expected, "the new revision's number", answer)


@pytest.mark.clause("PP-REV-superseded")
def test_older_revisions_are_superseded(api, peak):
    deployment = peak.deployment(peak.spec()["id"])
    peak.revision(deployment["id"])
    newest = peak.revision(deployment["id"])
    for number in range(1, newest):
        old = expect_json(api.get(f"{revisions_path(deployment)}/{number}"), 200, "revision")
        expect_equal(old["status"], "superseded", f"the status of revision {number}", None)
    latest = peak.describe_deployment(deployment["id"])["latestRevision"]
    expect_equal(latest["revision"], newest, "latestRevision after new revisions", None)
    expect(
        latest["status"] != "superseded",
        "the latest revision is not superseded",
        latest["status"],
        None,
    )


@pytest.mark.clause("PP-REV-release")
def test_a_revision_deploys_the_named_or_the_latest_release(api, peak):
    spec = peak.spec()
    deployment = peak.deployment(spec["id"])
    peak.release(spec["id"], "1.1.0")
    peak.release(spec["id"], "1.2.0")
    named = peak.revision(deployment["id"], {"release": {"version": "1.1.0"}})
    unnamed = peak.revision(deployment["id"], {"revision": {"notes": "latest"}})
    for number, version in ((named, "1.1.0"), (unnamed, "1.2.0")):
        revision = expect_json(api.get(f"{revisions_path(deployment)}/{number}"), 200, "revision")
        expect_equal(revision["release"]["version"], version, f"revision {number}'s release", None)
    missing = peak.post_revision(deployment["id"], {"release": {"version": "9.9.9"}})
    expect_status(missing, 404)
    latest = peak.describe_deployment(deployment["id"])["latestRevision"]["revision"]
    expect_equal(latest, unnamed, "the latest revision after a 404", None)


@pytest.mark.clause("PP-REV-describe")
def test_describe_returns_the_asked_revision(api, peak):
    deployment = peak.deployment(peak.spec()["id"])
    peak.revision(deployment["id"], {"revision": {"notes": "second of three"}})
    peak.revision(deployment["id"])
    answer = api.get(f"{revisions_path(deployment)}/2")
    revision = expect_json(answer, 200, "revision")
    expect_equal(revision["revision"], 2, "the described revision's number", answer)
    expect_equal(revision.get("notes"), "second of three", "the described revision's notes", answer)
    expect_equal(revision["release"]["version"], "1.0.0", "its release version", answer)
    expect_status(api.get(f"{revisions_path(deployment)}/4"), 404)


@pytest.mark.clause("PP-REV-list")
def test_list_has_every_revision_in_order_and_filters_status(peak):
    deployment = peak.deployment(peak.spec()["id"])
    peak.revision(deployment["id"])
    peak.revision(deployment["id"])
    path = revisions_path(deployment)
    items, answer = peak.listing(path, "revisions")
    numbers = [item["revision"] for item in items]
    expect(
        numbers in ([1, 2, 3], [3, 2, 1]),
        "revisions listed in creation order",
        str(numbers),
        answer,
    )
    for sort, expected in (("createdAt:asc", [1, 2, 3]), ("createdAt:desc", [3, 2, 1])):
        items, answer = peak.listing(path, "revisions", sort=sort)
        expect_equal([i["revision"] for i in items], expected, f"revisions by {sort}", answer)
    items, answer = peak.listing(path, "revisions", status="superseded", sort="createdAt:asc")
    expect_equal([i["revision"] for i in items], [1, 2], "superseded revisions", answer)


@pytest.mark.clause("PP-REV-sdk-key")
def test_the_revision_list_also_carries_the_deployments_key(api, peak):
    deployment = peak.deployment(peak.spec()["id"])
    answer = api.get(revisions_path(deployment))
    page = expect_json(answer, 200, "revision_list")
    expect_equal(page.get("deployments"), page["revisions"], "the list under deployments", answer)
