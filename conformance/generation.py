"""Generated tests, for every profile: the Hypothesis settings of a run, running a property with
the run's seed, and the schemathesis scaffolding that sends cases of a profile's OpenAPI
contract with the suite's client and judges the answers.

A profile's ``test_openapi.py`` supplies only what differs: how a case is moved onto the run's
own objects before it is sent (``prepare``) and how an answer is judged (``judge``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, Phase, Verbosity, assume, given, seed, settings
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
from .contracts import LAX, published, widened

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


def generated_settings(run: Run, test_key: str, reading: str = "", **extra) -> settings:
    """The --blocks-examples budget, no deadline (the target's latency is not under test), the
    run's example database under the test's key (the ``test_key`` fixture) and the ``reading``
    its cases are drawn from (a failure found is replayed first by the next run that draws from
    the same one), every health check off (slow targets trip them), under --blocks-no-shrink
    the first failing case as it was drawn, and none of Hypothesis's own lines in a failure (its
    "Failing test case" call, the explain phase's lines, the reproduction blob): the suite's
    message shows the case itself. A test whose case only Hypothesis can print (a state
    machine's steps) passes ``verbosity=Verbosity.normal``."""
    left_out = {Phase.explain, *([Phase.shrink] if run.settings.no_shrink else [])}
    saved = run.saved_examples
    chosen: dict[str, Any] = {"verbosity": Verbosity.quiet, **extra}
    return settings(
        max_examples=run.settings.examples,
        deadline=None,
        database=saved.for_test(f"{test_key}{reading}") if saved is not None else None,
        suppress_health_check=list(HealthCheck),
        phases=[phase for phase in Phase if phase not in left_out],
        print_blob=False,
        **chosen,
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


def failures_of(error: BaseException) -> list[str]:
    """Schemathesis's findings in ``error``, one line each (its title and message), without its
    own copy of the answer and its curl line: the suite's message shows the exchange."""
    found = []
    for failure in getattr(error, "exceptions", None) or [error]:
        title = getattr(failure, "title", None) or type(failure).__name__
        message = " ".join(str(getattr(failure, "message", "") or "").split())
        found.append(f"{title}: {message}" if message else title)
    return found


def allowed_answers(case) -> str:
    """The statuses (and each one's schema) the contract lists for the case's operation."""
    responses = case.operation.definition.raw.get("responses", {})
    shown = []
    for status, answer in responses.items():
        schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
        name = str(schema.get("$ref", "")).rpartition("/")[2]
        shown.append(f"{status} ({name})" if name else f"{status} (no body)")
    return ", ".join(shown)


def request_reading(case, mode: GenerationMode) -> str:
    """Why the contract calls the case valid or invalid."""
    if mode is POSITIVE:
        return (
            "a valid request: it matches the operation's request schema as a JSON Schema "
            f"validator reads it, with no input an {LAX} annotation names"
        )
    data = getattr(getattr(case.meta, "phase", None), "data", None)
    why = getattr(data, "description", None)
    return f"an invalid request ({why})" if why else "an invalid request"


def contract_reading(case, mode: GenerationMode, real: str = "") -> str:
    """What the contract says of the case and its answers, and what the real server does (the
    profile's words, when it knows)."""
    lines = [
        f"the contract's reading: {request_reading(case, mode)}; its answers: "
        f"{allowed_answers(case)}"
    ]
    if real:
        lines.append(f"the real server: {real}")
    return "\n  ".join(lines)


def judged_by(checks: list, real: dict | None = None) -> Callable:
    """A judge that asks schemathesis's ``checks`` about the answer; ``real`` says, per mode,
    what the real server does with such requests (shown in a failure)."""

    def judge(api: ApiClient, label: str, mode: GenerationMode, case, exchange: Exchange) -> None:
        __tracebackhide__ = True
        try:
            case.validate_response(exchange.response, checks=checks)
        except (Exception, BaseExceptionGroup) as error:  # schemathesis groups its failures
            found = "; ".join(failures_of(error))
            fail(
                f"a generated {mode.value} request to {label} must pass "
                f"{', '.join(check.__name__ for check in checks)}",
                f"answered {exchange.status}: {found[:1500]}\n  "
                + contract_reading(case, mode, (real or {}).get(mode, "")),
                exchange,
            )

    return judge


def operations_of(contract: dict) -> dict:
    schema = openapi.from_dict(contract)
    return {op.ok().label: op.ok() for op in schema.get_all_operations()}


class Contract:
    """A profile's OpenAPI contract: its operations by label (``POST /block_types/``) as the
    published API reads them (valid cases are drawn from them) and widened by the inputs a
    real server accepts by converting them (invalid cases are drawn from those: an annotated
    input is never sent as an invalid one), and the operations that take input an invalid
    request can get wrong. ``reading`` names the file's version: saved failures are replayed
    only by runs that draw from the same one."""

    def __init__(self, path: Path, can_be_invalid: Callable = has_input) -> None:
        text = path.read_text()
        contract = json.loads(text)
        self.reading = f":{path.stem}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"
        self.operations = operations_of(published(contract))
        self.widened = operations_of(widened(contract))
        self.with_input = [
            label for label, operation in self.operations.items() if can_be_invalid(operation)
        ]

    def strategy(self, label: str, mode: GenerationMode):
        operations = self.operations if mode is POSITIVE else self.widened
        return operations[label].as_strategy(generation_mode=mode)

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

        @generated_settings(run, test_key, self.reading)
        @given(case=self.strategy(label, mode))
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
