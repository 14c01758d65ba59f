"""Assertions that explain themselves: each failure says what the test checked (the value it
compared) and what the server did, and carries the request and response that caused it. The
clause's own words are written once, in the catalogue: the session heads every failure of a
test with the id, strength and sentence of the clauses the test names."""

import json
from typing import Any

from .client import Exchange


class ConformanceFailure(AssertionError):
    """The target answered, but not as the clause requires: what the test checked, what the
    server did, and the exchange that shows it."""

    def __init__(self, checked: str, observed: str = "", exchange: Exchange | None = None) -> None:
        self.checked = checked
        self.observed = observed
        self.exchange = exchange
        super().__init__(self.describe())

    def describe(self) -> str:
        message = self.checked
        if self.observed:
            message += f"\n  server did: {self.observed}"
        if self.exchange is not None:
            message += "\n" + self.exchange.describe()
        return message

    def adding(self, context: str) -> "ConformanceFailure":
        """The same failure (of the same kind) with more of what led to it (a generated case,
        the steps of a state machine) after it."""
        added = type(self).__new__(type(self))  # its own fields, whatever its __init__ takes
        added.__dict__.update(self.__dict__)
        added.observed = f"{self.observed}\n{context}"
        added.args = (added.describe(),)
        return added


class WrongShape(ConformanceFailure):
    """An answer whose body does not match the JSON Schema of its kind (the session may charge
    it to the clause that promises that answer's shape: ``steps.step_failure``)."""


def failed_exchange(error: BaseException) -> Exchange | None:
    """The exchange of the first ConformanceFailure in ``error`` (an exception group's too)."""
    if isinstance(error, ConformanceFailure) and error.exchange is not None:
        return error.exchange
    for inner in getattr(error, "exceptions", ()):
        found = failed_exchange(inner)
        if found is not None:
            return found
    return None


def fail(checked: str, observed: str, exchange: Exchange | None = None) -> None:
    __tracebackhide__ = True
    raise ConformanceFailure(checked, observed, exchange) from None  # the message says it all


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
    answers = exchange.answers
    if answers is not None and answers.error_schema and answers.is_error(exchange.status):
        validate_body(exchange, answers.error_schema)
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


def validate_body(exchange: Exchange, name: str) -> Any:
    """Validate the response body against the JSON Schema ``name`` of the API it was sent to
    (``fixtures/schemas/<profile>/<name>.json``)."""
    __tracebackhide__ = True
    body = exchange.json
    if body is None and exchange.text.strip() != "null":
        raise WrongShape(
            f"the body must be JSON matching the {name} schema", "sent non-JSON", exchange
        ) from None
    errors = exchange.answers.errors(name, body)
    if errors:
        raise WrongShape(
            f"the body must match the {name} schema", f"sent a body where {errors[0]}", exchange
        ) from None
    return body


def expect_json(exchange: Exchange, status: int, schema: str, requirement: str = "") -> Any:
    __tracebackhide__ = True
    expect_status(exchange, status, requirement=requirement)
    return validate_body(exchange, schema)
