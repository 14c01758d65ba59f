"""Block deployments: create, latest-release default, invalid bodies, unique names, update,
delete, 404s and the list."""

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status, validate_body
from .helpers import DEPLOYMENTS, SUCCESS, UNKNOWN_ID, expect_refused_duplicate


@pytest.mark.clause("PP-DEP-create")
def test_create_answers_an_id_and_describe_shows_the_deployment(api, peak):
    spec = peak.spec()
    peak.release(spec["id"], "1.1.0")
    body = peak.deployment_body(spec["id"], version="1.0.0")
    answer = peak.post_deployment(body)
    expect_status(answer, *SUCCESS)
    created = validate_body(answer, "created")
    described = expect_json(api.get(f"{DEPLOYMENTS}{created['id']}"), 200, "deployment")
    expect_equal(described["id"], created["id"], "the described deployment's id", None)
    expect_equal(described["kind"], spec["kind"], "the deployment's kind", None)
    for key, value in body["metadata"].items():
        expect_equal(described["metadata"].get(key), value, f"metadata.{key}", None)
    expect_equal(described["spec"]["id"], spec["id"], "spec.id", None)
    expect_equal(described["spec"].get("release"), {"version": "1.0.0"}, "spec.release", None)
    latest = described["latestRevision"]
    expect_equal(latest["revision"], 1, "latestRevision.revision of a new deployment", None)
    expect_equal(latest["release"]["version"], "1.0.0", "latestRevision.release.version", None)


@pytest.mark.clause("PP-DEP-latest-release")
def test_without_a_version_the_latest_release_is_deployed(peak):
    """Versions created in increasing order: the latest is the newest and the highest alike
    (the documents say "the latest spec release" and leave which open)."""
    spec = peak.spec()
    for version in ("1.1.0", "1.2.0"):
        peak.release(spec["id"], version)
    deployment = peak.deployment(spec["id"])
    expect_equal(deployment["spec"]["release"]["version"], "1.2.0", "spec.release.version", None)
    latest = deployment["latestRevision"]["release"]["version"]
    expect_equal(latest, "1.2.0", "latestRevision.release.version", None)


@pytest.mark.clause("PP-DEP-invalid")
def test_incomplete_deployments_are_refused(peak):
    spec = peak.spec()
    title = peak.unique("invalid")
    for what in ("name", "summary"):
        body = peak.deployment_body(spec["id"], title=title)
        del body["metadata"][what]
        expect_status(peak.post_deployment(body), 400, 422, requirement=f"no metadata.{what}")
    body = peak.deployment_body(spec["id"], title=title)
    del body["spec"]["id"]
    expect_status(peak.post_deployment(body), 400, 422, requirement="no spec.id")
    expect_equal(peak.names(DEPLOYMENTS, "deployments", title=title), [], "deployments", None)


@pytest.mark.clause("PP-DEP-invalid")
def test_unknown_specs_and_releases_answer_404(peak):
    spec = peak.spec()
    unknown_spec = peak.deployment_body(UNKNOWN_ID)
    expect_status(peak.post_deployment(unknown_spec), 404)
    unknown_release = peak.deployment_body(spec["id"], version="9.9.9")
    expect_status(peak.post_deployment(unknown_release), 404)
    for body in (unknown_spec, unknown_release):
        listed = peak.names(DEPLOYMENTS, "deployments", name=body["metadata"]["name"])
        expect_equal(listed, [], "deployments stored by a 404", None)


@pytest.mark.clause("PP-DEP-409-name")
def test_a_second_deployment_of_the_same_kind_and_name_conflicts(peak):
    spec = peak.spec()
    first = peak.deployment(spec["id"])
    duplicate = peak.deployment_body(spec["id"], first["metadata"]["name"])
    expect_refused_duplicate(peak.post_deployment(duplicate))
    service = peak.spec(peak.spec_body(kind="service"))
    other = peak.deployment(service["id"], name=first["metadata"]["name"])
    expect_equal(other["kind"], "service", "the kind of the same-named service deployment", None)


@pytest.mark.clause("PP-DEP-409-name")
def test_renaming_a_deployment_to_a_taken_name_conflicts(api, peak):
    spec = peak.spec()
    first, second = peak.deployment(spec["id"]), peak.deployment(spec["id"])
    rename = {"name": first["metadata"]["name"]}
    expect_refused_duplicate(api.patch(f"{DEPLOYMENTS}{second['id']}", rename))


