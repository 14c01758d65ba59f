"""The pytest side of one conformance run: clause bookkeeping and selection, opening the
target, expected failures, clean-up, the terminal summary and the reports. Registered by
``plugin.activate`` only when the session collects tests of the active profile; what the run
is about (profile, settings, target, oracle) is its ``Run`` object."""

import json
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from . import report as reports
from .checks import failed_exchange, with_clauses
from .clauses import CatalogueError, Clause, catalogue, render_markdown
from .client import TargetUnreachable, redact_headers
from .embedded import EmbeddedServer
from .expectations import Expectations, all_expected, mismatch_report
from .redaction import redact_test_report
from .run import Run
from .saved_examples import SavedExamples, open_saved_examples
from .target import EXIT_TARGET_UNUSABLE, open_target, start_embedded

DIFFERENCE = "oracle-difference"  # the user property that carries a difference


def clause_ids(item: pytest.Item) -> list[str]:
    return [clause for mark in item.iter_markers("clause") for clause in mark.args]


def clause_selected(clause_id: str, patterns: list[str]) -> bool:
    return any(
        clause_id.startswith(p[:-1]) if p.endswith("*") else clause_id == p for p in patterns
    )


def covering_tests(items: list[pytest.Item]) -> dict[str, list[str]]:
    covering: dict[str, list[str]] = defaultdict(list)
    for item in items:
        name = f"{item.path.name}::{getattr(item, 'originalname', item.name)}"
        for clause_id in clause_ids(item):
            if name not in covering[clause_id]:
                covering[clause_id].append(name)
    return covering


