"""The contract cannot drift: every answer a server gives during a conformance run validates
against fixtures/openapi/prefect.json, for the reference server and (in CI) the real
Prefect server; the committed contract is the one the builder writes; and its valid requests
follow Prefect's published OpenAPI as a JSON Schema validator reads it (an integer is a JSON
integer, a boolean a JSON boolean), the inputs the real server only converts being named in
x-blocks-lax annotations."""

import json
import re
import subprocess
import sys

import httpx
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance.contracts import LAX, lax_inputs, published, widened
from conformance.expectations import Expectations
from conformance.generation import POSITIVE, Contract
from conformance.prefect.contract import (
    BOOLEAN,
    CONTRACT_PATH,
    INTEGER,
    LAX_BOOLEANS,
    LAX_INTEGERS,
)

from .support import LEDGERS, ROOT
from .support.environment import required_in_ci
from .support.full_runs import FULL_RUNS
from .support.suite_runs import run_suite

CONTRACT = json.loads(CONTRACT_PATH.read_text())
REGISTRY = Registry().with_resource(
    "urn:contract", Resource.from_contents(CONTRACT, default_specification=DRAFT202012)
)


def templates() -> list[tuple[re.Pattern, str]]:
    """Contract paths as patterns, literal paths before templated ones."""
    found = []
    for path in CONTRACT["paths"]:
        pattern = re.compile(
            "^"
            + re.sub(r"\{[^/]+\}", "[^/]+", re.escape(path).replace(r"\{", "{").replace(r"\}", "}"))
            + "$"
        )
        found.append((path.count("{"), pattern, path))
    return [(pattern, path) for _, pattern, path in sorted(found, key=lambda item: item[0])]


def operation_for(method: str, path: str) -> dict | None:
    for pattern, template in templates():
        if pattern.match(path):
            return CONTRACT["paths"][template].get(method.lower())
    return None


def known_bugs() -> set[str]:
    """Clauses of the real servers' expected-failure files: their tests provoke its 500s."""
    return set(Expectations.load([str(ledger) for ledger in LEDGERS]).entries)


def violations(records: list[dict], excused: set[str] = frozenset()) -> list[str]:
    problems = []
    for record in records:
        if excused & set(record.get("clauses", [])):
            continue
        operation = operation_for(record["method"], record["path"])
        where = f"{record['method']} {record['path']} -> {record['status']}"
        if operation is None:
            continue  # not a contract operation (e.g. the CSRF probe)
        response = operation["responses"].get(str(record["status"]))
        if response is None:
            problems.append(f"{where}: status not in the contract")
            continue
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            continue
        try:
            body = json.loads(record["body"])
        except ValueError:
            problems.append(f"{where}: body is not JSON")
            continue
        validator = jsonschema.Draft202012Validator(
            {"$ref": "urn:contract" + schema["$ref"]}, registry=REGISTRY
        )
        error = next(iter(validator.iter_errors(body)), None)
        if error is not None:
            problems.append(f"{where}: {error.message[:200]}")
    return problems


@FULL_RUNS
def test_reference_server_answers_follow_the_contract(reference_run):
    assert len(reference_run.exchanges) > 2000
    assert violations(reference_run.exchanges) == []


@FULL_RUNS
def test_real_server_answers_follow_the_contract(real_run):
    assert len(real_run.exchanges) > 2000
    assert violations(real_run.exchanges, excused=known_bugs()) == []


def test_the_check_sees_an_undocumented_status_and_a_wrong_body():
    records = [
        {"method": "GET", "path": "/block_types/slug/x", "status": 418, "body": "{}"},
        {"method": "GET", "path": "/block_types/slug/x", "status": 200, "body": '{"id": 1}'},
    ]
    found = violations(records)
    assert len(found) == 2 and "not in the contract" in found[0]


def test_builder_runs_as_a_module(tmp_path):
    target = tmp_path / "contract.json"
    subprocess.run(
        [sys.executable, "-m", "conformance.prefect.contract", str(target)], cwd=ROOT, check=True
    )
    assert json.loads(target.read_text()) == CONTRACT


# ---- valid requests follow the published reading ---------------------------------------------

GENERATED = Contract(CONTRACT_PATH)
# where the published OpenAPI has integers and booleans in a request (body or query)
INTEGERS = {("limit",), ("offset",)}
BOOLEANS = {
    ("include_secrets",),
    ("merge_existing_data",),
    ("is_anonymous",),
    ("block_documents", "is_anonymous", "eq_"),
}
# inputs a valid request may send as null beside their type: what the published OpenAPI allows
# (eq_: boolean or null) and what the real client sends (read_block_documents: offset=None,
# limit=None)
NULL_ALLOWED = {
    ("POST /block_documents/filter", ("limit",)),
    ("POST /block_documents/filter", ("offset",)),
}
NULL_ALLOWED |= {
    (label, ("block_documents", "is_anonymous", "eq_"))
    for label in ("POST /block_documents/filter", "POST /block_documents/count")
}


