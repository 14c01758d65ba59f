"""Generated cases from our OpenAPI contract (``fixtures/openapi/prefect.json``).

Schemathesis generates requests for every operation; the suite sends them with its own client
(headers, timeouts, clean-up registry) and lets schemathesis judge the answers. Valid requests
are drawn from the contract's published reading (no input of an ``x-blocks-lax`` annotation:
``"5"`` or ``false`` is no integer), invalid ones from its widened reading (no annotated input is
sent as an invalid one: PF-GEN-lax-inputs covers them). Valid requests
are moved into the run's namespace (names, slugs, versions, and the ids of a block type and
schema the run owns) so they create only objects the run deletes, and must be accepted; invalid
requests are sent as generated. Requests that would change pre-existing objects are never
generated: ids are random UUIDs, and install_system_block_types is not part of the contract.
"""

import uuid

import pytest
from hypothesis import assume
from schemathesis.core import NotSet

from ..checks import fail
from ..generation import (
    INVALID_CHECKS,
    NEGATIVE,
    POSITIVE,
    VALID_CHECKS,
    Contract,
    contract_reading,
    contract_tests,
    judged_by,
)
from .contract import CONTRACT_PATH
from .profile import CREATE_PATHS

CONTRACT = Contract(CONTRACT_PATH)
CREATES = {"POST /block_types/", "POST /block_schemas/", "POST /block_documents/"}
MAX_LIMIT = 200
# what the real servers do with generated requests (shown in a failure)
REAL = {
    POSITIVE: "Prefect 3.8.8 and 3.9.1 accept every request the contract calls valid, on SQLite "
    "and PostgreSQL (the contract's request schemas are measured on them)",
    NEGATIVE: "Prefect 3.8.8 and 3.9.1 refuse such requests with a 4xx the contract allows "
    "(422 for a body or parameter they cannot read)",
}


@pytest.fixture
def owned(blocks) -> dict:
    """A block type and schema of the run, for generated schemas and documents to attach to."""
    block_type, schema = blocks.type_and_schema("gen")
    return {"type": block_type, "schema": schema, "ns": blocks.ns}


def into_namespace(label: str, body, owned: dict):
    """A valid generated body moved into the run's namespace; other bodies unchanged."""
    if not isinstance(body, dict):
        return body
    body = dict(body)
    ns = owned["ns"]
    if label == "POST /block_types/":
        body["slug"] = f"{ns}{body['slug']}"[:80]
        body["name"] = f"{ns}{body['name']}"
    elif label == "POST /block_schemas/":
        body["block_type_id"] = owned["type"]["id"]
        body["version"] = f"{ns}{body.get('version', 'v')}"
    elif label == "POST /block_documents/":
        body["block_type_id"] = owned["type"]["id"]
        body["block_schema_id"] = owned["schema"]["id"]
        if body.get("name") is not None:
            body["name"] = f"{ns}{body['name']}"
    return body


def discard_created(api, path: str, exchange) -> None:
    """Delete at once what a generated create made: later tests (and a differential run's
    other server, which may have refused it) then see the same objects."""
    kind = CREATE_PATHS.get(path)
    body = exchange.json
    if kind and exchange.status == 201 and isinstance(body, dict) and "id" in body:
        api.delete(f"{path}{body['id']}")
        api.forget(kind, body["id"])


def integer(value) -> int | None:
    """A limit or offset as a valid request holds it: a JSON integer, or null."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def within_bounds(body):
    """A valid filter body with limit and offset inside the bounds the clauses set (0 to 200,
    at least 0), which the contract's integers do not carry."""
    if not isinstance(body, dict):
        return body
    body = dict(body)
    limit, offset = integer(body.get("limit")), integer(body.get("offset"))
    if limit is not None and not 0 <= limit <= MAX_LIMIT:
        body["limit"] = MAX_LIMIT
    if offset is not None and offset < 0:
        body["offset"] = 0
    return body


def refusal_allowed(label: str, status: int) -> bool:
    """The 4xx a valid request may get: 404 for an id, slug, name or checksum that does not
    exist (generated at random), 409 for a name or slug used before."""
    return (status == 404 and "{" in label) or (status == 409 and label in CREATES)


def expect_accepted(label: str, case, exchange) -> None:
    __tracebackhide__ = True
    if 400 <= exchange.status < 500 and not refusal_allowed(label, exchange.status):
        fail(
            f"a generated valid request to {label} must be accepted (2xx; 404 only for an "
            "unknown id, slug, name or checksum, 409 only for a reused name or slug)",
            f"refused it with {exchange.status}\n  "
            + contract_reading(case, POSITIVE, REAL[POSITIVE]),
            exchange,
        )


