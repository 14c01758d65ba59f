"""Block types: create, read, update, delete, validation and protected system types."""

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status
from .checks import (
    expect_detail,
    expect_detail_text,
    expect_refused_or_ignored,
    expect_validation_error,
)
from .helpers import (
    UNKNOWN_ID,
    expect_same_object,
    expect_timestamps_kept_in_order,
    expect_unlisted,
    expect_updated_moved,
    let_the_clock_move,
    listings_of,
)

SYSTEM_SLUGS = ["secret", "webhook", "local-file-system"]
TEXT_FIELDS = ["logo_url", "documentation_url", "description", "code_example"]


@pytest.mark.clause("PF-BT-system-types")
@pytest.mark.parametrize("slug", SYSTEM_SLUGS)
def test_system_block_type_exists_and_is_protected(api, slug):
    answer = api.get(f"/block_types/slug/{slug}")
    body = expect_json(answer, 200, "block_type", f"the system type {slug!r} must exist")
    expect_equal(body["is_protected"], True, f"is_protected of {slug!r}", answer)


@pytest.mark.clause("PF-BT-create")
def test_create_echoes_fields_and_is_readable(api, blocks):
    slug = blocks.unique("create")
    sent = {
        "name": f"{slug} Name",
        "slug": slug,
        "logo_url": "https://example.com/logo.png",
        "documentation_url": "https://example.com/docs",
        "description": "A block, verily",
        "code_example": "print('hello')",
    }
    answer = api.post("/block_types/", sent)
    created = expect_json(answer, 201, "block_type")
    for key, value in sent.items():
        expect_equal(created[key], value, f"the created type's {key}", answer)
    expect_equal(created["is_protected"], False, "is_protected of a created type", answer)
    for path in (f"/block_types/{created['id']}", f"/block_types/slug/{slug}"):
        read = api.get(path)
        expect_same_object(
            expect_json(read, 200, "block_type"), created, "block_type", f"GET {path}", read
        )


@pytest.mark.clause("PF-BT-create")
def test_create_defaults_optional_fields_to_null(api, blocks):
    slug = blocks.unique("bare")
    answer = api.post("/block_types/", {"name": slug, "slug": slug})
    created = expect_json(answer, 201, "block_type")
    for key in TEXT_FIELDS:
        expect_equal(created[key], None, f"the unsent {key}", answer)


@pytest.mark.clause("PF-BT-create-escapes-html")
def test_create_escapes_html_in_description(api, blocks):
    slug = blocks.unique("html")
    sent = {"name": slug, "slug": slug, "description": '<b>"x" & y</b>', "code_example": "a<b"}
    answer = api.post("/block_types/", sent)
    created = expect_json(answer, 201, "block_type")
    expect_equal(created["description"], '&lt;b&gt;"x" &amp; y&lt;/b&gt;', "description", answer)
    expect_equal(created["code_example"], "a&lt;b", "code_example", answer)


@pytest.mark.clause("PF-BT-create-escapes-html")
def test_update_stores_html_as_sent(api, blocks):
    created = blocks.block_type("html-update")
    change = {"description": "<b>x & y</b>", "code_example": "a<b"}
    expect_status(api.patch(f"/block_types/{created['id']}", change), 204)
    read = api.get(f"/block_types/{created['id']}")
    body = expect_json(read, 200, "block_type")
    for key, value in change.items():
        expect_equal(body[key], value, f"{key} after a PATCH (not escaped)", read)


@pytest.mark.clause("PF-BT-409-slug")
def test_duplicate_slug_conflicts(api, blocks):
    first = blocks.block_type("dup", description="first")
    answer = api.post(
        "/block_types/", {"name": "another name", "slug": first["slug"], "description": "second"}
    )
    expect_status(answer, 409, requirement="a duplicate slug must get 409")
    expect_json(answer, 409, "detail_error")
    read = api.get(f"/block_types/{first['id']}")
    expect_equal(expect_json(read, 200, "block_type"), first, "the existing type", read)