@pytest.mark.clause("PP-DEP-update")
def test_patch_changes_what_is_sent_and_keeps_the_rest(api, peak):
    deployment = peak.deployment(peak.spec()["id"])
    change = {"description": "changed", "tags": [{"name": "moved"}]}
    answer = api.patch(f"{DEPLOYMENTS}{deployment['id']}", change)
    updated = expect_json(answer, 200, "deployment")
    for key, value in {**deployment["metadata"], **change}.items():
        expect_equal(updated["metadata"].get(key), value, f"metadata.{key} after PATCH", answer)
    expect_equal(updated["spec"], deployment["spec"], "spec after PATCH", answer)
    described = peak.describe_deployment(deployment["id"])
    expect_equal(described["metadata"], updated["metadata"], "metadata read after PATCH", None)


@pytest.mark.clause("PP-DEP-delete")
def test_delete_removes_the_deployment(api, peak):
    deployment = peak.deployment(peak.spec()["id"])
    answer = api.delete(f"{DEPLOYMENTS}{deployment['id']}")
    expect_status(answer, 200, 204)
    if answer.status == 200:
        expect_equal(answer.json, {}, "the body of a deployment delete", answer)
    expect_status(api.get(f"{DEPLOYMENTS}{deployment['id']}"), 404)
    expect_status(api.get(f"{DEPLOYMENTS}{deployment['id']}/revisions"), 404)
    expect_status(api.get(f"/v1/deployments/{deployment['id']}/parameters/run"), 404)


@pytest.mark.clause("PP-DEP-404")
def test_unknown_deployment_ids_answer_404(api):
    base = f"{DEPLOYMENTS}{UNKNOWN_ID}"
    expect_status(api.get(base), 404)
    expect_status(api.patch(base, {"title": "x"}), 404)
    expect_status(api.delete(base), 404)
    expect_status(api.get(f"{base}/revisions"), 404)
    expect_status(api.get(f"{base}/revisions/1"), 404)
    expect_status(api.post(f"{base}/revisions", {}), 404)
    expect_status(api.post(f"{base}/redeploy"), 404)
    expect_status(api.get(f"/v1/deployments/{UNKNOWN_ID}/parameters/run"), 404)
    expect_status(api.patch(f"/v1/deployments/{UNKNOWN_ID}/parameters/run", {}), 404)


@pytest.mark.clause("PP-DEP-list")
def test_list_filters_and_sorts_deployments(peak):
    spec = peak.spec()
    group = peak.unique("dl")
    made = [
        peak.deployment(spec["id"], name=f"{group}-{suffix}", title=f"{group} {title}")
        for suffix, title in (("b", "Alpha"), ("a", "Beta"))
    ]
    b, a = (deployment["metadata"]["name"] for deployment in made)
    items, answer = peak.listing(DEPLOYMENTS, "deployments", name=group, sort="name:asc")
    expect_equal([i["metadata"]["name"] for i in items], [a, b], "name:asc", answer)
    expect(
        all("latestRevision" in i for i in items),
        "listed deployments carry latestRevision",
        "left it out",
        answer,
    )
    by_title = peak.names(DEPLOYMENTS, "deployments", name=group, sort="title:desc")
    expect_equal(by_title, [a, b], "deployments sorted by title:desc", None)
    by_prefix = peak.names(DEPLOYMENTS, "deployments", title=f"{group} Al")
    expect_equal(by_prefix, [b], "deployments listed with a title prefix", None)
    status = made[0]["status"]
    with_status = sorted(peak.names(DEPLOYMENTS, "deployments", name=group, status=status))
    expect_equal(with_status, [a, b], f"deployments listed with status={status}", None)
    others = [s for s in ("failed", "deleting") if s != status]
    expect_equal(
        peak.names(DEPLOYMENTS, "deployments", name=group, status=others),
        [],
        "other statuses",
        None,
    )
    created = peak.names(DEPLOYMENTS, "deployments", name=group, sort="createdAt:asc")
    expect_equal(created, [b, a], "deployments sorted by createdAt:asc", None)
