"""Block specs: multipart create, defaults, invalid bodies, unique names, update, delete, 404s,
and the list's filters and sorts."""

import json

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status, validate_body
from .helpers import SPECS, SUCCESS, UNKNOWN_ID, expect_refused_duplicate, form, parameter

RUN_PARAMETERS = [parameter("threshold", "number", defaultValue=3)]


@pytest.mark.clause("PP-SPEC-create")
def test_multipart_create_answers_an_id_and_describe_shows_the_spec(api, peak):
    body = peak.spec_body()
    answer = peak.post_spec(
        body,
        featured=True,
        scope="shared",
        tenants=["conformance-tenant"],
        autoRunOnDeploy=True,
        parameters={"build": [], "run": RUN_PARAMETERS},
        artifact=True,
    )
    expect_status(answer, *SUCCESS)
    created = validate_body(answer, "created")
    described = expect_json(api.get(f"{SPECS}{created['id']}"), 200, "spec")
    expect_equal(described["id"], created["id"], "the described spec's id", None)
    expect_equal(described["kind"], "workflow", "the spec's kind", None)
    for key, value in body["metadata"].items():
        expect_equal(described["metadata"].get(key), value, f"metadata.{key}", None)
    expect_equal(described["featured"], True, "featured", None)
    expect_equal(described["scope"], "shared", "scope", None)
    expect_equal(described.get("tenants"), ["conformance-tenant"], "tenants", None)
    latest = described["latestRelease"]
    expect_equal(latest["version"], "1.0.0", "latestRelease.version", None)
    expect_equal(latest.get("notes"), "release 1.0.0", "latestRelease.notes", None)


@pytest.mark.clause("PP-SPEC-create")
def test_a_service_spec_is_created_with_its_kind(peak):
    spec = peak.spec(peak.spec_body(kind="service"))
    expect_equal(spec["kind"], "service", "the kind of a service spec", None)


@pytest.mark.clause("PP-SPEC-create-defaults")
def test_featured_null_and_no_scope_give_the_defaults(peak):
    spec = peak.spec()
    expect_equal(spec["featured"], False, "featured of a spec sent with featured=null", None)
    expect_equal(spec["scope"], "private", "scope of a spec sent without one", None)
    expect_equal(spec["metadata"].get("status"), "available", "metadata.status of a new spec", None)


def without(body: dict, path: str) -> dict:
    *parents, last = path.split(".")
    holder = body
    for parent in parents:
        holder = holder[parent]
    del holder[last]
    return body


def invalid_bodies(peak, title: str) -> dict[str, dict]:
    """Spec bodies that each miss one required part, all with the title ``title``."""
    missing = {
        "no metadata.name": "metadata.name",
        "no metadata.summary": "metadata.summary",
        "no format version": "version",
        "no release.version": "release.version",
        "no release": "release",
    }
    bodies = {what: without(peak.spec_body(title=title), path) for what, path in missing.items()}
    bodies["kind notebook"] = {**peak.spec_body(title=title), "kind": "notebook"}
    return bodies


@pytest.mark.clause("PP-SPEC-create-invalid")
def test_invalid_spec_bodies_are_refused_and_not_stored(peak):
    title = peak.unique("invalid")
    for what, body in invalid_bodies(peak, title).items():
        answer = peak.post_spec(body)
        expect_status(answer, 400, 422, requirement=f"a spec create with {what} must be refused")
    expect_equal(
        peak.names(SPECS, "specs", title=title), [], "specs stored by refused creates", None
    )


@pytest.mark.clause("PP-SPEC-create-invalid")
def test_a_missing_or_malformed_spec_field_is_refused(api, peak):
    missing = api.post(SPECS, files={"featured": (None, "null"), "scope": (None, "private")})
    expect_status(missing, 400, 422, requirement="a spec create without a spec field")
    parts = form(peak.spec_body())
    parts["spec"] = (None, "{not json")
    expect_status(api.post(SPECS, files=parts), 400, 422, requirement="a spec field not JSON")


@pytest.mark.clause("PP-SPEC-409-name")
def test_a_second_spec_of_the_same_kind_and_name_conflicts(peak):
    first = peak.spec()
    duplicate = peak.spec_body(first["metadata"]["name"], summary="the second")
    expect_refused_duplicate(peak.post_spec(duplicate))
    again = peak.describe_spec(first["id"])
    expect_equal(
        again["metadata"]["summary"], first["metadata"]["summary"], "first's summary", None
    )


@pytest.mark.clause("PP-SPEC-409-name")
def test_the_same_name_in_the_other_kind_is_allowed(peak):
    first = peak.spec()
    other = peak.spec(peak.spec_body(first["metadata"]["name"], kind="service"))
    expect_equal(other["metadata"]["name"], first["metadata"]["name"], "the service's name", None)


@pytest.mark.clause("PP-SPEC-409-name")
def test_renaming_to_a_taken_name_conflicts(api, peak):
    first, second = peak.spec(), peak.spec()
    rename = {"metadata": {"name": first["metadata"]["name"]}}
    expect_refused_duplicate(api.patch(f"{SPECS}{second['id']}", rename))


@pytest.mark.clause("PP-SPEC-update")
def test_patch_changes_what_is_sent_and_keeps_the_rest(api, peak):
    spec = peak.spec()
    change = {
        "metadata": {"title": "Retitled", "status": "unavailable", "tags": [{"name": "moved"}]},
        "featured": True,
        "scope": "public",
        "tenants": [],
    }
    answer = api.patch(f"{SPECS}{spec['id']}", change)
    updated = expect_json(answer, 200, "spec")
    expected_metadata = {**spec["metadata"], **change["metadata"]}
    for key, value in expected_metadata.items():
        expect_equal(updated["metadata"].get(key), value, f"metadata.{key} after PATCH", answer)
    expect_equal(updated["featured"], True, "featured after PATCH", answer)
    expect_equal(updated["scope"], "public", "scope after PATCH", answer)
    expect_equal(updated["kind"], spec["kind"], "kind after PATCH", answer)
    described = peak.describe_spec(spec["id"])
    expect_equal(described["metadata"], updated["metadata"], "metadata read after PATCH", None)
    expect_equal(described["featured"], True, "featured read after PATCH", None)