@pytest.mark.clause("PF-BT-422-slug")
@pytest.mark.parametrize("bad", ["Bad-Slug", "bad slug", "bad_slug", "bad.slug", "slüg"])
def test_invalid_slug_is_refused(api, blocks, bad):
    answer = api.post("/block_types/", {"name": blocks.unique("n"), "slug": bad})
    expect_validation_error(answer)


@pytest.mark.clause("PF-BT-422-empty-slug")
def test_empty_slug_is_refused(api, blocks):
    answer = api.post("/block_types/", {"name": blocks.unique("noslug"), "slug": ""})
    discard_created_type(api, answer)
    expect_validation_error(answer, loc=["body", "slug"])


def discard_created_type(api, answer) -> None:
    """A type a server should not have created is deleted at once, so that no later listing
    shows it (the real server creates it, against PF-BT-422-empty-slug)."""
    if answer.status == 201 and isinstance(answer.json, dict) and "id" in answer.json:
        api.delete(f"/block_types/{answer.json['id']}")


@pytest.mark.clause("PF-BT-create-answers-new-type")
def test_create_answers_the_new_type_when_the_name_is_taken(api, blocks):
    first = blocks.block_type("named")
    slug = blocks.unique("same-name")
    answer = api.post("/block_types/", {"name": first["name"], "slug": slug})
    try:
        created = expect_json(answer, 201, "block_type")
        expect_equal(created["slug"], slug, "the slug of the type the create answered with", answer)
        expect(
            created["id"] != first["id"],
            "the answer must be the new type",
            "gave the older one",
            answer,
        )
        # The order of equal names is left open; differential mode compares it.
        scope = {"slug": {"any_": [first["slug"], slug]}}
        listed = api.post("/block_types/filter", {"block_types": scope})
        slugs = {block_type["slug"] for block_type in expect_json(listed, 200, "block_type_list")}
        expect_equal(slugs, {first["slug"], slug}, "the types listed under the shared name", listed)
    finally:
        found = api.get(f"/block_types/slug/{slug}")  # whether or not the server made it
        if found.status == 200 and isinstance(found.json, dict):
            api.delete(f"/block_types/{found.json['id']}")


@pytest.mark.clause("PF-BT-422-name")
@pytest.mark.parametrize("bad", ["", "my/type", "my%type", "a&b", "a>b", "a<b"])
def test_invalid_name_is_refused(api, blocks, bad):
    answer = api.post("/block_types/", {"name": bad, "slug": blocks.unique("n")})
    expect_validation_error(answer)


@pytest.mark.clause("PF-BT-422-name")
@pytest.mark.parametrize("suffix", [" my block", ":colon", "|pipe", "\\back", " 👍"])
def test_liberal_names_are_accepted(api, blocks, suffix):
    slug = blocks.unique("ok")
    answer = api.post("/block_types/", {"name": slug + suffix, "slug": slug})
    created = expect_json(answer, 201, "block_type")
    expect_equal(created["name"], slug + suffix, "the stored name", answer)


# Each case: a create body from a fresh slug, and the location the real server names.
MALFORMED_CREATES = {
    "missing-name": (lambda slug: {"slug": slug}, ["body", "name"]),
    "missing-slug": (lambda slug: {"name": slug}, ["body", "slug"]),
    "int-name": (lambda slug: {"name": 5, "slug": slug}, ["body", "name"]),
}
# Keys a create does not take: the real server refuses them, a server may ignore them.
EXTRA_CREATE_KEYS = {
    "unknown-key": (lambda slug: {"name": slug, "slug": slug, "bogus": 1}, ["body", "bogus"]),
    "is_protected": (
        lambda slug: {"name": slug, "slug": slug, "is_protected": True},
        ["body", "is_protected"],
    ),
}


@pytest.mark.clause("PF-BT-422-body")
@pytest.mark.parametrize("case", MALFORMED_CREATES)
def test_malformed_create_body_is_refused(api, blocks, case):
    build, _ = MALFORMED_CREATES[case]
    expect_validation_error(api.post("/block_types/", build(blocks.unique("bad"))))