def overflows(body) -> bool:
    """An offset beyond 64 bits: PF-FLT-offset-range covers it; the real server answers 500."""
    if not isinstance(body, dict) or "offset" not in body:
        return False
    try:
        return abs(int(str(body["offset"]).replace("_", "").strip().split(".")[0])) >= 2**63
    except ValueError:
        return False


def holds_nul(value) -> bool:
    """Whether any text of a request holds a NUL character, which PostgreSQL cannot store: the
    real server answers 503 to it on PostgreSQL and stores it on SQLite, so neither answer is
    asked of a server (the contract's text excludes NUL; this also covers text deep inside a
    schema's fields or a filter, and the invalid cases made by putting one in)."""
    if isinstance(value, str | bytes | bytearray):
        return ("\x00" if isinstance(value, str) else b"\x00") in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(holds_nul(item) for item in value)
    return False


def owned_ids(label: str, body, owned: dict):
    """An invalid body with its well-formed ids replaced by the run's own, so that a server
    that wrongly accepts the invalid part answers 2xx (and is caught) instead of 404."""
    if not isinstance(body, dict) or label not in (
        "POST /block_schemas/",
        "POST /block_documents/",
    ):
        return body
    replacements = {"block_type_id": owned["type"]["id"], "block_schema_id": owned["schema"]["id"]}
    body = dict(body)
    for key, value in replacements.items():
        try:
            uuid.UUID(str(body.get(key)))
        except ValueError:
            continue
        body[key] = value
    return body


def left_to_its_clause(label: str, body) -> bool:
    """Invalid inputs with clauses of their own, which the real server mishandles; generating
    them here would mask everything else this test finds there. A non-object document body
    (PF-BD-422-non-object-body, real: 500) and an empty slug (PF-BT-422-empty-slug, real: 201)."""
    if label == "POST /block_documents/":
        return not isinstance(body, dict | NotSet)
    if label == "POST /block_types/":
        return isinstance(body, dict) and body.get("slug") == ""
    return False


DOCUMENT_WRITES = ("POST /block_documents/", "PATCH /block_documents/{id}")


def without_references(label: str, body):
    """A body without references: top-level ``$ref`` values in a document's data, and a
    schema's ``block_schema_references`` (other than ``{}``). References are valid only to
    objects that exist, and have clauses of their own (PF-NEST-*), among them two for the real
    server's 500s (PF-NEST-ref-not-object, PF-NEST-schema-bad-references)."""
    if not isinstance(body, dict):
        return body
    if label == "POST /block_schemas/" and isinstance(body.get("fields"), dict):
        fields = body["fields"]
        if fields.get("block_schema_references", {}) != {}:
            kept = {k: v for k, v in fields.items() if k != "block_schema_references"}
            return {**body, "fields": kept}
    if label in DOCUMENT_WRITES and isinstance(body.get("data"), dict):
        data = body["data"]
        kept = {k: v for k, v in data.items() if not (isinstance(v, dict) and "$ref" in v)}
        return {**body, "data": kept}
    return body


def prepared(mode, owned: dict):
    """Moves a case onto the run's objects: a valid body into the namespace and the bounds, an
    invalid one onto the run's ids; cases left to clauses of their own are assumed away."""

    def prepare(case) -> None:
        label = case.operation.label
        body = case.body
        assume(not any(holds_nul(part) for part in (body, case.query, case.path_parameters)))
        assume(not overflows(body))
        assume(not left_to_its_clause(label, body))
        body = without_references(label, body)
        if mode is POSITIVE:
            body = within_bounds(into_namespace(label, body, owned))
        else:
            body = owned_ids(label, body, owned)
        case.body = body

    return prepare


def judged(checks: list):
    """Schemathesis's checks, then the created object deleted at once and (valid requests)
    the acceptance of valid input."""
    base_judge = judged_by(checks, REAL)

    def judge(api, label, mode, case, exchange) -> None:
        __tracebackhide__ = True
        try:
            base_judge(api, label, mode, case, exchange)
        finally:
            discard_created(api, case.formatted_path, exchange)
        if mode is POSITIVE:
            expect_accepted(label, case, exchange)

    return judge


(
    test_generated_valid_requests_follow_the_contract,
    test_generated_invalid_requests_are_refused,
) = contract_tests(
    CONTRACT,
    "PF-GEN-contract",
    "PF-GEN-invalid-rejected",
    prepared,
    valid=judged(VALID_CHECKS),
    invalid=judged(INVALID_CHECKS),
)
