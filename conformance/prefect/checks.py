"""Prefect-shaped assertions: the error bodies of the real Prefect server.

What a client relies on is the status and, for an explicit error, a JSON ``detail`` string: the
Prefect client decides by status alone, except for two texts it reads (the protected-type 403's
detail, the CSRF probe's 422). The real server's exact words, and its own shape of validation
errors, are SHOULD clauses (``test_wording.py``) and differential mode's.
"""

import json
from typing import Any

from ..checks import expect, expect_equal, expect_status, validate_body
from ..client import Exchange


def expect_detail(exchange: Exchange, status: int, requirement: str = "") -> dict:
    """An explicit error: ``status`` with a JSON body carrying a ``detail`` string."""
    __tracebackhide__ = True
    expect_status(exchange, status, requirement=requirement)
    return validate_body(exchange, "detail_error")


def expect_detail_text(exchange: Exchange, status: int, detail: str, requirement: str = "") -> None:
    """An explicit error in the real server's exact words."""
    __tracebackhide__ = True
    body = expect_detail(exchange, status, requirement)
    expect_equal(body["detail"], detail, f"the {status} body's detail", exchange)


def error_locations(body: Any) -> list:
    """The locations a validation error names: the real server's ``exception_detail`` or
    FastAPI's default ``detail`` list."""
    errors = body.get("exception_detail", body.get("detail")) if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return []
    return [error.get("loc") for error in errors if isinstance(error, dict)]


def expect_validation_error(
    exchange: Exchange, loc: list | None = None, requirement: str = ""
) -> Any:
    """A request validation failure: 422 with a list of errors (the real server's
    ``exception_detail`` or FastAPI's default ``detail``), one of them at ``loc``."""
    __tracebackhide__ = True
    expect_status(exchange, 422, requirement=requirement or "an invalid request must get 422")
    body = validate_body(exchange, "validation_errors")
    if loc is not None:
        locations = error_locations(body)
        expect(
            loc in locations,
            f"the 422 body must name the location {loc}",
            f"named {locations}",
            exchange,
        )
    return body


def expect_real_validation_shape(exchange: Exchange, loc: list | None = None) -> Any:
    """A 422 in the real server's own shape: ``exception_message``, ``exception_detail`` and
    ``request_body`` (PF-API-422-shape)."""
    __tracebackhide__ = True
    expect_validation_error(exchange, loc)
    return validate_body(exchange, "validation_error")


def expect_refused_or_ignored(exchange: Exchange, success: int, requirement: str) -> bool:
    """A key the operation does not take: refused with a 422 validation error, or ignored (the
    operation's ``success`` status). True when the server went on without the key."""
    __tracebackhide__ = True
    expect_status(exchange, 422, success, requirement=requirement)
    if exchange.status == 422:
        validate_body(exchange, "validation_errors")
        return False
    return True


def is_json(exchange: Exchange) -> bool:
    """The answer's body is a JSON text (``null`` and ``false`` included)."""
    try:
        json.loads(exchange.text)
    except ValueError:
        return False
    return True