@pytest.mark.clause("PF-BT-422-body")
@pytest.mark.parametrize("case", EXTRA_CREATE_KEYS)
def test_a_key_a_create_does_not_take_is_refused_or_ignored(api, blocks, case):
    build, _ = EXTRA_CREATE_KEYS[case]
    slug = blocks.unique("extra")
    answer = api.post("/block_types/", build(slug))
    requirement = f"a create with {case} must be refused with 422 or ignored (201)"
    if not expect_refused_or_ignored(answer, 201, requirement):
        expect_status(api.get(f"/block_types/slug/{slug}"), 404, requirement="nothing created")
        return
    read = api.get(f"/block_types/slug/{slug}")
    created = expect_json(read, 200, "block_type", "the type created without the key")
    expect_equal(created["is_protected"], False, "is_protected of a type a client created", read)


@pytest.mark.clause("PF-BT-403-reserved-name")
@pytest.mark.parametrize("name", ["Prefect", "PrefectBlockType", "prefect_block_type", "pReFeCt!"])
def test_reserved_prefect_names_are_forbidden(api, blocks, name):
    slug = blocks.unique("reserved")
    answer = api.post("/block_types/", {"name": name, "slug": slug})
    expect_detail(answer, 403)
    expect_status(api.get(f"/block_types/slug/{slug}"), 404, requirement="nothing may be created")


@pytest.mark.clause("PF-BT-read-id")
def test_read_by_id_answers_the_type(api, blocks):
    created = blocks.block_type("byid", description="read me")
    read = api.get(f"/block_types/{created['id']}")
    found = expect_json(read, 200, "block_type")
    expect_same_object(found, created, "block_type", "the type read by id", read)


@pytest.mark.clause("PF-BT-read-id")
def test_read_unknown_id_is_404(api):
    expect_detail(api.get(f"/block_types/{UNKNOWN_ID}"), 404)


@pytest.mark.clause("PF-BT-read-slug")
def test_read_by_slug_answers_the_type(api, blocks):
    created = blocks.block_type("byslug", description="read me")
    read = api.get(f"/block_types/slug/{created['slug']}")
    found = expect_json(read, 200, "block_type")
    expect_same_object(found, created, "block_type", "the type read by slug", read)


@pytest.mark.clause("PF-BT-read-slug")
def test_read_unknown_slug_is_404(api, blocks):
    expect_detail(api.get(f"/block_types/slug/{blocks.unique('missing')}"), 404)


@pytest.mark.clause("PF-BT-slug-case")
def test_slug_lookup_is_case_sensitive(api):
    expect_detail(api.get("/block_types/slug/SECRET"), 404)


@pytest.mark.clause("PF-BT-update")
def test_update_changes_only_sent_fields(api, blocks):
    created = blocks.block_type("upd", description="before", code_example="x = 1")
    change = {"description": "after", "logo_url": "https://example.com/new.png"}
    answer = api.patch(f"/block_types/{created['id']}", change)
    expect_status(answer, 204, requirement="a block type PATCH must answer 204")
    expect_equal(answer.text, "", "the 204 body", answer)
    read = api.get(f"/block_types/{created['id']}")
    body = expect_json(read, 200, "block_type")
    expected = {**created, **change}
    for key in ["name", "slug", *TEXT_FIELDS]:
        expect_equal(body[key], expected[key], f"{key} after PATCH {change}", read)


@pytest.mark.clause("PF-BT-update")
def test_update_with_null_clears_a_field(api, blocks):
    created = blocks.block_type("clear", description="to be cleared")
    expect_status(api.patch(f"/block_types/{created['id']}", {"description": None}), 204)
    read = api.get(f"/block_types/{created['id']}")
    expect_equal(expect_json(read, 200, "block_type")["description"], None, "description", read)


@pytest.mark.clause("PF-BT-update")
def test_update_moves_updated_and_keeps_created(api, blocks):
    created = blocks.block_type("stamps")
    let_the_clock_move()
    expect_status(api.patch(f"/block_types/{created['id']}", {"description": "moved"}), 204)
    read = api.get(f"/block_types/{created['id']}")
    expect_timestamps_kept_in_order(created, expect_json(read, 200, "block_type"), read)


