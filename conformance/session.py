"""The pytest side of one conformance run: opening the target, the hooks around each test
(its clauses, expected failures, differences from the oracle, secrets kept out of its report),
clean-up, the terminal summary and the reports. Registered by ``plugin.activate`` only when
the session collects tests of the active profile (with ``selection.Selection``, which picks
the tests); what the run is about (profile, settings, target, oracle) is its ``Run`` object."""

import json
import time
from pathlib import Path

import pytest

from . import report as reports
from .checks import failed_exchange
from .clauses import Clause
from .client import TargetUnreachable, redact_headers
from .current import CurrentTest, TestInProgress
from .embedded import EmbeddedServer
from .expectations import Expectations, all_expected, mismatch_report
from .facts import RunFacts, report_facts
from .headings import head
from .options import level_problem
from .real_clients import unusable_clients
from .redaction import redact_test_report
from .run import Run
from .saved_examples import SavedExamples, open_saved_examples
from .selection import clause_ids, in_suite, known_clauses, test_key
from .steps import BLOCKED_BY, ROOT_CAUSE, STEP_FAILURE, StepFailed, step_failure
from .target import EXIT_TARGET_UNUSABLE, open_target, start_embedded

DIFFERENCE = "oracle-difference"  # the user property that carries a difference
WORKER_FACTS = "blocks_conformance"  # what an xdist worker sends its controller
WORKER_NOT_RUN = "blocks_conformance_not_run"