class ConformanceSession:
    """The hooks of one pytest process's run: it opens the target (not on an xdist
    controller), keeps the per-clause record (fed by test reports, which xdist forwards to
    the controller) and the expected failures."""

    def __init__(self, config: pytest.Config, run: Run) -> None:
        self.config = config
        self.run = run
        self.profile = run.profile
        run.settings.headers  # noqa: B018 (a malformed --target-header is a usage error now)
        run.settings.oracle_headers  # noqa: B018
        self.record = reports.RunRecord()
        self.expectations = Expectations.load(config.getoption("blocks_expect_fail"))
        self.expected_seen: dict[str, bool] = {}  # entry -> some test of it failed
        self.ignored_differences = Expectations.load(config.getoption("blocks_oracle_ignore"))
        self.worker_runs: list[dict] = []
        self.covering: dict[str, list[str]] = {}
        self.started = time.perf_counter()  # the session's start (reset when it starts)
        self.started_at = time.time()
        self.early_server: EmbeddedServer | None = None  # started with the session

    def catalogue_only(self) -> bool:
        return self.run.settings.catalogue_only

    def known(self) -> dict[str, Clause]:
        """The catalogue as this run sees it (the profile may adjust it to its settings)."""
        try:
            clauses = catalogue(self.profile)
        except CatalogueError as error:
            raise pytest.UsageError(f"blocks-conformance: bad clause catalogue: {error}") from None
        return self.profile.adjust_catalogue(clauses, self.run.settings)

    @property
    def clauses(self) -> dict[str, Clause]:
        """The catalogue, cut to levels 1..N under --blocks-level N."""
        level = self.run.settings.level
        return {k: c for k, c in self.known().items() if level is None or c.level <= level}

    def in_suite(self, path: Path) -> bool:
        return self.profile.suite_dir in Path(path).resolve().parents

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.started = time.perf_counter()
        self.started_at = time.time()
        if self.catalogue_only():
            return
        problem = self.profile.unusable_settings(self.run.settings)
        if problem:
            pytest.exit(f"blocks-conformance: {problem}", returncode=EXIT_TARGET_UNUSABLE)
        self.run.saved_examples = self.open_saved_examples()
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

    # ---- collection ------------------------------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_collection(self, session: pytest.Session):
        with self.run.timed("collection"):
            return (yield)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        """Check every suite test names known clauses, mark it with their levels and areas (so
        ``-m level1`` works), and apply --blocks-clause and --blocks-level."""
        known = self.known()
        problems = []
        for item in items:
            if not self.in_suite(item.path):
                continue
            ids = clause_ids(item)
            if not ids:
                problems.append(f"{item.nodeid}: no @pytest.mark.clause(...)")
            for clause_id in ids:
                clause = known.get(clause_id)
                if clause is None:
                    problems.append(f"{item.nodeid}: unknown clause {clause_id}")
                    continue
                item.user_properties.append(("clause", clause_id))
                item.add_marker(f"level{clause.level}")
                item.add_marker(clause.area)
        if problems:
            raise pytest.UsageError("clause markers are wrong:\n  " + "\n  ".join(problems))
        patterns, level = self.run.settings.clause_patterns, self.run.settings.level
        keep, drop, waiting = [], [], []  # waiting: wanted, but an option it needs is missing
        for item in items:
            suite = self.in_suite(item.path)
            ids = clause_ids(item) if suite else []
            wanted = (not patterns or any(clause_selected(i, patterns) for i in ids)) and (
                level is None or any(known[i].level <= level for i in ids)
            )
            missing = self.missing_option(item) if suite and wanted else None
            if missing:
                waiting.append(item)
                for clause_id in ids:
                    self.record.not_run.setdefault(clause_id, missing)
            (keep if (wanted and not missing) or not suite else drop).append(item)
        if self.catalogue_only():
            # Catalogue only: note the covering tests, then run nothing (quieter than collect-only).
            self.covering = covering_tests(keep + waiting)
            drop, keep = drop + keep, []
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep

    def missing_option(self, item: pytest.Item) -> str | None:
        """Why the test cannot run here: each ``needs`` marker whose option was not given, or
        was given with no value that serves it (``unmet=True``: say, no client release a
        journey applies to), its module's first."""
        unmet = []
        for mark in item.iter_markers("needs"):  # the test's own first, its module's last
            option, why = mark.args
            if (
                mark.kwargs.get("unmet") or not self.run.settings.value(option)
            ) and why not in unmet:
                unmet.insert(0, why)
        return "; ".join(unmet) or None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        config = self.config
        if doc := config.getoption("blocks_clauses_doc"):
            Path(doc).write_text(render_markdown(self.profile, self.covering))
        if config.getoption("blocks_list_clauses"):
            writer = config.get_terminal_writer()
            for clause in self.known().values():
                tests = self.covering.get(clause.id, [])
                writer.line(f"{clause.id}  {self.profile.name} L{clause.level} {clause.strength}")
                writer.line(f"    {clause.text}")
                if clause.source:
                    writer.line(f"    source: {clause.source}")
                writer.line(f"    tests: {', '.join(tests) if tests else 'none (not covered)'}")

    # ---- running ---------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        suite_items = [item for item in session.items if self.in_suite(item.path)]
        if self.config.option.collectonly or not suite_items:
            return
        unknown = self.expectations.unknown(
            set(self.known()), [item.nodeid for item in session.items]
        )
        if unknown:
            pytest.exit(
                f"blocks-conformance: --blocks-expect-fail names unknown clauses or tests: "
                f"{unknown}",
                returncode=pytest.ExitCode.USAGE_ERROR,
            )
        started, self.early_server = self.early_server, None
        open_target(self.run, started)

    def test_key(self, item: pytest.Item) -> str:
        """A test's id whatever the rootdir (a checkout or an installed wheel)."""
        try:
            where = item.path.relative_to(self.profile.suite_dir)
        except ValueError:
            where = item.path.name
        return f"{self.profile.name}/{where}::{item.name}"

    @property
    def target(self):
        return self.run.target

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item):
        generated = item.get_closest_marker("generated") is not None
        self.run.begin_test(item.nodeid, clause_ids(item), self.test_key(item), generated)
        with with_clauses(clause_ids(item)), self.run.timed("fixtures"):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        phase = "generated tests" if item.get_closest_marker("generated") else "other tests"
        with with_clauses(clause_ids(item)), self.run.timed(phase):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem):
        try:
            with with_clauses(clause_ids(item)), self.run.timed("fixtures"):
                return (yield)
        finally:
            self.run.end_test()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if report.when == "teardown":
            self.attach_differences(item, report)
        if report.failed and call.excinfo is not None:
            exchange = failed_exchange(call.excinfo.value)
            if exchange is not None:
                report.blocks_exchange = exchange.shown()
        self.judge_expected(item, report)
        redact_test_report(report, self.run.redactor)  # before JUnit or xdist sees it
        return report

    def judge_expected(self, item: pytest.Item, report: pytest.TestReport) -> None:
        """A failure of a listed clause or test becomes an expected failure when it matches
        the entry's pins (and a new failure, shown with the pins, when it does not)."""
        entries = self.expectations.matching(item.nodeid, clause_ids(item))
        if not entries or report.when == "teardown" and report.passed:
            return
        if report.failed:
            failure = report.longreprtext
            for entry in entries:
                self.expected_seen[entry.name] = True
            if not all_expected(entries, failure):
                # Listed, but failing otherwise than pinned: a new failure, shown with both.
                report.longrepr = mismatch_report(entries, failure)
                return
            report.outcome = "skipped"
            report.wasxfail = "expected failure: " + "; ".join(e.describe() for e in entries)
        elif report.when == "call" and report.passed:
            for entry in entries:
                self.expected_seen.setdefault(entry.name, False)

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
        """xdist controller: collect each worker's target facts and expectation results."""
        output = getattr(node, "workeroutput", {})
        self.record.not_run.update(output.get("blocks_conformance_not_run", {}))
        if "blocks_conformance" in output:
            worker = output["blocks_conformance"]
            self.worker_runs.append(worker)
            for entry, failed in worker["expected_seen"].items():
                self.expected_seen[entry] = self.expected_seen.get(entry, False) or failed

    # ---- the end ---------------------------------------------------------------------------

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.catalogue_only() and session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            session.exitstatus = pytest.ExitCode.OK  # every test was deselected on purpose
        if self.early_server is not None:  # started, but no test of the suite ran
            self.early_server.stop()
            self.early_server = None
        if self.target is not None:
            with self.run.timed("clean-up"):
                self.target.close(self.run.mirror)
        self.run.seconds["session"] = time.perf_counter() - self.started
        facts = self.run_facts()
        if hasattr(self.config, "workeroutput"):
            self.config.workeroutput["blocks_conformance_not_run"] = self.record.not_run
            if self.target is None:  # this worker ran no conformance test
                return
            self.config.workeroutput["blocks_conformance"] = {
                **facts,
                "expected_seen": self.expected_seen,
            }
            return
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

    def ran(self) -> bool:
        """This process opened a target, or (an xdist controller) its workers did."""
        return self.target is not None or bool(self.worker_runs)

    def run_facts(self) -> dict:
        """What the run was (target, settings, suite) and what it cost, summed over xdist
        workers; without the run's secrets."""
        settings = self.run.settings
        runs = self.worker_runs or []
        own = self.target
        return self.run.redactor.data(
            {
                "url": own.url if own else (runs[0]["url"] if runs else settings.target_url),
                "embedded": own.embedded is not None if own else settings.target_url is None,
                "profile": self.profile.name,
                "profile_facts": self.profile.run_facts(settings),
                "namespaces": ([own.namespace] if own else [])
                + [n for r in runs for n in r["namespaces"]],
                "leftovers": (own.leftovers if own else [])
                + [x for r in runs for x in r["leftovers"]],
                "left_behind": (own.left_behind if own else [])
                + [x for r in runs for x in r["left_behind"]],
                "retried_requests": (own.client.retried if own else 0)
                + sum(r["retried_requests"] for r in runs),
                "requests": (own.client.requests_sent if own else 0)
                + sum(r["requests"] for r in runs),
                "request_seconds": round(
                    (own.client.seconds_waiting if own else 0.0)
                    + sum(r["request_seconds"] for r in runs),
                    3,
                ),
                "generated_cases": dict(
                    sum(
                        (Counter(r["generated_cases"]) for r in runs),
                        Counter(own.client.tally if own else {}),
                    )
                ),
                "seed": settings.seed,
                "example_db": self.run.saved_examples.where if self.run.saved_examples else None,
                "saved_examples_replayed": (
                    self.run.saved_examples.replayed if own and self.run.saved_examples else 0
                )
                + sum(r.get("saved_examples_replayed", 0) for r in runs),
                "examples": settings.examples,
                "level": settings.level,
                "expect_fail_files": settings.value("blocks_expect_fail"),
                "oracle": settings.oracle_url or settings.oracle_transcript,
                "oracle_compared": (self.run.mirror.compared if own and self.run.mirror else 0)
                + sum(r.get("oracle_compared", 0) for r in runs),
                "oracle_unrecorded": (self.run.mirror.unrecorded if own and self.run.mirror else 0)
                + sum(r.get("oracle_unrecorded", 0) for r in runs),
                "seconds": {
                    phase: round(value, 3)
                    for phase, value in sorted(
                        sum(
                            (Counter(r.get("seconds", {})) for r in runs), Counter(self.run.seconds)
                        ).items()
                    )
                },
                "suite": reports.suite_facts(),
                "started": datetime.fromtimestamp(self.started_at, UTC).isoformat(
                    timespec="seconds"
                ),
                "duration_seconds": round(time.perf_counter() - self.started, 3),
            }
        )

    def pytest_terminal_summary(self, terminalreporter, exitstatus: int, config) -> None:
        if not self.ran():
            return
        facts = self.run_facts()
        write = terminalreporter.write_line
        terminalreporter.section("blocks conformance")
        write(
            f"profile: {facts['profile']}; target: {facts['url']}"
            + (" (embedded reference server)" if facts["embedded"] else "")
        )
        for name, value in facts["profile_facts"].items():
            write(f"{name}: {value}")
        headers = redact_headers(self.run.settings.headers)
        if headers:
            write(f"headers: {headers}")
        write(f"namespace: {', '.join(facts['namespaces'])}")
        write(
            f"generated tests: --blocks-examples {facts['examples']} --blocks-seed {facts['seed']}"
        )
        cases = ", ".join(f"{n} {kind}" for kind, n in sorted(facts["generated_cases"].items()))
        if cases:
            write(f"generated cases sent: {cases}")
        saved = self.run.saved_examples
        if saved is not None:
            write(
                f"saved examples replayed: {facts['saved_examples_replayed']} "
                f"(example database: {saved.where})"
            )
            if saved.note:
                write(f"example database: {saved.note}", yellow=True)
        write(
            f"requests: {facts['requests']} sent, {facts['request_seconds']:.1f} s waiting for "
            f"the target, {facts['retried_requests']} retried"
        )
        for line in reports.summary_lines(self.record, self.clauses, self.profile):
            write(line)
        for line in reports.difference_lines(self.record, facts):
            write(line, red=line.startswith("difference"))
        for leftover in facts["leftovers"]:
            write(f"clean-up could not delete {leftover}", red=True)
        for kept in facts["left_behind"]:
            write(f"left behind (the API cannot delete it): {kept}", yellow=True)
        if config.getoption("blocks_fail_on_skip") and self.record.skipped_tests:
            write(
                f"--blocks-fail-on-skip: {len(self.record.skipped_tests)} test(s) skipped", red=True
            )