def keyed(value, where: tuple = ()):
    """Every (path, value) of a JSON object, nested ones included (none of anything else)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*where, key), item
            yield from keyed(item, (*where, key))


def wrong_typed(label: str, case) -> list[str]:
    """The integers and booleans of a case that are not JSON integers and booleans (in a query,
    a boolean is written "true" or "false")."""
    found = []
    query = [(where, value, value in ("true", "false")) for where, value in keyed(case.query)]
    body = [(where, value, False) for where, value in keyed(case.body)]
    for where, value, written in [*body, *query]:
        if value is None and (label, where) in NULL_ALLOWED:
            continue
        wanted = int if where in INTEGERS else bool if where in BOOLEANS else None
        if wanted is not None and type(value) is not wanted and not written:
            found.append(f"{'.'.join(where)}={value!r}")
    return found


TYPED_OPERATIONS = [
    "POST /block_types/filter",
    "POST /block_schemas/filter",
    "POST /block_documents/filter",
    "POST /block_documents/",
    "PATCH /block_documents/{id}",
    "GET /block_documents/{id}",
    "GET /block_types/slug/{slug}/block_documents",
    "GET /block_types/slug/{slug}/block_documents/name/{name}",
]


@pytest.mark.parametrize("label", TYPED_OPERATIONS)
def test_valid_requests_send_integers_and_booleans_only_as_such(label):
    """PF-GEN-contract never sends, as a valid request, a boolean or a numeric string where the
    published OpenAPI says integer, nor 0, 1 or a word where it says boolean (nor null where it
    allows none and no client sends one)."""
    seen = []

    @settings(
        max_examples=150,
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=GENERATED.strategy(label, POSITIVE))
    def check(case):
        seen.extend(where for where, _ in [*keyed(case.body), *keyed(case.query or {})])
        assert wrong_typed(label, case) == [], case.body

    check()
    assert set(seen) & (INTEGERS | BOOLEANS), f"{label}: no integer or boolean input was drawn"


def test_the_check_sees_a_lax_input():
    class Case:
        body = {"limit": False, "block_documents": {"is_anonymous": {"eq_": "yes"}}}
        query = {"include_secrets": "1"}

    found = wrong_typed("POST /block_types/filter", Case)
    assert found == ["limit=False", "block_documents.is_anonymous.eq_='yes'", "include_secrets='1'"]


def test_the_lax_samples_lie_in_their_annotations_and_outside_the_published_reading():
    def valid(schema, value) -> bool:
        return jsonschema.Draft202012Validator(schema).is_valid(value)

    for samples, schema in ((LAX_INTEGERS, INTEGER), (LAX_BOOLEANS, BOOLEAN)):
        for lax, converted in samples:
            assert valid(schema[LAX], lax) and not valid(published(schema), lax), lax
            assert valid(published(schema), converted), converted


def test_the_widened_reading_admits_what_the_annotation_names():
    node = {"properties": {"limit": {"type": "integer", LAX: {"type": "string"}}}}
    assert published(node) == {"properties": {"limit": {"type": "integer"}}}
    assert widened(node) == {
        "properties": {"limit": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}
    }
    assert lax_inputs(node) == [(("properties", "limit"), {"type": "string"})]


def test_saved_failures_belong_to_the_contract_they_were_drawn_from(tmp_path):
    """The example database keeps a generated test's failures under the contract's version: a
    failure drawn from another version (a lax example of the old contract) is not replayed."""
    older = tmp_path / "prefect.json"
    older.write_text(CONTRACT_PATH.read_text().replace('"type": "integer"', '"type": "number"'))
    assert Contract(older).reading != GENERATED.reading
    assert GENERATED.reading.startswith(":prefect-")


# ---- the contract and Prefect's own published OpenAPI ------------------------------------------


def resolved(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
    return schema


def types_of(document: dict, schema: dict) -> set[str]:
    """The JSON types a schema admits (through $ref, anyOf, const and enum)."""
    schema = resolved(document, schema)
    if "anyOf" in schema:
        return set().union(*(types_of(document, branch) for branch in schema["anyOf"]))
    if "const" in schema or "enum" in schema:
        values = [schema["const"]] if "const" in schema else schema["enum"]
        names = {bool: "boolean", int: "integer", str: "string", type(None): "null"}
        return {names.get(type(value), "other") for value in values}
    declared = schema.get("type", [])
    return set([declared] if isinstance(declared, str) else declared)


def typed_leaves(document: dict, schema: dict, where: tuple = ()) -> dict[tuple, set[str]]:
    """The integer and boolean inputs of a request schema: where they are, and their types."""
    schema = resolved(document, schema)
    found = {}
    for branch in schema.get("anyOf", []):
        found |= typed_leaves(document, branch, where)
    for key, value in schema.get("properties", {}).items():
        types = types_of(document, value)
        if types & {"integer", "boolean"} and types <= {"integer", "boolean", "null"}:
            found[(*where, key)] = types
        else:
            found |= typed_leaves(document, value, (*where, key))
    return found


def schema_at(document: dict, schema: dict, where: tuple) -> set[str]:
    """The types our contract admits at ``where`` in a request schema."""
    schema = resolved(document, schema)
    if "anyOf" in schema:
        return set().union(*(schema_at(document, branch, where) for branch in schema["anyOf"]))
    if not where:
        return types_of(document, schema)
    inner = schema.get("properties", {}).get(where[0])
    return set() if inner is None else schema_at(document, inner, where[1:])


def templated(path: str) -> str:
    """A path with its parameters unnamed (Prefect names ours {name} {block_document_name})."""
    return re.sub(r"\{[^}]+\}", "{}", path.removeprefix("/api"))


def request_inputs(document: dict, operation: dict) -> dict[tuple, dict]:
    """An operation's inputs: its body schema and each query parameter's, by location."""
    inputs = {("query", p["name"]): p["schema"] for p in operation.get("parameters", [])}
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    if "schema" in body:
        inputs[("body",)] = body["schema"]
    return inputs


@pytest.fixture(scope="module")
def prefects_openapi():
    url = required_in_ci("BLOCKS_REAL_TARGET_URL", "the real Prefect server's OpenAPI")
    return httpx.get(f"{url.rstrip('/')}/openapi.json", timeout=30).json()


def test_the_contracts_integers_and_booleans_are_prefects_published_ones(prefects_openapi):
    """Every input Prefect's published OpenAPI types as an integer or a boolean is one in the
    contract's published reading too (null only where Prefect allows it or its client sends it:
    the documents' filter's limit and offset)."""
    ours = published(CONTRACT)
    prefects_paths = {templated(path): ops for path, ops in prefects_openapi["paths"].items()}
    checked = []
    for path, methods in ours["paths"].items():
        for method, operation in methods.items():
            theirs = prefects_paths.get(templated(path), {}).get(method)
            if theirs is None:
                continue
            mine = request_inputs(ours, operation)
            for location, schema in request_inputs(prefects_openapi, theirs).items():
                leaves = (
                    {(): types_of(prefects_openapi, schema)}
                    if location[0] == "query"
                    else typed_leaves(prefects_openapi, schema)
                )
                for where, types in leaves.items():
                    if not types & {"integer", "boolean"}:
                        continue
                    label = f"{method.upper()} {path}"
                    allowed = types | ({"null"} if (label, where) in NULL_ALLOWED else set())
                    admitted = schema_at(ours, mine.get(location, {}), where)
                    checked.append((label, location, where))
                    assert admitted and admitted <= allowed, (
                        label,
                        location,
                        where,
                        admitted,
                        types,
                    )
    assert len(checked) >= 12, checked


# ---- a generated failure ----------------------------------------------------------------------

DOCUMENT_CREATES = (
    "conformance/prefect/test_openapi.py::"
    "test_generated_valid_requests_follow_the_contract[POST /block_documents/]"
)
HYPOTHESIS_LINES = (
    "Failing test case",
    "Falsifying example",
    "Explanation:",
    "always and only run by failing test cases",
    "reproduce_failure",
    "Reproduce with:",  # schemathesis's own curl line and its copy of the answer
)


def test_a_generated_failure_shows_the_case_and_the_contracts_reading(start_variant, tmp_path):
    """The request, the answer, the contract's reading and what real Prefect does; none of
    Hypothesis's or schemathesis's own lines."""
    server = start_variant("validates_document_data_against_the_schema")
    run = run_suite(
        f"--target-url={server.url}",
        DOCUMENT_CREATES,
        "--blocks-examples=20",
        "--blocks-seed=0",
        tmp_path=tmp_path,
        suite=[],
    )
    assert run.returncode == 1, run.output[-3000:]
    for shown in (
        "must be accepted",
        "refused it with 422",
        "the contract's reading: a valid request",
        "its answers: 201 (block_document)",
        "the real server: Prefect 3.8.8 and 3.9.1 accept",
        "request:  POST",
        "response: 422",
    ):
        assert shown in run.output, shown
    assert [line for line in HYPOTHESIS_LINES if line in run.output] == []
