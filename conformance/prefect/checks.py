"""Prefect-shaped assertions: the error bodies of the real Prefect server."""

from typing import Any

from ..checks import expect, expect_equal, expect_status, validate_body
from ..client import Exchange


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
