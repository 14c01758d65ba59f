"""Block documents: create, uniqueness, anonymous documents, validation, read, update, delete."""

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status
from ..client import Exchange, TargetUnreachable
from .checks import expect_detail, expect_refused_or_ignored, expect_validation_error
from .helpers import (
    UNKNOWN_ID,
    expect_nested_type_and_schema,
    expect_same_object,
    expect_timestamps_kept_in_order,
    expect_unlisted,
    expect_updated_moved,
    let_the_clock_move,
    listings_of,
)

# What the client's model takes as a document name (prefect/types/names.py BlockDocumentName)
CLIENT_DOCUMENT_NAME = re.compile(r"^[a-z0-9-]+$")
# What the real server generates for an anonymous document
ANONYMOUS_NAME = re.compile(
    r"^anonymous-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)


@pytest.fixture
def widget(blocks):
    """A fresh block type with one schema: (block_type, schema)."""
    return blocks.type_and_schema("widget")


def read_clear(api, document_id: str) -> dict:
    answer = api.get(f"/block_documents/{document_id}", params={"include_secrets": "true"})
    return expect_json(answer, 200, "block_document")


@pytest.mark.clause("PF-BD-create")
def test_create_answers_the_full_document(api, blocks, widget):
    block_type, schema = widget
    name = blocks.unique("doc")
    body = blocks.document_body(block_type, schema, name, data={"host": "h", "settings": {"a": 1}})
    answer = api.post("/block_documents/", body)
    created = expect_json(answer, 201, "block_document")
    expected = {
        "name": name,
        "data": body["data"],
        "block_schema_id": schema["id"],
        "block_type_id": block_type["id"],
        "block_type_name": block_type["name"],
        "is_anonymous": False,
        "block_document_references": {},
    }
    for key, value in expected.items():
        expect_equal(created[key], value, f"the created document's {key}", answer)
    expect_nested_type_and_schema(created, block_type, schema, answer)


@pytest.mark.clause("PF-BD-create")
def test_create_without_data_stores_an_empty_object(api, blocks, widget):
    block_type, schema = widget
    body = blocks.document_body(block_type, schema, blocks.unique("nodata"))
    del body["data"]
    created = expect_json(api.post("/block_documents/", body), 201, "block_document")
    expect_equal(
        read_clear(api, created["id"])["data"], {}, "data of a document sent without data", None
    )


@pytest.mark.clause("PF-BD-409-name")
def test_duplicate_name_in_the_same_type_conflicts(api, blocks, widget):
    block_type, schema = widget
    first = blocks.document(block_type, schema)
    body = blocks.document_body(block_type, schema, first["name"], data={"host": "second"})
    expect_detail(api.post("/block_documents/", body), 409)
    expect_equal(
        read_clear(api, first["id"])["data"]["host"], "db.example", "the first's data", None
    )


@pytest.mark.clause("PF-BD-name-per-type")
def test_same_name_in_another_type_is_allowed(api, blocks, widget):
    block_type, schema = widget
    first = blocks.document(block_type, schema)
    other_type, other_schema = blocks.type_and_schema("other")
    second = blocks.document(other_type, other_schema, first["name"])
    expect_equal(second["name"], first["name"], "the name in the other type", None)


@pytest.mark.clause("PF-BD-anonymous")
def test_anonymous_documents_get_generated_names(api, blocks, widget):
    block_type, schema = widget
    first = blocks.document(block_type, schema, None, is_anonymous=True)
    second = blocks.document(block_type, schema, None, is_anonymous=True)
    for document in (first, second):
        name = document["name"]
        expect(
            isinstance(name, str) and bool(CLIENT_DOCUMENT_NAME.match(name)),
            "an anonymous document's name must be lower-case letters, digits and dashes (the "
            "client's BlockDocumentName)",
            f"named it {name!r}",
            None,
        )
        expect_equal(document["is_anonymous"], True, "is_anonymous", None)
    expect(
        first["name"] != second["name"],
        "each anonymous document needs its own name",
        f"gave both {first['name']!r}",
        None,
    )


@pytest.mark.clause("PF-BD-anonymous-name")
def test_anonymous_names_are_anonymous_and_a_uuid4(api, blocks, widget):
    document = blocks.document(*widget, None, is_anonymous=True)
    expect(
        bool(ANONYMOUS_NAME.match(document["name"])),
        "an anonymous document's name must be anonymous-<uuid4>",
        f"named it {document['name']!r}",
        None,
    )


@pytest.mark.clause("PF-BD-anonymous")
def test_anonymous_document_keeps_an_explicit_name_which_stays_unique(api, blocks, widget):
    block_type, schema = widget
    name = blocks.unique("anon")
    created = blocks.document(block_type, schema, name, is_anonymous=True)
    expect_equal(created["name"], name, "an explicit anonymous name", None)
    again = blocks.document_body(block_type, schema, name, is_anonymous=True)
    expect_detail(api.post("/block_documents/", again), 409)
    other_type, other_schema = blocks.type_and_schema("other")
    elsewhere = blocks.document(other_type, other_schema, name, is_anonymous=True)
    expect_equal(elsewhere["name"], name, "the same anonymous name in another type", None)


@pytest.mark.clause("PF-BD-422-name")
@pytest.mark.parametrize(
    "bad",
    ["UpperCase", "has space", "under_score", "dot.name", "a/b", "a%b", "émoji-ü", "my|block"],
)
def test_invalid_document_name_is_refused(api, blocks, widget, bad):
    block_type, schema = widget
    answer = api.post("/block_documents/", blocks.document_body(block_type, schema, bad))
    expect_validation_error(answer)


LONG_NAME = 200


@pytest.mark.clause("PF-BD-422-name")
@pytest.mark.parametrize("label", ["-leading", "trailing-", "double--dash", "0123", "long"])
def test_dashes_digits_and_length_are_valid_in_document_names(api, blocks, widget, label):
    block_type, schema = widget
    name = f"{label}{blocks.unique('n')}" if label.startswith("-") else blocks.unique(label)
    if label == "long":
        name += "-" + "n" * (LONG_NAME - len(name) - 1)
    created = blocks.document(block_type, schema, name)
    expect_equal(created["name"], name, "the stored name", None)


@pytest.mark.clause("PF-BD-422-missing-name")
@pytest.mark.parametrize("name", ["absent", None, ""], ids=["absent", "null", "empty"])
def test_named_document_needs_a_name(api, blocks, widget, name):
    block_type, schema = widget
    body = blocks.document_body(block_type, schema, name)
    if name == "absent":
        del body["name"]
    expect_validation_error(api.post("/block_documents/", body))


MALFORMED_DOCUMENTS = {
    "missing-schema-id": (lambda body: body.pop("block_schema_id"), ["body", "block_schema_id"]),
    "missing-type-id": (lambda body: body.pop("block_type_id"), ["body", "block_type_id"]),
    "malformed-schema-id": (
        lambda body: body.update(block_schema_id="nope"),
        ["body", "block_schema_id"],
    ),
    "list-data": (lambda body: body.update(data=[1, 2]), ["body", "data"]),
    "null-data": (lambda body: body.update(data=None), ["body", "data"]),
}


@pytest.mark.clause("PF-BD-422-body")
@pytest.mark.parametrize("case", MALFORMED_DOCUMENTS)
def test_malformed_document_body_is_refused(api, blocks, widget, case):
    block_type, schema = widget
    body = blocks.document_body(block_type, schema, blocks.unique("bad"))
    change, _ = MALFORMED_DOCUMENTS[case]
    change(body)
    expect_validation_error(api.post("/block_documents/", body))


@pytest.mark.clause("PF-BD-422-body")
def test_an_unknown_key_is_refused_or_ignored(api, blocks, widget):
    block_type, schema = widget
    body = blocks.document_body(block_type, schema, blocks.unique("extra"), bogus=1)
    answer = api.post("/block_documents/", body)
    requirement = "a document with an unknown key must be refused with 422 or ignored (201)"
    path = f"/block_types/slug/{block_type['slug']}/block_documents/name/{body['name']}"
    if not expect_refused_or_ignored(answer, 201, requirement):
        expect_status(api.get(path), 404, requirement="nothing may be created")
        return
    read = api.get(path, params={"include_secrets": "true"})
    expect_equal(expect_json(read, 200, "block_document")["data"], body["data"], "data", read)


@pytest.mark.clause("PF-BD-422-non-object-body")
@pytest.mark.parametrize("body", [[1, 2], "a string", 5], ids=["array", "string", "number"])
def test_non_object_body_is_a_validation_error(api, body):
    expect_validation_error(api.post("/block_documents/", body))


def post_with_unknown_schema(api, blocks, widget) -> tuple[Exchange, str]:
    """A document naming a block_schema_id no schema has: the answer and the read by name."""
    block_type, schema = widget
    name = blocks.unique("orphan")
    body = blocks.document_body(block_type, schema, name, block_schema_id=UNKNOWN_ID)
    path = f"/block_types/slug/{block_type['slug']}/block_documents/name/{name}"
    return api.post("/block_documents/", body), path


@pytest.mark.clause("PF-BD-unknown-schema")
def test_unknown_schema_id_is_refused(api, blocks, widget):
    answer, path = post_with_unknown_schema(api, blocks, widget)
    expect_status(answer, *range(400, 500), requirement="an unknown block_schema_id must get a 4xx")
    expect_status(api.get(path), 404, requirement="no document may be created")


@pytest.mark.clause("PF-BD-unknown-schema-status")
def test_unknown_schema_id_conflicts(api, blocks, widget):
    answer, _ = post_with_unknown_schema(api, blocks, widget)
    expect_status(answer, 409, requirement="an unknown block_schema_id must get 409")
    expect_json(answer, 409, "detail_error")


@pytest.mark.clause("PF-BD-read-id")
def test_read_by_id_returns_the_document(api, blocks, widget):
    created = blocks.document(*widget)
    answer = api.get(f"/block_documents/{created['id']}")
    body = expect_json(answer, 200, "block_document")
    for key in ("id", "name", "block_schema_id", "block_type_id", "is_anonymous"):
        expect_equal(body[key], created[key], f"{key} read by id", answer)
    expect_same_object(
        body["block_type"], created["block_type"], "block_type", "block_type", answer
    )


@pytest.mark.clause("PF-BD-read-id")
def test_anonymous_document_is_readable_by_id(api, blocks, widget):
    created = blocks.document(*widget, None, is_anonymous=True)
    body = read_clear(api, created["id"])
    expect_equal(body["name"], created["name"], "the anonymous document's name", None)
    expect_equal(body["is_anonymous"], True, "is_anonymous", None)


@pytest.mark.clause("PF-BD-read-id")
def test_read_unknown_document_is_404(api):
    expect_detail(api.get(f"/block_documents/{UNKNOWN_ID}"), 404)


@pytest.mark.clause("PF-BD-update")
def test_update_merges_into_stored_data_by_default(api, blocks, widget):
    created = blocks.document(*widget)
    answer = api.patch(f"/block_documents/{created['id']}", {"data": {"host": "new.example"}})
    expect_status(answer, 204, requirement="a document PATCH must answer 204")
    expect_equal(answer.text, "", "the 204 body", answer)
    data = read_clear(api, created["id"])["data"]
    expected = {"host": "new.example", "password": "hunter2", "settings": {"port": 5432}}
    expect_equal(data, expected, "data after a merging PATCH", None)


@pytest.mark.clause("PF-BD-update")
def test_update_without_merge_replaces_data(api, blocks, widget):
    created = blocks.document(*widget)
    change = {"data": {"host": "only"}, "merge_existing_data": False}
    expect_status(api.patch(f"/block_documents/{created['id']}", change), 204)
    expect_equal(read_clear(api, created["id"])["data"], {"host": "only"}, "replaced data", None)


@pytest.mark.clause("PF-BD-update")
def test_update_merges_top_level_keys_only(api, blocks, widget):
    created = blocks.document(*widget)
    change = {"data": {"settings": {"timeout": 3}}}
    expect_status(api.patch(f"/block_documents/{created['id']}", change), 204)
    settings = read_clear(api, created["id"])["data"]["settings"]
    expect_equal(settings, {"timeout": 3}, "a nested object after a merging PATCH", None)


@pytest.mark.clause("PF-BD-update")
def test_update_of_an_anonymous_document(api, blocks, widget):
    created = blocks.document(*widget, None, is_anonymous=True)
    expect_status(api.patch(f"/block_documents/{created['id']}", {"data": {"host": "anon"}}), 204)
    expect_equal(read_clear(api, created["id"])["data"]["host"], "anon", "data.host", None)


@pytest.mark.clause("PF-BD-update")
def test_update_moves_updated_and_keeps_created(api, blocks, widget):
    created = blocks.document(*widget)
    let_the_clock_move()
    expect_status(api.patch(f"/block_documents/{created['id']}", {"data": {"host": "h2"}}), 204)
    read = api.get(f"/block_documents/{created['id']}")
    expect_timestamps_kept_in_order(created, expect_json(read, 200, "block_document"), read)


@pytest.mark.clause("PF-BD-updated-moves")
def test_update_moves_updated_within_a_second(api, blocks, widget):
    created = blocks.document(*widget)
    let_the_clock_move()
    expect_status(api.patch(f"/block_documents/{created['id']}", {"data": {"host": "h2"}}), 204)
    read = api.get(f"/block_documents/{created['id']}")
    expect_updated_moved(created, expect_json(read, 200, "block_document"), read)


@pytest.mark.clause("PF-BD-update-404")
def test_update_unknown_document_is_404(api):
    answer = api.patch(f"/block_documents/{UNKNOWN_ID}", {"data": {}})
    expect_detail(answer, 404)


@pytest.mark.clause("PF-BD-update-422")
def test_update_refuses_null_data(api, blocks, widget):
    created = blocks.document(*widget)
    expect_validation_error(api.patch(f"/block_documents/{created['id']}", {"data": None}))
    stored = read_clear(api, created["id"])
    expect_equal(stored["data"]["host"], "db.example", "data after a refused PATCH", None)


@pytest.mark.clause("PF-BD-update-422")
@pytest.mark.parametrize(
    "change",
    [{"name": "renamed"}, {"is_anonymous": True}, {"bogus": 1}],
    ids=["name", "is_anonymous", "unknown-key"],
)
def test_update_refuses_or_ignores_keys_it_does_not_take(api, blocks, widget, change):
    created = blocks.document(*widget)
    answer = api.patch(f"/block_documents/{created['id']}", change)
    key = next(iter(change))
    expect_refused_or_ignored(
        answer, 204, f"a document PATCH of {key} must be refused with 422 or ignored (204)"
    )
    stored = read_clear(api, created["id"])
    expect_equal(stored["name"], created["name"], "the name after that PATCH", None)
    expect_equal(stored["is_anonymous"], False, "is_anonymous after that PATCH", None)


@pytest.mark.clause("PF-BD-delete")
def test_delete_then_read_is_404_and_the_name_is_free(api, blocks, widget):
    created = blocks.document(*widget)
    answer = api.delete(f"/block_documents/{created['id']}")
    expect_status(answer, 204, requirement="deleting a document must answer 204")
    expect_detail(api.get(f"/block_documents/{created['id']}"), 404)
    expect_detail(api.delete(f"/block_documents/{created['id']}"), 404)
    block_type, schema = widget
    slug_path = f"/block_types/slug/{block_type['slug']}/block_documents/name/{created['name']}"
    expect_detail(api.get(slug_path), 404)
    listing = listings_of(api, block_type)["/block_documents/filter"]
    expect_json(listing, 200, "block_document_list")
    expect_unlisted(listing, created["id"], "the deleted document")
    again = blocks.document(block_type, schema, created["name"])
    expect_listed_once(api, block_type, again)


def expect_listed_once(api, block_type: dict, document: dict) -> None:
    """The document is what its name reads and lists as, on every listing of its type."""
    __tracebackhide__ = True
    slug, name = block_type["slug"], document["name"]
    read = api.get(f"/block_types/slug/{slug}/block_documents/name/{name}")
    expect_equal(expect_json(read, 200, "block_document")["id"], document["id"], "by name", read)
    scope = {
        "block_types": {"slug": {"any_": [slug]}},
        "block_documents": {"name": {"any_": [name]}},
    }
    listings = {
        "the filter": api.post("/block_documents/filter", scope),
        "the type's documents": api.get(f"/block_types/slug/{slug}/block_documents"),
    }
    for where, answer in listings.items():
        listed = expect_json(answer, 200, "block_document_list")
        ids = [item["id"] for item in listed if item["name"] == name]
        expect_equal(ids, [document["id"]], f"the re-created document in {where}", answer)
    count = api.post("/block_documents/count", scope)
    expect_equal(expect_json(count, 200, "count"), 1, "the count of the re-created name", count)


@pytest.mark.clause("PF-BD-read-name")
def test_read_by_slug_and_name_nests_type_and_schema(api, blocks, widget):
    block_type, schema = widget
    created = blocks.document(block_type, schema)
    answer = api.get(
        f"/block_types/slug/{block_type['slug']}/block_documents/name/{created['name']}"
    )
    body = expect_json(answer, 200, "block_document")
    expect_equal(body["id"], created["id"], "the document found by name", answer)
    expect_nested_type_and_schema(body, block_type, schema, answer)


@pytest.mark.clause("PF-BD-read-name-anonymous")
def test_anonymous_document_is_found_by_name(api, blocks, widget):
    block_type, schema = widget
    created = blocks.document(block_type, schema, None, is_anonymous=True)
    answer = api.get(
        f"/block_types/slug/{block_type['slug']}/block_documents/name/{created['name']}"
    )
    expect_equal(expect_json(answer, 200, "block_document")["id"], created["id"], "the id", answer)


@pytest.mark.clause("PF-BD-read-name-404")
def test_unknown_name_or_slug_is_404(api, blocks, widget):
    block_type, schema = widget
    created = blocks.document(block_type, schema)
    unknown_name = (
        f"/block_types/slug/{block_type['slug']}/block_documents/name/{blocks.unique('none')}"
    )
    unknown_slug = (
        f"/block_types/slug/{blocks.unique('none')}/block_documents/name/{created['name']}"
    )
    for path in (unknown_name, unknown_slug):
        expect_detail(api.get(path), 404, requirement=f"GET {path} must get 404")


RACERS = 32


@pytest.mark.clause("PF-BD-409-concurrent")
def test_simultaneous_creates_of_one_name_have_exactly_one_winner(api, blocks, widget):
    """The suite's client retries 503 as the Prefect client does; what is left must be one 201
    and 409s, and one stored document."""
    block_type, schema = widget
    body = blocks.document_body(block_type, schema, blocks.unique("race"))
    start = threading.Barrier(RACERS)

    def create(_: int) -> Exchange | None:
        start.wait()
        try:
            return api.post("/block_documents/", body)
        except TargetUnreachable:
            return None  # counted as "no answer"; one lost racer must not stop the run

    with ThreadPoolExecutor(RACERS) as pool:
        answers = list(pool.map(create, range(RACERS)))
    statuses = Counter(answer.status if answer else "no answer" for answer in answers)
    odd = next((a for a in answers if a is not None and a.status not in (201, 409)), None)
    expect(
        statuses == Counter({201: 1, 409: RACERS - 1}),
        f"{RACERS} simultaneous creates of one name must get exactly one 201 and {RACERS - 1} 409s",
        f"answered {dict(statuses)}",
        odd,
    )
    listed = api.post(
        "/block_documents/count", {"block_documents": {"name": {"any_": [body["name"]]}}}
    )
    expect_equal(expect_json(listed, 200, "count"), 1, "documents stored under the name", listed)
