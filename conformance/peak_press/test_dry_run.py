"""``?validate=true`` dry runs of spec and release creates: the same checks, nothing stored."""

import pytest

from ..checks import expect_equal, expect_status
from .helpers import SPECS, expect_created, expect_refused_duplicate


@pytest.mark.clause("PP-VAL-spec-dry-run")
def test_a_valid_dry_run_answers_success_and_stores_nothing(peak):
    body = peak.spec_body()
    name = body["metadata"]["name"]
    answer = peak.post_spec(body, validate=True)
    expect_created(answer, "validated")
    expect_equal(peak.names(SPECS, "specs", name=name), [], "specs named after a dry run", answer)
    created = peak.spec(body)
    expect_equal(created["metadata"]["name"], name, "the real create after a dry run", None)


@pytest.mark.clause("PP-VAL-spec-dry-run-invalid")
def test_an_invalid_dry_run_answers_like_the_create(peak):
    no_summary = peak.spec_body()
    del no_summary["metadata"]["summary"]
    expect_status(peak.post_spec(no_summary, validate=True), 400, 422)
    expect_status(peak.post_spec(peak.spec_body(version="1.0"), validate=True), 400, 422)
    taken = peak.spec()
    duplicate = peak.spec_body(taken["metadata"]["name"])
    expect_refused_duplicate(peak.post_spec(duplicate, validate=True))


@pytest.mark.clause("PP-VAL-release-dry-run")
def test_a_release_dry_run_stores_no_release(api, peak):
    spec = peak.spec()
    answer = peak.post_release(spec["id"], "2.0.0", validate=True)
    expect_created(answer, "validated")
    expect_status(api.get(f"{SPECS}{spec['id']}/releases/2.0.0"), 404)
    described = peak.describe_spec(spec["id"])
    expect_equal(
        described["latestRelease"]["version"], "1.0.0", "latestRelease after a dry run", None
    )
    releases, listing = peak.listing(f"{SPECS}{spec['id']}/releases", "releases")
    versions = [release["version"] for release in releases]
    expect_equal(versions, ["1.0.0"], "the releases after a dry run", listing)
    expect_status(peak.post_release(spec["id"], "2.0", validate=True), 400, 422)
