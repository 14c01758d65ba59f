"""The contract cannot drift: every answer a server gives during a conformance run validates
against fixtures/openapi/prefect.json, for the reference server and (in CI) the real
Prefect server; and the committed contract is the one the builder writes."""

import json
import re
import subprocess
import sys

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance.expectations import Expectations
from conformance.prefect.contract import CONTRACT_PATH

from .support import LEDGERS, ROOT
from .support.full_runs import FULL_RUNS

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
