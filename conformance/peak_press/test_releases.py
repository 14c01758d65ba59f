"""Spec releases: multipart create, semantic versions, duplicates, order, latestRelease, 404s."""

import pytest

from ..checks import expect_equal, expect_json, expect_status
from .helpers import SPECS, SUCCESS, UNKNOWN_ID, expect_refused_duplicate, parameter

NOT_SEMANTIC = ["1.0", "v1.0.0", "01.2.3", "1.2.3.4", "latest", ""]


@pytest.mark.clause("PP-REL-create")
def test_a_release_is_created_and_described(api, peak):
    spec = peak.spec()
    config = {"steps": {"main": {"type": "standard", "command": "python main.py"}}}
    run = [parameter("region", "string", defaultValue="eu")]
    answer = peak.post_release(
        spec["id"],
        "1.1.0",
        config=config,
        parameters={"build": [], "run": run},
        autoRunOnDeploy=False,
        artifact=True,
    )
    expect_status(answer, *SUCCESS)
    described = expect_json(api.get(f"{SPECS}{spec['id']}/releases/1.1.0"), 200, "release")
    expect_equal(described["version"], "1.1.0", "the release's version", None)
    expect_equal(described.get("notes"), "release 1.1.0", "the release's notes", None)
    expect_equal(described.get("config"), config, "the release's config", None)
    names = [entry["name"] for entry in described["parameters"]["run"]]
    expect_equal(names, ["region"], "the release's run parameter definitions", None)


@pytest.mark.clause("PP-REL-semver")
@pytest.mark.parametrize("version", NOT_SEMANTIC)
def test_a_release_version_must_be_semantic(api, peak, version):
    spec = peak.spec()
    expect_status(peak.post_release(spec["id"], version), 400, 422)
    releases, answer = peak.listing(f"{SPECS}{spec['id']}/releases", "releases")
    versions = [release["version"] for release in releases]
    expect_equal(versions, ["1.0.0"], f"the releases after refusing {version!r}", answer)


@pytest.mark.clause("PP-REL-semver")
@pytest.mark.parametrize("version", ["1.0", "v1.0.0"])
def test_a_spec_create_with_a_non_semantic_version_is_refused(peak, version):
    body = peak.spec_body(version=version)
    expect_status(peak.post_spec(body), 400, 422)
    expect_equal(peak.names(SPECS, "specs", name=body["metadata"]["name"]), [], "specs", None)


@pytest.mark.clause("PP-REL-semver")
@pytest.mark.parametrize("version", ["0.0.1", "10.20.30", "1.0.0-alpha.1", "1.0.0+build.7"])
def test_semantic_versions_are_accepted(peak, version):
    spec = peak.spec()
    expect_equal(peak.release(spec["id"], version)["version"], version, "the version", None)


@pytest.mark.clause("PP-REL-409-version")
def test_a_duplicate_version_conflicts(peak):
    spec = peak.spec()
    before = peak.release(spec["id"], "1.1.0")
    answer = peak.post_release(spec["id"], "1.1.0", config={"steps": {"other": {}}})
    expect_refused_duplicate(answer)
    after = expect_json(peak.api.get(f"{SPECS}{spec['id']}/releases/1.1.0"), 200, "release")
    expect_equal(after.get("config"), before.get("config"), "the first 1.1.0's config", None)


@pytest.mark.clause("PP-REL-list-order")
def test_releases_are_listed_newest_first(peak):
    spec = peak.spec()
    for version in ("1.1.0", "1.0.1", "2.0.0"):
        peak.release(spec["id"], version)
    created = ["1.0.0", "1.1.0", "1.0.1", "2.0.0"]
    path = f"{SPECS}{spec['id']}/releases"
    releases, answer = peak.listing(path, "releases")
    expect_equal([r["version"] for r in releases], created[::-1], "releases, newest first", answer)
    releases, answer = peak.listing(path, "releases", sort="createdAt:asc")
    expect_equal([r["version"] for r in releases], created, "releases by createdAt:asc", answer)


@pytest.mark.clause("PP-REL-latest")
def test_latest_release_tracks_the_newest(peak):
    """Versions created in increasing order: the newest is the highest too (the SDK's own
    publishing helper refuses to go below the latest version)."""
    spec = peak.spec()
    for version in ("1.5.0", "2.0.0"):
        peak.release(spec["id"], version)
        described = peak.describe_spec(spec["id"])
        expect_equal(described["latestRelease"]["version"], version, "latestRelease", None)
    listed, answer = peak.listing(SPECS, "specs", name=spec["metadata"]["name"])
    expect_equal(
        [item["latestRelease"]["version"] for item in listed],
        ["2.0.0"],
        "latestRelease in the spec list",
        answer,
    )


@pytest.mark.clause("PP-REL-404")
def test_unknown_releases_and_specs_answer_404(api, peak):
    spec = peak.spec()
    expect_status(api.get(f"{SPECS}{spec['id']}/releases/9.9.9"), 404)
    expect_status(api.get(f"{SPECS}{UNKNOWN_ID}/releases"), 404)
    expect_status(api.get(f"{SPECS}{UNKNOWN_ID}/releases/1.0.0"), 404)
    expect_status(peak.post_release(UNKNOWN_ID, "1.0.0"), 404)