@pytest.mark.clause("PF-BT-updated-moves")
def test_update_moves_updated_within_a_second(api, blocks):
    created = blocks.block_type("stamps")
    let_the_clock_move()
    expect_status(api.patch(f"/block_types/{created['id']}", {"description": "moved"}), 204)
    read = api.get(f"/block_types/{created['id']}")
    expect_updated_moved(created, expect_json(read, 200, "block_type"), read)


@pytest.mark.clause("PF-BT-update-404")
def test_update_unknown_id_is_404(api):
    answer = api.patch(f"/block_types/{UNKNOWN_ID}", {"description": "x"})
    expect_detail(answer, 404)


@pytest.mark.clause("PF-BT-update-422")
@pytest.mark.parametrize("key", ["name", "slug", "is_protected", "bogus"])
def test_update_refuses_non_updatable_keys(api, blocks, key):
    created = blocks.block_type("frozen")
    value = True if key == "is_protected" else blocks.unique("renamed")
    answer = api.patch(f"/block_types/{created['id']}", {key: value})
    expect_refused_or_ignored(
        answer, 204, f"a PATCH of {key} must be refused with 422 or ignored (204)"
    )
    read = api.get(f"/block_types/{created['id']}")
    body = expect_json(read, 200, "block_type")
    for field in ("name", "slug", "is_protected"):
        expect_equal(body[field], created[field], f"{field} after that PATCH", read)


@pytest.fixture
def secret_type(api, target):
    """The protected 'secret' type; its updatable fields are restored after the test, and no
    other process of this run changes it meanwhile."""
    with target.exclusive("secret-type"):
        answer = api.get("/block_types/slug/secret")
        original = expect_json(answer, 200, "block_type", "the system type 'secret' must exist")
        yield original
        restore = {key: original[key] for key in TEXT_FIELDS}
        expect_status(api.patch(f"/block_types/{original['id']}", restore), 204)


@pytest.mark.clause("PF-BT-protected-update")
def test_protected_type_accepts_updates(api, ns, secret_type):
    changed = f"{ns}temporary description"
    answer = api.patch(f"/block_types/{secret_type['id']}", {"description": changed})
    expect_status(answer, 204, requirement="a protected type must accept PATCH with 204")
    read = api.get(f"/block_types/{secret_type['id']}")
    body = expect_json(read, 200, "block_type")
    expect_equal(body["description"], changed, "the protected type's description", read)
    expect_equal(body["is_protected"], True, "is_protected after PATCH", read)


@pytest.mark.clause("PF-BT-protected-delete")
def test_protected_type_refuses_deletion(api, secret_type):
    answer = api.delete(f"/block_types/{secret_type['id']}")
    expect_detail_text(answer, 403, "protected block types cannot be deleted.")
    read = api.get(f"/block_types/{secret_type['id']}")
    expect_json(read, 200, "block_type", "the protected type must still exist")


@pytest.mark.clause("PF-BT-delete")
def test_delete_removes_type_schemas_and_documents(api, blocks):
    block_type, schema = blocks.type_and_schema("del")
    document = blocks.document(block_type, schema)
    answer = api.delete(f"/block_types/{block_type['id']}")
    expect_status(answer, 204, requirement="deleting an unprotected type must answer 204")
    for path in [
        f"/block_types/{block_type['id']}",
        f"/block_schemas/{schema['id']}",
        f"/block_documents/{document['id']}",
    ]:
        expect_detail(
            api.get(path), 404, requirement=f"GET {path} after the type's deletion must answer 404"
        )
    listings = listings_of(api, block_type)
    for (path, listing), (what, gone) in zip(
        listings.items(),
        [("the deleted type", block_type), ("its schema", schema), ("its document", document)],
        strict=True,
    ):
        expect_json(listing, 200, path.split("/")[1][:-1] + "_list")
        expect_unlisted(listing, gone["id"], what)
    expect_detail(api.delete(f"/block_types/{block_type['id']}"), 404)


@pytest.mark.clause("PF-BT-delete")
def test_delete_unknown_type_is_404(api):
    expect_detail(api.delete(f"/block_types/{UNKNOWN_ID}"), 404)
