"""Assertions that explain themselves: each failure names the clause, says what the server did
versus what the clause requires, and shows the request and response that caused it."""

import json
from functools import cache
from typing import Any

import jsonschema
from referencing import Registry, Resource

from . import fixtures_dir
from .client import Exchange

_current_clauses: list[str] = []


class ConformanceFailure(AssertionError):
    """The target answered, but not as the clause requires."""


def set_current_clauses(clause_ids: list[str]) -> None:
    _current_clauses[:] = clause_ids


def fail(requirement: str, observed: str, exchange: Exchange | None = None) -> None:
    __tracebackhide__ = True
    clauses = ", ".join(_current_clauses) or "no clause"
    message = f"[{clauses}] {requirement}\n  server did: {observed}"
    if exchange is not None:
        message += "\n" + exchange.describe()
    raise ConformanceFailure(message)


def expect_status(exchange: Exchange, *allowed: int, requirement: str = "") -> Exchange:
    """The status is one of ``allowed``; a 204 has an empty body and a 4xx body has an error
    shape (every answer the suite looks at is validated, error bodies included)."""
    __tracebackhide__ = True
    if exchange.status not in allowed:
        wanted = " or ".join(str(status) for status in allowed)
        fail(
            requirement or f"{exchange.method} {exchange.path} must answer {wanted}",
            f"answered {exchange.status}",
            exchange,
        )
    if exchange.status == 204 and exchange.text:
        fail("a 204 answer must have an empty body", f"sent {len(exchange.text)} chars", exchange)
    if 400 <= exchange.status < 500:
        validate_body(exchange, "error")
    return exchange


def expect(condition: bool, requirement: str, observed: str, exchange: Exchange | None) -> None:
    __tracebackhide__ = True
    if not condition:
        fail(requirement, observed, exchange)


def expect_equal(actual: Any, expected: Any, what: str, exchange: Exchange | None) -> None:
    __tracebackhide__ = True
    expect(
        actual == expected,
        f"{what} must be {json.dumps(expected, default=str)}",
        f"gave {json.dumps(actual, default=str)}",
        exchange,
    )


@cache
def _registry(profile: str) -> Registry:
    resources = []
    for path in sorted((fixtures_dir() / "schemas" / profile).glob("*.json")):
        contents = json.loads(path.read_text())
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


def schema_uri(profile: str, name: str) -> str:
    return f"https://blocks-conformance.invalid/schemas/{profile}/{name}.json"


def validate_body(exchange: Exchange, name: str, profile: str = "prefect") -> Any:
    """Validate the response body against ``fixtures/schemas/<profile>/<name>.json``."""
    __tracebackhide__ = True
    body = exchange.json
    if body is None and exchange.text.strip() != "null":
        fail(f"the body must be JSON matching the {name} schema", "sent non-JSON", exchange)
    validator = jsonschema.Draft202012Validator(
        {"$ref": schema_uri(profile, name)}, registry=_registry(profile)
    )
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "(root)"
        fail(
            f"the body must match the {name} schema",
            f"sent a body where {where}: {first.message}",
            exchange,
        )
    return body


def expect_json(exchange: Exchange, status: int, schema: str, requirement: str = "") -> Any:
    __tracebackhide__ = True
    expect_status(exchange, status, requirement=requirement)
    return validate_body(exchange, schema)


def expect_detail(exchange: Exchange, status: int, detail: str, requirement: str = "") -> None:
    """An explicit error: ``status`` with body ``{"detail": detail}``."""
    __tracebackhide__ = True
    expect_status(exchange, status, requirement=requirement)
    body = validate_body(exchange, "detail_error")
    expect_equal(body["detail"], detail, f"the {status} body's detail", exchange)


def expect_validation_error(
    exchange: Exchange, loc: list | None = None, requirement: str = ""
) -> Any:
    """A request validation failure: 422 in the real server's shape, naming ``loc``."""
    __tracebackhide__ = True
    expect_status(exchange, 422, requirement=requirement or "an invalid request must get 422")
    body = validate_body(exchange, "validation_error")
    if loc is not None:
        locations = [error.get("loc") for error in body["exception_detail"]]
        expect(
            loc in locations,
            f"the 422 body must name the location {loc}",
            f"named {locations}",
            exchange,
        )
    return body
