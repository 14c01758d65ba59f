"""Assertions that explain themselves: each failure names the clause, says what the server did
versus what the clause requires, and shows the request and response that caused it."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
from referencing import Registry, Resource

from .client import Exchange


class ConformanceFailure(AssertionError):
    """The target answered, but not as the clause requires."""

    named = False  # whether the message starts with the clauses of its test
    exchange: Exchange | None = None  # the request and answer that show it


def failed_exchange(error: BaseException) -> Exchange | None:
    """The exchange of the first ConformanceFailure in ``error`` (an exception group's too)."""
    if isinstance(error, ConformanceFailure) and error.exchange is not None:
        return error.exchange
    for inner in getattr(error, "exceptions", ()):
        found = failed_exchange(inner)
        if found is not None:
            return found
    return None


@contextmanager
def with_clauses(clause_ids: list[str]) -> Iterator[None]:
    """Name the test's clauses at the head of every ConformanceFailure raised inside (the
    session wraps each test's setup, call and teardown in it)."""
    try:
        yield
    except BaseException as error:
        name_clauses(error, ", ".join(clause_ids) or "no clause")
        raise


def name_clauses(error: BaseException, clauses: str) -> None:
    if isinstance(error, ConformanceFailure) and not error.named and error.args:
        error.args = (f"[{clauses}] {error.args[0]}", *error.args[1:])
        error.named = True
    # exception groups, and Hypothesis's FlakyFailure (a group of the failures it saw)
    for inner in getattr(error, "exceptions", ()):
        name_clauses(inner, clauses)


def fail(requirement: str, observed: str, exchange: Exchange | None = None) -> None:
    __tracebackhide__ = True
    message = f"{requirement}\n  server did: {observed}"
    if exchange is not None:
        message += "\n" + exchange.describe()
    failure = ConformanceFailure(message)
    failure.exchange = exchange
    raise failure from None  # the message says it all; no chained traceback


def expect_status(exchange: Exchange, *allowed: int, requirement: str = "") -> Exchange:
    """The status is one of ``allowed``; a 204 has an empty body and an error answer has the
    profile's error shape (every answer the suite looks at is validated, errors included)."""
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
    profile = exchange.profile
    if profile is not None and profile.error_schema and profile.is_error(exchange.status):
        validate_body(exchange, profile.error_schema)
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
def _schemas(folder: Path) -> tuple[Registry, dict[str, str]]:
    """The JSON Schemas of a folder as a registry, and each file's ``$id`` by its name."""
    resources, ids = [], {}
    for path in sorted(folder.glob("*.json")):
        contents = json.loads(path.read_text())
        resources.append((contents["$id"], Resource.from_contents(contents)))
        ids[path.stem] = contents["$id"]
    return Registry().with_resources(resources), ids


@cache
def _quick_validator(folder: Path, name: str) -> jsonschema_rs.Draft202012Validator:
    """A compiled validator of schema ``name``: it only says whether a body is valid, which is
    most of the time the whole answer, about a hundred times faster than ``jsonschema``."""
    registry, ids = _schemas(folder)
    resources = [(uri, registry[uri].contents) for uri in ids.values()]
    return jsonschema_rs.Draft202012Validator(
        {"$ref": ids[name]}, registry=jsonschema_rs.Registry(resources)
    )


def schema_errors(folder: Path, name: str, body: Any) -> list[str]:
    """Why ``body`` does not match schema ``name`` of ``folder``, first by location; empty when
    it matches. An invalid body is described by ``jsonschema`` (its messages are the ones the
    suite shows); the compiled validator only tells a valid one quickly."""
    if _quick_validator(folder, name).is_valid(body):
        return []
    registry, ids = _schemas(folder)
    validator = jsonschema.Draft202012Validator({"$ref": ids[name]}, registry=registry)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if not errors:  # the two validators disagree: the stricter one is heard
        errors = list(_quick_validator(folder, name).iter_errors(body))
        return [f"{error.instance_path_str or '(root)'}: {error.message}" for error in errors]
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
        for error in errors
    ]


def validate_body(exchange: Exchange, name: str) -> Any:
    """Validate the response body against the run's profile's JSON Schema ``name``
    (``fixtures/schemas/<profile>/<name>.json``)."""
    __tracebackhide__ = True
    body = exchange.json
    if body is None and exchange.text.strip() != "null":
        fail(f"the body must be JSON matching the {name} schema", "sent non-JSON", exchange)
    errors = schema_errors(exchange.profile.schema_dir, name, body)
    if errors:
        fail(
            f"the body must match the {name} schema",
            f"sent a body where {errors[0]}",
            exchange,
        )
    return body


def expect_json(exchange: Exchange, status: int, schema: str, requirement: str = "") -> Any:
    __tracebackhide__ = True
    expect_status(exchange, status, requirement=requirement)
    return validate_body(exchange, schema)
