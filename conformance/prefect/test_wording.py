"""The real server's own words: the exact ``detail`` of each explicit error, one SHOULD clause per
area. The MUST clauses ask for the status and a JSON ``detail`` string only: the Prefect client
decides by status (404 ``ObjectNotFound``, 409 ``ObjectAlreadyExists``) and reads no other text
than the two its MUST clauses pin (``PF-BT-protected-delete``, ``PF-API-csrf-probe``).
Differential mode compares every text too."""

from collections.abc import Callable

import pytest

from ..client import NO_BODY
from .checks import expect_detail_text, expect_validation_error
from .helpers import UNKNOWN_ID, Blocks, malformed_id_status, nested_fields

# Each case: (clause, what it provokes) -> (the request, the status, the real server's words).
Case = Callable[[Blocks], tuple]


def duplicate_document(blocks: Blocks) -> tuple:
    block_type, schema = blocks.type_and_schema("words")
    first = blocks.document(block_type, schema)
    body = blocks.document_body(block_type, schema, first["name"])
    return blocks.api.post("/block_documents/", body), 409, "Block already exists"


def unknown_name(blocks: Blocks) -> tuple:
    block_type = blocks.block_type("words")
    path = f"/block_types/slug/{block_type['slug']}/block_documents/name/{blocks.unique('none')}"
    return blocks.api.get(path), 404, "Block document not found"


def unknown_type_for_schema(blocks: Blocks) -> tuple:
    answer = blocks.api.post("/block_schemas/", {"block_type_id": UNKNOWN_ID, "fields": {}})
    return answer, 404, f"Block type {UNKNOWN_ID} not found."


def protected_schema_delete(blocks: Blocks) -> tuple:
    _, schema = blocks.secret_type_and_schema()
    answer = blocks.api.delete(f"/block_schemas/{schema['id']}")
    return answer, 403, "Block schemas for protected block types cannot be deleted."


def reserved_type_name(blocks: Blocks) -> tuple:
    answer = blocks.api.post(
        "/block_types/", {"name": "Prefect words", "slug": blocks.unique("reserved")}
    )
    return answer, 403, "Block type names beginning with 'Prefect' are reserved."


def unregistered_reference(blocks: Blocks) -> tuple:
    top = blocks.block_type("words-top")
    missing = blocks.unique("never-registered")
    fields = nested_fields({"top": top["slug"], "middle": missing, "leaf": blocks.unique("leaf")})
    answer = blocks.api.post(
        "/block_schemas/", {"block_type_id": top["id"], "fields": fields["top"]}
    )
    words = (
        f"Cannot create block schema because block type '{missing}' was not found."
        "Did you forget to register the block type?"
    )
    return answer, 409, words


def not_found(method: str, path: str, words: str, body=NO_BODY) -> Case:
    """A 404; ``{unique}`` in the path is a slug or name of the run that names nothing."""

    def case(blocks: Blocks) -> tuple:
        answer = blocks.api.request(method, path.format(unique=blocks.unique("none")), body)
        return answer, 404, words

    return case


def limit(value: int, words: str) -> Case:
    def case(blocks: Blocks) -> tuple:
        return blocks.api.post("/block_documents/filter", {"limit": value}), 422, words

    return case


def malformed_id(collection: str, method: str) -> Case:
    """A path id that is not a UUID: the words of the 404 (no route matches), or of the 405 of a
    release whose paths matched (before 3.4.8: its 422s are validation errors, words of no one's
    choosing, which PF-API-422-shape covers)."""

    def case(blocks: Blocks) -> tuple:
        body = {} if method == "PATCH" else NO_BODY
        answer = blocks.api.request(method, f"/{collection}/not-a-uuid", body)
        status = malformed_id_status(blocks.run, collection, method)
        if status == 422:
            return answer, 422, None
        return answer, status, "Method Not Allowed" if status == 405 else "Not Found"

    return case


MALFORMED_UUID_PATHS = {
    f"{method} /{collection}/not-a-uuid": malformed_id(collection, method)
    for collection in ("block_types", "block_schemas", "block_documents")
    for method in ("GET", "PATCH", "DELETE")
}