@pytest.mark.clause("PP-SPEC-delete")
def test_delete_removes_the_spec_and_its_releases(api, peak):
    spec = peak.spec()
    peak.release(spec["id"], "1.1.0")
    answer = api.delete(f"{SPECS}{spec['id']}")
    expect_status(answer, 200, 204)
    if answer.status == 200:
        expect_equal(answer.json, {}, "the body of a spec delete", answer)
    expect_status(api.get(f"{SPECS}{spec['id']}"), 404)
    expect_status(api.get(f"{SPECS}{spec['id']}/releases"), 404)
    for version in ("1.0.0", "1.1.0"):
        expect_status(api.get(f"{SPECS}{spec['id']}/releases/{version}"), 404)


@pytest.mark.clause("PP-SPEC-404")
def test_unknown_spec_ids_answer_404(api):
    expect_status(api.get(f"{SPECS}{UNKNOWN_ID}"), 404)
    expect_status(api.patch(f"{SPECS}{UNKNOWN_ID}", {"featured": True}), 404)
    expect_status(api.delete(f"{SPECS}{UNKNOWN_ID}"), 404)


# ---- listing --------------------------------------------------------------------------------


@pytest.mark.clause("PP-SPEC-list-prefix")
def test_name_and_title_filters_match_prefixes(peak):
    group = peak.unique("grp")
    alpha = [
        peak.spec(peak.spec_body(f"{group}-alpha-{i}", title=f"{group} Alpha")) for i in (1, 2)
    ]
    beta = peak.spec(peak.spec_body(f"{group}-beta", title=f"{group} Beta"))
    alpha_names = sorted(spec["metadata"]["name"] for spec in alpha)
    everything = sorted([*alpha_names, beta["metadata"]["name"]])
    expect_equal(sorted(peak.names(SPECS, "specs", name=group)), everything, "name=group", None)
    by_name = sorted(peak.names(SPECS, "specs", name=f"{group}-alpha"))
    expect_equal(by_name, alpha_names, "specs listed with a name prefix", None)
    exact = peak.names(SPECS, "specs", name=beta["metadata"]["name"])
    expect_equal(exact, [beta["metadata"]["name"]], "specs listed with a full name", None)
    by_title = sorted(peak.names(SPECS, "specs", title=f"{group} Al"))
    expect_equal(by_title, alpha_names, "specs listed with a title prefix", None)


@pytest.mark.clause("PP-SPEC-list-filters")
def test_status_scope_and_featured_filters(api, peak):
    group = peak.unique("flt")
    public = peak.spec(peak.spec_body(f"{group}-public"), scope="public", featured=True)
    shared = peak.spec(peak.spec_body(f"{group}-shared"), scope="shared", tenants=["t"])
    private = peak.spec(peak.spec_body(f"{group}-private"))
    archived = {"metadata": {"status": "archived"}}
    expect_status(api.patch(f"{SPECS}{private['id']}", archived), 200)
    name = {n: s["metadata"]["name"] for n, s in (("pub", public), ("sh", shared), ("pr", private))}
    cases = [
        ({"scope": ["public", "shared"]}, [name["pub"], name["sh"]]),
        ({"scope": "private"}, [name["pr"]]),
        ({"status": "archived"}, [name["pr"]]),
        ({"status": ["available", "unavailable"]}, [name["pub"], name["sh"]]),
        ({"featured": "True"}, [name["pub"]]),
        ({"featured": "true"}, [name["pub"]]),
    ]
    for params, expected in cases:
        listed = sorted(peak.names(SPECS, "specs", name=group, **params))
        expect_equal(listed, sorted(expected), f"specs listed with {json.dumps(params)}", None)
    # "Whether to only return featured specs": False filters the featured ones out, or is no
    # filter at all
    listed = sorted(peak.names(SPECS, "specs", name=group, featured="False"))
    readings = [sorted([name["sh"], name["pr"]]), sorted(name.values())]
    expect(
        listed in readings,
        f"specs listed with featured=False must be one of {readings}",
        f"gave {listed}",
        None,
    )


@pytest.mark.clause("PP-SPEC-list-sort")
def test_sort_orders_by_name_title_and_creation(peak):
    group = peak.unique("srt")
    made = []
    for suffix, title in (("b", "Zulu"), ("a", "Yankee"), ("c", "Xray")):
        made.append(peak.spec(peak.spec_body(f"{group}-{suffix}", title=title)))
    names = [spec["metadata"]["name"] for spec in made]  # creation order
    b, a, c = names
    cases = {
        "name:asc": [a, b, c],
        "name:desc": [c, b, a],
        "title:asc": [c, a, b],
        "title:desc": [b, a, c],
        "createdAt:asc": names,
        "createdAt:desc": names[::-1],
    }
    for sort, expected in cases.items():
        listed = peak.names(SPECS, "specs", name=group, sort=sort)
        expect_equal(listed, expected, f"specs listed with sort={sort}", None)
    unsorted = peak.names(SPECS, "specs", name=group)
    expect(
        unsorted in (names, names[::-1]),
        "without sort, specs must be in creation order (either direction)",
        f"listed {unsorted} for creation order {names}",
        None,
    )