class ConformanceSession:
    """The session's hooks: it opens the target (not on an xdist controller), keeps the
    per-clause record (fed by test reports, which xdist forwards to the controller), merges
    the workers' facts, and writes the summary and the reports."""

    def __init__(self, config: pytest.Config, run: Run) -> None:
        self.config = config
        self.run = run
        self.profile = run.profile
        run.settings.headers  # noqa: B018 (a malformed --target-header is a usage error now)
        run.settings.oracle_headers  # noqa: B018
        self.record = reports.RunRecord()
        self.expectations = Expectations.load(config.getoption("blocks_expect_fail"))
        self.expected_seen: dict[str, bool] = {}  # entry -> some test of it failed
        self.worker_facts: list[RunFacts] = []
        self.started = time.perf_counter()  # the session's start (reset when it starts)
        self.started_at = time.time()
        self.early_server: EmbeddedServer | None = None  # started with the session
        self.tests = TestInProgress()  # the test being run in this process, for the listeners
        self.root_causes: set[str] = set()  # clauses of the steps whose failure was reported

    @property
    def known(self) -> dict[str, Clause]:
        """The catalogue as this run sees it."""
        return known_clauses(self.run)

    @property
    def clauses(self) -> dict[str, Clause]:
        """The catalogue, cut to levels 1..N under --blocks-level N."""
        level = self.run.settings.level
        return {k: c for k, c in self.known.items() if level is None or c.level <= level}

    @property
    def target(self):
        return self.run.target

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.started = time.perf_counter()
        self.started_at = time.time()
        if self.run.settings.catalogue_only:
            return
        problem = unusable_settings(self.run)
        if problem:
            self.record.unusable = problem
            pytest.exit(f"blocks-conformance: {problem}", returncode=EXIT_TARGET_UNUSABLE)
        self.run.keep_examples(self.open_saved_examples())
        if self.will_test_the_embedded_server():
            self.early_server = start_embedded(self.run)

    def open_saved_examples(self) -> SavedExamples:
        """The example database: an xdist worker takes the one its controller chose."""
        handed = getattr(self.config, "workerinput", {}).get("blocks_conformance_example_db")
        return open_saved_examples(self.config, handed or self.run.settings.example_db)

    def will_test_the_embedded_server(self) -> bool:
        """Whether this process will likely open the embedded server: no --target-url, tests
        to run (not --collect-only) and not an xdist controller (its workers do)."""
        config = self.config
        controller = config.getoption("dist", "no") != "no" and not hasattr(config, "workerinput")
        return not (self.run.settings.target_url or config.option.collectonly or controller)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        suite_items = [item for item in session.items if in_suite(self.run, item.path)]
        if self.config.option.collectonly or not suite_items:
            return
        unknown = self.expectations.unknown(
            set(known_clauses(self.run)), [item.nodeid for item in session.items]
        )
        if unknown:
            pytest.exit(
                f"blocks-conformance: --blocks-expect-fail names unknown clauses or tests: "
                f"{unknown}",
                returncode=pytest.ExitCode.USAGE_ERROR,
            )
        started, self.early_server = self.early_server, None
        try:
            self.run.opened(*open_target(self.run, self.tests, started))
        except pytest.exit.Exception as stopped:
            if stopped.returncode == EXIT_TARGET_UNUSABLE:  # the report's verdict says why
                self.record.unusable = stopped.msg.removeprefix("blocks-conformance: ")
            raise

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        clauses = [value for key, value in report.user_properties if key == "clause"]
        if clauses:
            self.record.add(report, clauses)
        for key, value in report.user_properties:
            if key == DIFFERENCE and report.when == "teardown":
                self.record.differences.append(json.loads(value))

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node) -> None:
        """xdist controller: every worker runs the generated tests with the same seed and
        example database."""
        node.workerinput["blocks_conformance_seed"] = self.run.settings.seed
        if self.run.saved_examples is not None:
            node.workerinput["blocks_conformance_example_db"] = self.run.saved_examples.where

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error) -> None:
        """xdist controller: collect each worker's facts and expectation results."""
        output = getattr(node, "workeroutput", {})
        self.record.not_run.update(output.get(WORKER_NOT_RUN, {}))
        if WORKER_FACTS in output:
            worker = output[WORKER_FACTS]
            self.worker_facts.append(RunFacts.from_json(worker["facts"]))
            for entry, failed in worker["expected_seen"].items():
                self.expected_seen[entry] = self.expected_seen.get(entry, False) or failed

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if (
            self.run.settings.catalogue_only
            and session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED
        ):
            session.exitstatus = pytest.ExitCode.OK  # every test was deselected on purpose
        if self.early_server is not None:  # started, but no test of the suite ran
            self.early_server.stop()
            self.early_server = None
        if self.target is not None:
            with self.run.timed("clean-up"):
                self.target.close(self.run.mirror)
        self.run.seconds["session"] = time.perf_counter() - self.started
        if hasattr(self.config, "workeroutput"):
            self.send_to_the_controller()
            return
        facts = self.facts()
        self.record.expected_now_passing = {
            entry for entry, failed in self.expected_seen.items() if not failed
        }
        extra_failure = (
            facts["leftovers"]
            or self.record.unignored_differences()
            or (self.config.getoption("blocks_fail_on_skip") and self.record.skipped_tests)
        )
        if extra_failure and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if path := self.config.getoption("blocks_report"):
            report = self.record.as_json(self.clauses, facts, self.profile)
            reports.write(Path(path), self.run.redactor.data(report))

    def send_to_the_controller(self) -> None:
        """xdist worker: its facts and expectation results go to the controller."""
        output = self.config.workeroutput
        output[WORKER_NOT_RUN] = self.record.not_run
        if self.target is not None:  # else this worker ran no conformance test
            facts = RunFacts.of(self.run).as_json()
            output[WORKER_FACTS] = {"facts": facts, "expected_seen": self.expected_seen}

    def ran(self) -> bool:
        """This process opened a target, or (an xdist controller) its workers did."""
        return self.target is not None or bool(self.worker_facts)

    def facts(self) -> dict:
        """The run's facts, this process's and its workers' merged, without its secrets."""
        merged = RunFacts.of(self.run)
        for worker in self.worker_facts:
            merged = merged.merge(worker)
        return report_facts(self.run, merged, self.started_at, self.started)

    def pytest_terminal_summary(self, terminalreporter, exitstatus: int, config) -> None:
        if not self.ran():
            return
        terminalreporter.section("blocks conformance")
        write_summary(terminalreporter.write_line, self, self.facts())