CASES: dict[str, dict[str, Case]] = {
    "PF-API-detail-texts": MALFORMED_UUID_PATHS,
    "PF-BT-detail-texts": {
        "reserved name": reserved_type_name,
        "GET unknown id": not_found("GET", f"/block_types/{UNKNOWN_ID}", "Block type not found"),
        "GET unknown slug": not_found("GET", "/block_types/slug/{unique}", "Block type not found"),
        "PATCH unknown id": not_found(
            "PATCH", f"/block_types/{UNKNOWN_ID}", "Block type not found", {"description": "x"}
        ),
        "DELETE unknown id": not_found(
            "DELETE", f"/block_types/{UNKNOWN_ID}", "Block type not found"
        ),
    },
    "PF-BS-detail-texts": {
        "unknown checksum": not_found(
            "GET", "/block_schemas/checksum/sha256:{unique}", "Block schema not found"
        ),
        "GET unknown id": not_found(
            "GET", f"/block_schemas/{UNKNOWN_ID}", "Block schema not found"
        ),
        "DELETE unknown id": not_found(
            "DELETE", f"/block_schemas/{UNKNOWN_ID}", "Block schema not found"
        ),
        "unknown block type": unknown_type_for_schema,
        "protected schema delete": protected_schema_delete,
    },
    "PF-BD-detail-texts": {
        "duplicate name": duplicate_document,
        "GET unknown id": not_found(
            "GET", f"/block_documents/{UNKNOWN_ID}", "Block document not found"
        ),
        "PATCH unknown id": not_found(
            "PATCH", f"/block_documents/{UNKNOWN_ID}", "Block document not found", {"data": {}}
        ),
        "DELETE unknown id": not_found(
            "DELETE", f"/block_documents/{UNKNOWN_ID}", "Block document not found"
        ),
        "unknown name": unknown_name,
        "unknown slug": not_found(
            "GET",
            "/block_types/slug/{unique}/block_documents/name/x",
            "Block document not found",
        ),
    },
    "PF-FLT-detail-texts": {
        "limit above 200": limit(201, "Invalid limit: must be less than or equal to 200."),
        "negative limit": limit(-1, "Invalid limit: must be greater than or equal to 0."),
        "documents of an unknown type": not_found(
            "GET", "/block_types/slug/{unique}/block_documents", "Block type not found"
        ),
    },
    "PF-NEST-detail-texts": {"unregistered referenced type": unregistered_reference},
}


def cases_of(clause: str) -> list:
    return [pytest.param(clause, name, id=name) for name in CASES[clause]]


def check(blocks: Blocks, clause: str, name: str) -> None:
    __tracebackhide__ = True
    answer, status, words = CASES[clause][name](blocks)
    if words is None:
        expect_validation_error(answer, requirement=f"{answer.method} {answer.path} ({name})")
        return
    expect_detail_text(answer, status, words, f"{answer.method} {answer.path} ({name})")


@pytest.mark.clause("PF-API-detail-texts")
@pytest.mark.parametrize("clause, name", cases_of("PF-API-detail-texts"))
def test_malformed_ids_say_not_found(blocks, clause, name):
    check(blocks, clause, name)


@pytest.mark.clause("PF-BT-detail-texts")
@pytest.mark.parametrize("clause, name", cases_of("PF-BT-detail-texts"))
def test_block_type_errors_say_what_the_real_server_says(blocks, clause, name):
    check(blocks, clause, name)


@pytest.mark.clause("PF-BS-detail-texts")
@pytest.mark.parametrize("clause, name", cases_of("PF-BS-detail-texts"))
def test_block_schema_errors_say_what_the_real_server_says(blocks, clause, name):
    check(blocks, clause, name)


@pytest.mark.clause("PF-BD-detail-texts")
@pytest.mark.parametrize("clause, name", cases_of("PF-BD-detail-texts"))
def test_block_document_errors_say_what_the_real_server_says(blocks, clause, name):
    check(blocks, clause, name)


@pytest.mark.clause("PF-FLT-detail-texts")
@pytest.mark.parametrize("clause, name", cases_of("PF-FLT-detail-texts"))
def test_filter_errors_say_what_the_real_server_says(blocks, clause, name):
    check(blocks, clause, name)


@pytest.mark.clause("PF-NEST-detail-texts")
@pytest.mark.parametrize("clause, name", cases_of("PF-NEST-detail-texts"))
def test_reference_errors_say_what_the_real_server_says(blocks, clause, name):
    check(blocks, clause, name)
