"""Generated tests, for every profile: the Hypothesis settings of a run, running a property with
the run's seed, and the schemathesis scaffolding that sends cases of a profile's OpenAPI
contract with the suite's client and judges the answers.

A profile's ``test_openapi.py`` supplies only what differs: how a case is moved onto the run's
own objects before it is sent (``prepare``) and how an answer is judged (``judge``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, Phase, assume, given, seed, settings
from hypothesis.errors import FlakyFailure
from hypothesis.internal.conjecture import engine as conjecture_engine
from hypothesis.reporting import current_reporter, with_reporter
from schemathesis import GenerationMode, openapi
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core import NotSet

from .checks import fail

if TYPE_CHECKING:
    from .client import ApiClient, Exchange
    from .run import Run

POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
# what schemathesis checks of answers to valid requests, and to invalid ones
VALID_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
INVALID_CHECKS = [not_a_server_error, negative_data_rejection, status_code_conformance]


def generated_settings(run: Run, test_key: str, **extra) -> settings:
    """The --blocks-examples budget, no deadline (the target's latency is not under test), the
    run's example database under the test's key (the ``test_key`` fixture: a failure found is
    replayed first by the next run), every health check off (slow targets trip them), and
    under --blocks-no-shrink the first failing case as it was drawn."""
    phases = [phase for phase in Phase if phase is not Phase.shrink]
    saved = run.saved_examples
    return settings(
        max_examples=run.settings.examples,
        deadline=None,
        database=saved.for_test(test_key) if saved is not None else None,
        suppress_health_check=list(HealthCheck),
        **({"phases": phases} if run.settings.no_shrink else {}),
        **extra,
    )


# Hypothesis's own words when it stops shrinking for lack of time: written for its developers
# ("PLEASE REPORT THIS"), kept from the suite's users, who get a note of their own instead
HYPOTHESIS_SHRINK_WARNING = "working to shrink a failing test case"


@contextmanager
def bounded_shrinking(seconds: float) -> Iterator[list[str]]:
    """While a generated test runs: Hypothesis shrinks a failing case for at most ``seconds``
    (its engine's limit is five minutes, which a target 50 ms away reaches with one state
    machine), and its warning when it stops is not printed. Yields a list that holds a note
    for the test's failure once shrinking was cut short."""
    engine = conjecture_engine
    before = engine.MAX_SHRINKING_SECONDS
    previous = current_reporter()
    notes: list[str] = []

    def reporter(value: object) -> None:
        if HYPOTHESIS_SHRINK_WARNING in str(value):
            notes.append(
                f"(shrinking stopped after {seconds:g} s, --blocks-shrink-seconds: the case "
                "shown is the smallest found by then)"
            )
            return
        previous(value)

    engine.MAX_SHRINKING_SECONDS = seconds
    try:
        with with_reporter(reporter):
            yield notes
    finally:
        engine.MAX_SHRINKING_SECONDS = before


def run_seeded(check: Callable[[], None], run: Run) -> None:
    """Run a Hypothesis test with the run's --blocks-seed. A failure that did not happen again
    when Hypothesis replayed its case is still a failure of the server: the first one is
    raised, with a note (the replay's objects were new, and the server named some of them
    anew: anonymous documents' random names)."""
    chosen = check._hypothesis_internal_use_settings  # generated_settings, with the database
    seed(run.settings.seed)(check)
    # @seed also turns the example database off (Hypothesis takes a seeded run to be a
    # reproduction); every run of the suite is seeded, and still replays saved failures first
    check._hypothesis_internal_use_settings = chosen
    try:
        check()
    except FlakyFailure as flaky:
        first = flaky.exceptions[0]
        first.add_note(
            "(this case did not fail the same way when Hypothesis replayed it: the replay "
            "made new objects, and the server named some of them anew)"
        )
        raise first from None


# ---- schemathesis ---------------------------------------------------------------------------


def has_input(operation) -> bool:
    return bool(operation.body) or bool(list(operation.iter_parameters()))


def is_invalid(case) -> bool:
    """Whether some part of the case was generated invalid (negative generation sometimes
    leaves every part valid: an optional body left out)."""
    components = case.meta.components.values() if case.meta else []
    return any(component.mode is GenerationMode.NEGATIVE for component in components)


def unsendable(value: Any) -> bool:
    return value is None or value == [] or value == {}


def became_valid_when_sent(case, response) -> bool:
    """Whether schemathesis itself excuses a 2xx answer to this negative case: its mutation
    did not survive serialization (an integer 0 for a string enum of "0" and "1" is sent as
    the query value "0", which is valid)."""
    try:
        case.validate_response(response, checks=[negative_data_rejection])
    except (Exception, BaseExceptionGroup):
        return False
    return True


def send(api: ApiClient, case, headers: dict[str, str] | None = None) -> Exchange:
    """The case as the suite's client sends it (its body as it stands after ``prepare``)."""
    body = case.body
    merged = {**(case.headers or {}), **(headers or {})} or None
    options: dict[str, Any] = {"params": case.query or None, "headers": merged}
    if isinstance(body, NotSet):
        return api.request(case.method, case.formatted_path, **options)
    if isinstance(body, bytes | bytearray):  # negative cases may be raw, non-JSON bytes
        options["headers"] = {"content-type": "application/json", **(merged or {})}
        return api.request(case.method, case.formatted_path, content=bytes(body), **options)
    return api.request(case.method, case.formatted_path, body, **options)


def judged_by(checks: list) -> Callable:
    """A judge that asks schemathesis's ``checks`` about the answer."""

    def judge(api: ApiClient, label: str, mode: GenerationMode, case, exchange: Exchange) -> None:
        __tracebackhide__ = True
        try:
            case.validate_response(exchange.response, checks=checks)
        except (Exception, BaseExceptionGroup) as error:  # schemathesis groups its failures
            fail(
                f"a generated {mode.value} request to {label} must pass "
                f"{', '.join(check.__name__ for check in checks)}",
                str(error).strip()[:2000],
                exchange,
            )

    return judge


class Contract:
    """A profile's OpenAPI contract: its operations by label (``POST /block_types/``) and the
    ones that take input an invalid request can get wrong."""

    def __init__(self, path: Path, can_be_invalid: Callable = has_input) -> None:
        schema = openapi.from_path(str(path))
        self.operations = {op.ok().label: op.ok() for op in schema.get_all_operations()}
        self.with_input = [
            label for label, operation in self.operations.items() if can_be_invalid(operation)
        ]

    def check(
        self,
        run: Run,
        test_key: str,
        api: ApiClient,
        label: str,
        mode: GenerationMode,
        prepare: Callable[[Any], dict[str, str] | None],
        judge: Callable,
    ) -> None:
        """Generate cases of one operation in one mode and send each: ``prepare(case)`` moves
        it onto the run's objects (it may ``assume`` a case away) and returns headers to send
        with it; ``judge(api, label, mode, case, exchange)`` fails the test for a wrong
        answer."""

        @generated_settings(run, test_key)
        @given(case=self.operations[label].as_strategy(generation_mode=mode))
        def check(case):
            assume(mode is POSITIVE or is_invalid(case))
            # a null, an empty list or an empty object cannot be sent as a query value (it is
            # left out): a negative case made invalid by one would reach the server valid
            assume(mode is POSITIVE or not any(unsendable(v) for v in (case.query or {}).values()))
            headers = prepare(case)
            exchange = send(api, case, headers)
            run.counters.generated_case(f"schemathesis {mode.value} cases")
            judge(api, label, mode, case, exchange)

        run_seeded(check, run)


def contract_tests(
    contract: Contract,
    valid_clause: str,
    invalid_clause: str,
    prepared: Callable,
    valid: Callable | None = None,
    invalid: Callable | None = None,
) -> tuple[Callable, Callable]:
    """A profile's two generated tests of its contract, one per operation: valid requests
    (clause ``valid_clause``, judged by ``valid``) and invalid ones (``invalid_clause``, judged
    by ``invalid``). ``prepared(mode, owned)`` gives the ``prepare`` of ``Contract.check`` for
    the run's objects, which the profile's ``owned`` fixture makes. Assign both to ``test_``
    names of the profile's module."""
    valid = valid or judged_by(VALID_CHECKS)
    invalid = invalid or judged_by(INVALID_CHECKS)

    @pytest.mark.generated
    @pytest.mark.clause(valid_clause)
    @pytest.mark.parametrize("label", list(contract.operations))
    def test_generated_valid_requests_follow_the_contract(run, test_key, api, owned, label):
        contract.check(run, test_key, api, label, POSITIVE, prepared(POSITIVE, owned), valid)

    @pytest.mark.generated
    @pytest.mark.clause(invalid_clause)
    @pytest.mark.parametrize("label", contract.with_input)
    def test_generated_invalid_requests_are_refused(run, test_key, api, owned, label):
        contract.check(run, test_key, api, label, NEGATIVE, prepared(NEGATIVE, owned), invalid)

    return (
        test_generated_valid_requests_follow_the_contract,
        test_generated_invalid_requests_are_refused,
    )