def unusable_settings(run: Run) -> str | None:
    """Why the run's settings cannot be used (the run ends with exit code 4 before any test):
    a level the profile does not have, an interpreter named for one of its real clients, or
    the profile's own settings."""
    settings, profile = run.settings, run.profile
    problem = level_problem(settings.level, profile.name, profile.catalogue.level_names)
    for kind in profile.clients:
        problem = problem or unusable_clients(kind, list(settings.value(kind.dest) or []))
    return problem or profile.hooks.unusable_settings(settings)


def write_summary(write, session: ConformanceSession, facts: dict) -> None:
    """The terminal summary: the run's facts, each level's clauses, the verdict, differences
    from the oracle and what clean-up could not delete."""
    run = session.run
    for line in reports.root_cause_lines(session.record.root_causes(session.clauses)):
        write(line, red=not line.startswith(" "))
    embedded = " (embedded reference server)" if facts["embedded"] else ""
    write(f"profile: {facts['profile']}; target: {facts['url']}{embedded}")
    for name, value in facts["profile_facts"].items():
        write(f"{name}: {value}")
    headers = redact_headers(run.settings.headers)
    if headers:
        write(f"headers: {headers}")
    write(f"namespace: {', '.join(facts['namespaces'])}")
    write(f"generated tests: --blocks-examples {facts['examples']} --blocks-seed {facts['seed']}")
    cases = ", ".join(f"{n} {kind}" for kind, n in sorted(facts["generated_cases"].items()))
    if cases:
        write(f"generated cases sent: {cases}")
    saved = run.saved_examples
    if saved is not None:
        replayed = facts["saved_examples_replayed"]
        write(f"saved examples replayed: {replayed} (example database: {saved.where})")
        if saved.note:
            write(f"example database: {saved.note}", yellow=True)
    write(
        f"requests: {facts['requests']} sent, {facts['request_seconds']:.1f} s waiting for "
        f"the target, {facts['retried_requests']} retried"
    )
    record = session.record
    kind = reports.verdict_of(record, session.clauses)[0]
    for line in reports.summary_lines(record, session.clauses, run.profile):
        colour = reports.TERMINAL_COLOURS[kind] if line.startswith("verdict: ") else None
        write(line, **({colour: True, "bold": True} if colour else {}))
    for line in reports.difference_lines(record, facts):
        write(line, red=line.startswith("difference"))
    for leftover in facts["leftovers"]:
        write(f"clean-up could not delete {leftover}", red=True)
    for kept in facts["left_behind"]:
        write(f"left behind (the API cannot delete it): {kept}", yellow=True)
    if session.config.getoption("blocks_fail_on_skip") and record.skipped_tests:
        write(f"--blocks-fail-on-skip: {len(record.skipped_tests)} test(s) skipped", red=True)


