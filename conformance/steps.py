"""Shared steps: the set-up many tests need (creating the block type, schema or document a test
works on, logging a test user in), each charged to its own clause.

A helper wraps its step in ``step("PF-BD-create")``; a check that fails inside it raises
``StepFailed``, which carries the step's clause. The session (``TestHooks``) then reports the
failure once, under the step's clause (the root cause), and every test that needed the step as
"blocked by" that clause: neither passed nor failed. A test of the step's own clause fails as
usual. A helper given the test's own inputs (a name the test chose, fields of its own) charges
only what does not depend on them to the step: the shape of the answer, not its status.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from .checks import ConformanceFailure, WrongShape, expect_status, validate_body
from .client import Exchange

BLOCKED_BY = "blocked_by"  # the user property of a test blocked by a step's failure
ROOT_CAUSE = "root_cause"  # the user property of the test whose step failure is reported
STEP_FAILURE = "step_failure"  # the user property saying, in a line, how the step failed


class StepFailed(ConformanceFailure):
    """A shared step failed: the failure belongs to the step's clause, and the test that
    needed the step is blocked."""

    def __init__(self, clause: str, failure: ConformanceFailure) -> None:
        self.clause = clause
        super().__init__(failure.checked, failure.observed, failure.exchange)

    def summary(self) -> str:
        """What the step checked and what the server did, in a line."""
        observed = self.observed.strip().splitlines()
        return f"{self.checked}: {observed[0]}" if observed else self.checked


class Step:
    """A shared step of clause ``clause`` (``step(clause)``): a check failing inside it is the
    step's failure (an inner step's failure keeps its own, innermost clause). A context
    manager, or a decorator of the helper that is the step; a failure's traceback shows
    neither."""

    def __init__(self, clause: str) -> None:
        self.clause = clause

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        __tracebackhide__ = True
        if isinstance(error, ConformanceFailure) and not isinstance(error, StepFailed):
            raise StepFailed(self.clause, error) from None
        return False

    def __call__(self, helper: Callable) -> Callable:
        @functools.wraps(helper)
        def stepped(*args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = True
            with self:
                return helper(*args, **kwargs)

        return stepped


def step(clause: str) -> Step:
    return Step(clause)


def step_unless(given: bool, clause: str) -> AbstractContextManager[None]:
    """``step(clause)``, unless the test gave the step inputs of its own (``given``): then a
    failure is the test's own."""
    return nullcontext() if given else step(clause)


def step_failure(error: BaseException | None) -> StepFailed | None:
    """The step failure that ended a test: ``error`` itself, or the one step failure every
    failure of an exception group (Hypothesis's distinct failures) comes down to; None when
    any failure of the test is its own."""
    if isinstance(error, StepFailed):
        return error
    if isinstance(error, WrongShape):
        return promised_shape(error)
    inner = getattr(error, "exceptions", None)
    if not inner:
        return None
    found = [step_failure(exception) for exception in inner]
    if any(failure is None for failure in found):
        return None
    clauses = {failure.clause for failure in found if failure is not None}
    return found[0] if len(clauses) == 1 else None


def expect_step_json(
    exchange: Exchange,
    status: int,
    schema: str,
    clause: str,
    requirement: str = "",
    given: bool = False,
) -> Any:
    """``checks.expect_json`` as a step of ``clause``: a wrong shape of the answer is always
    the step's failure, a wrong status only when the test gave the step nothing of its own
    (``given``)."""
    __tracebackhide__ = True
    with step_unless(given, clause):
        expect_status(exchange, status, requirement=requirement)
    with step(clause):
        return validate_body(exchange, schema)


def promised_shape(failure: WrongShape) -> StepFailed | None:
    """An answer of the wrong shape, charged to the clause that promises the shape of that
    answer (the API's ``Answers.promised_by``: a create's answer is its create clause's), as
    if the test had made it in a shared step."""
    exchange = failure.exchange
    answers = exchange.answers if exchange is not None else None
    if answers is None:
        return None
    clause = answers.promised_by(exchange.method, exchange.path, exchange.status)
    return StepFailed(clause, failure) if clause else None