class TestHooks:
    """The hooks around each test: the test being run is known to those that file exchanges
    under it and its draws are its own, failures are headed with its clauses and carry its
    request and answer, a listed failure becomes an expected one, the oracle's differences are
    attached, and no report leaves with a secret in it."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, session: ConformanceSession) -> None:
        self.session = session
        self.run = session.run
        self.tests = session.tests
        self.ignored_differences = Expectations.load(
            session.config.getoption("blocks_oracle_ignore"), "--blocks-oracle-ignore"
        )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item):
        key = test_key(self.run, item)
        namespace = self.run.target.namespace if self.run.target is not None else ""
        generated = item.get_closest_marker("generated") is not None
        self.tests.begin(
            CurrentTest(item.nodeid, tuple(clause_ids(item)), key, namespace, generated)
        )
        self.run.begin_test(key)
        with self.run.timed("fixtures"):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        if item.get_closest_marker("generated") is None:
            with self.run.timed("other tests"):
                return (yield)
        from .generation import bounded_shrinking  # Hypothesis's, as the generated tests are

        seconds = self.run.settings.shrink_seconds
        with self.run.timed("generated tests"), bounded_shrinking(seconds) as notes:
            try:
                return (yield)
            except BaseException as failure:
                for note in notes[:1]:
                    failure.add_note(note)
                raise

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem):
        try:
            with self.run.timed("fixtures"):
                return (yield)
        finally:
            self.tests.end()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if report.when == "teardown":
            self.attach_differences(item, report)
        step = self.failed_step(item, call, report)
        clauses = [step.clause] if step is not None else clause_ids(item)
        if report.failed:
            known = self.session.known
            head(report, [known[i] for i in clauses if i in known])
        if report.failed and call.excinfo is not None:
            exchange = failed_exchange(call.excinfo.value)
            if exchange is not None:
                report.blocks_exchange = exchange.shown()
        if step is not None and step.clause in self.session.root_causes:
            block(item, report, step)  # the step's failure is reported once
        else:
            self.judge_expected(item, report, clauses)
        if step is not None:
            report.user_properties.append((BLOCKED_BY, step.clause))
            report.user_properties.append((STEP_FAILURE, step.summary()))
            if step.clause not in self.session.root_causes:
                self.session.root_causes.add(step.clause)
                report.user_properties.append((ROOT_CAUSE, step.clause))
        redact_test_report(report, self.run.redactor)  # before JUnit or xdist sees it
        return report

    def failed_step(
        self, item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport
    ) -> StepFailed | None:
        """The shared step whose failure ended the test (its set-up or its call), when the
        step's clause is not one the test checks itself."""
        if not report.failed or report.when == "teardown" or call.excinfo is None:
            return None
        failed = step_failure(call.excinfo.value)
        if failed is None or failed.clause in clause_ids(item):
            return None
        return failed if failed.clause in self.session.known else None

    def judge_expected(
        self, item: pytest.Item, report: pytest.TestReport, clauses: list[str]
    ) -> None:
        """A failure of a listed clause or test becomes an expected failure when it matches
        the entry's pins (and a new failure, shown with the pins, when it does not)."""
        seen = self.session.expected_seen
        entries = self.session.expectations.matching(item.nodeid, clauses)
        if not entries or report.when == "teardown" and report.passed:
            return
        if report.failed:
            failure = report.longreprtext
            for entry in entries:
                seen[entry.name] = True
            if not all_expected(entries, failure):
                # Listed, but failing otherwise than pinned: a new failure, shown with both.
                report.longrepr = mismatch_report(entries, failure)
                return
            report.outcome = "skipped"
            report.wasxfail = "expected failure: " + "; ".join(e.describe() for e in entries)
        elif report.when == "call" and report.passed:
            for entry in entries:
                seen.setdefault(entry.name, False)

    def attach_differences(self, item: pytest.Item, report: pytest.TestReport) -> None:
        """The differences from the oracle found during the test, as user properties of its
        teardown report (JUnit shows them; xdist carries them to the controller)."""
        mirror = self.run.mirror
        if mirror is None:
            return
        mirror.end_test()
        for difference in mirror.take(item.nodeid):
            entries = self.ignored_differences.matching(item.nodeid, difference.clauses)
            matched = [entry for entry in entries if entry.matches(difference.describe())]
            shown = {**difference.as_json(), "ignored": matched[0].reason if matched else None}
            report.user_properties.append((DIFFERENCE, json.dumps(shown)))

    def pytest_exception_interact(self, node: pytest.Item, call: pytest.CallInfo, report) -> None:
        if call.excinfo is not None and call.excinfo.errisinstance(TargetUnreachable):
            node.session.shouldstop = f"the target stopped answering: {call.excinfo.value}"


def block(item: pytest.Item, report: pytest.TestReport, step: StepFailed) -> None:
    """The test is blocked by a step whose failure an earlier test reported: neither passed
    nor failed (pytest shows it skipped, with the step's clause)."""
    report.outcome = "skipped"
    path, line, _ = item.location
    report.longrepr = (path, (line or 0) + 1, blocked_reason(step))


def blocked_reason(step: StepFailed) -> str:
    return (
        f"blocked by {step.clause}: a shared step failed ({step.summary()}); its failure is "
        f"reported once, under {step.clause}"
    )
