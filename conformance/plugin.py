"""The pytest plugin: options, markers, clause bookkeeping, the target, expected failures,
clean-up and the conformance summary and reports."""

import secrets
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from . import report as reports
from .checks import set_current_clauses
from .clauses import AREAS, PROFILES, catalogue, render_markdown
from .client import ApiClient, TargetUnreachable, redact_headers
from .expectations import Expectations
from .target import PROBE_TIMEOUT_CAP, Target, open_target, parse_headers

SUITE_DIR = Path(__file__).resolve().parent
COVERING = pytest.StashKey[dict[str, list[str]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("blocks-conformance", "blocks API conformance suite")
    add = group.addoption
    add(
        "--target-url",
        help="base URL of the server under test, including /api "
        "(e.g. http://127.0.0.1:4200/api). Without it the bundled reference server is started "
        "on a free 127.0.0.1 port with a temporary SQLite file (one per xdist worker).",
    )
    add(
        "--target-header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="header sent with every request to the target, e.g. for auth; repeatable.",
    )
    add(
        "--target-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="timeout per request to the target (default 10). The reachability probe at start "
        f"waits at most {PROBE_TIMEOUT_CAP:.0f} s.",
    )
    add(
        "--profile",
        default="prefect",
        choices=PROFILES,
        help="which blocks API the target implements (default prefect).",
    )
    add(
        "--level",
        type=int,
        metavar="N",
        help="run only the clauses of levels 1 to N (1 save, 2 load, 3 filter, 4 nested).",
    )
    add(
        "--clause",
        action="append",
        default=[],
        metavar="ID",
        help="run only the tests of this clause; repeatable; a trailing * matches a prefix "
        "(e.g. --clause 'PF-FLT-*').",
    )
    add(
        "--expect-fail",
        action="append",
        default=[],
        metavar="FILE",
        help="file of clause ids or test ids known to fail (one a line, '# reason' allowed). "
        "Their failures are reported as expected and do not fail the run; any that now pass "
        "are listed for removal. Repeatable.",
    )
    add(
        "--fail-on-skip",
        action="store_true",
        help="exit non-zero when any conformance test was skipped (a skipped clause is a gap, "
        "not a pass).",
    )
    add(
        "--conformance-report",
        metavar="PATH",
        help="write per-clause results as JSON to PATH (status, tests, first failure with "
        "request and response) and a Markdown summary next to it (PATH with .md).",
    )
    add(
        "--examples",
        type=int,
        default=10,
        metavar="N",
        help="budget of generated (Hypothesis) examples per generated test (default 10).",
    )
    add(
        "--seed",
        type=int,
        metavar="S",
        help="seed of the generated tests, to reproduce a run (default: random, printed in the "
        "summary).",
    )
    add(
        "--record-exchanges",
        metavar="PATH",
        help="append every request the suite sends and the answer to PATH, one JSON object a "
        "line (method, path below the base URL, status, content type, body).",
    )
    add(
        "--list-clauses",
        action="store_true",
        help="print the clause catalogue of the profile (id, level, MUST/SHOULD, text) with the "
        "tests that cover each clause, and exit.",
    )
    add(
        "--clauses-doc",
        metavar="PATH",
        help="write the clause catalogue as Markdown (docs/clauses.md) to PATH, and exit.",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "clause(id, ...): the conformance clause(s) a test checks")
    config.addinivalue_line(
        "markers",
        "generated: a test whose cases Hypothesis generates (skip with -m 'not generated')",
    )
    for level in (1, 2, 3, 4):
        config.addinivalue_line("markers", f"level{level}: tests of level-{level} clauses")
    for area in sorted(set(AREAS.values())):
        config.addinivalue_line("markers", f"{area}: tests of the {area} clauses")
    parse_headers(config.getoption("target_header"))
    if config.getoption("seed") is None:
        # Picked here rather than inside Hypothesis so the summary can print it; xdist workers
        # take the controller's (see pytest_configure_node).
        handed = getattr(config, "workerinput", {}).get("blocks_conformance_seed")
        config.option.seed = handed if handed is not None else secrets.randbelow(2**32)
    if getattr(config.option, "tbstyle", None) == "auto":
        # The failure message already shows clause, request and response; pytest's long
        # tracebacks would bury it under fixture reprs.
        config.option.tbstyle = "short"
    config.pluginmanager.register(ConformanceRun(config), "blocks-conformance-run")


def in_suite(path: Path) -> bool:
    return SUITE_DIR in path.resolve().parents


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if not in_suite(collection_path) and collection_path.resolve() != SUITE_DIR:
        return None
    profile = config.getoption("profile")
    for other in PROFILES:
        if other != profile and (SUITE_DIR / other) in [collection_path, *collection_path.parents]:
            return True
    return None


def catalogue_only(config: pytest.Config) -> bool:
    """--list-clauses or --clauses-doc: report the catalogue, run no test."""
    return bool(config.getoption("list_clauses") or config.getoption("clauses_doc"))


def clause_ids(item: pytest.Item) -> list[str]:
    return [clause for mark in item.iter_markers("clause") for clause in mark.args]


def clause_selected(clause_id: str, patterns: list[str]) -> bool:
    return any(
        clause_id.startswith(p[:-1]) if p.endswith("*") else clause_id == p for p in patterns
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Check every suite test names known clauses, mark it with their levels and areas (so
    ``-m level1`` works), and apply --clause and --level."""
    known = catalogue(config.getoption("profile"))
    problems = []
    for item in items:
        if not in_suite(item.path):
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
    patterns, level = config.getoption("clause"), config.getoption("level")
    keep, drop = [], []
    for item in items:
        ids = clause_ids(item) if in_suite(item.path) else []
        wanted = (not patterns or any(clause_selected(i, patterns) for i in ids)) and (
            level is None or any(known[i].level <= level for i in ids)
        )
        (keep if wanted or not in_suite(item.path) else drop).append(item)
    if catalogue_only(config):
        # Catalogue only: note the covering tests, then run nothing (quieter than collect-only).
        config.stash[COVERING] = covering_tests(keep)
        drop, keep = drop + keep, []
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def covering_tests(items: list[pytest.Item]) -> dict[str, list[str]]:
    covering: dict[str, list[str]] = defaultdict(list)
    for item in items:
        name = f"{item.path.name}::{getattr(item, 'originalname', item.name)}"
        for clause_id in clause_ids(item):
            if name not in covering[clause_id]:
                covering[clause_id].append(name)
    return covering


def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    profile = config.getoption("profile")
    covering = config.stash.get(COVERING, {})
    if doc := config.getoption("clauses_doc"):
        Path(doc).write_text(render_markdown(profile, covering))
    if config.getoption("list_clauses"):
        writer = config.get_terminal_writer()
        for clause in catalogue(profile).values():
            tests = covering.get(clause.id, [])
            writer.line(f"{clause.id}  {profile} L{clause.level} {clause.strength}")
            writer.line(f"    {clause.text}")
            writer.line(f"    tests: {', '.join(tests) if tests else 'none (not covered)'}")


# ---- fixtures -------------------------------------------------------------------------------


def current_target(config: pytest.Config) -> Target:
    run = config.pluginmanager.get_plugin("blocks-conformance-run")
    if run is None or run.target is None:
        pytest.fail("the conformance target was not opened (run the suite through pytest)")
    return run.target


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Target:
    """The server under test: URL, client, and this run's namespace prefix."""
    return current_target(pytestconfig)


@pytest.fixture
def api(target: Target) -> ApiClient:
    """The HTTP client of the run; objects created through it are deleted at session end."""
    return target.client


@pytest.fixture(scope="session")
def ns(target: Target) -> str:
    """This run's namespace prefix (``conf-<8 hex>-``) for every name and slug it creates."""
    return target.namespace


# ---- the run --------------------------------------------------------------------------------


class ConformanceRun:
    """State of one pytest process: the target it opened (not on an xdist controller), the
    per-clause record (fed by test reports, which xdist forwards to the controller) and the
    expected failures."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.target: Target | None = None
        self.record = reports.RunRecord()
        self.expectations = Expectations.load(config.getoption("expect_fail"))
        self.expected_seen: dict[str, bool] = {}  # entry -> some test of it failed
        self.worker_runs: list[dict] = []

    @property
    def clauses(self) -> dict:
        """The catalogue, cut to levels 1..N under --level N."""
        level = self.config.getoption("level")
        known = catalogue(self.config.getoption("profile"))
        return {k: c for k, c in known.items() if level is None or c.level <= level}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        suite_items = [item for item in session.items if in_suite(item.path)]
        if self.config.option.collectonly or not suite_items:
            return
        unknown = self.expectations.unknown(
            set(catalogue(self.config.getoption("profile"))),
            [item.nodeid for item in session.items],
        )
        if unknown:
            pytest.exit(
                f"blocks-conformance: --expect-fail names unknown clauses or tests: {unknown}",
                returncode=pytest.ExitCode.USAGE_ERROR,
            )
        self.target = open_target(self.config)

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        set_current_clauses(clause_ids(item))
        if self.target is not None:
            self.target.client.context = {"test": item.nodeid, "clauses": clause_ids(item)}

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        entries = self.expectations.matching(item.nodeid, clause_ids(item))
        if not entries or report.when == "teardown" and report.passed:
            return report
        if report.failed:
            for entry in entries:
                self.expected_seen[entry] = True
            report.outcome = "skipped"
            report.wasxfail = "expected failure: " + "; ".join(
                f"{entry} ({self.expectations.reasons[entry]})" for entry in entries
            )
        elif report.when == "call" and report.passed:
            for entry in entries:
                self.expected_seen.setdefault(entry, False)
        return report

    def pytest_exception_interact(self, node: pytest.Item, call: pytest.CallInfo, report) -> None:
        if call.excinfo is not None and call.excinfo.errisinstance(TargetUnreachable):
            node.session.shouldstop = f"the target stopped answering: {call.excinfo.value}"

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        clauses = [value for key, value in report.user_properties if key == "clause"]
        if clauses:
            self.record.add(report, clauses)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node) -> None:
        """xdist controller: every worker runs the generated tests with the same seed."""
        node.workerinput["blocks_conformance_seed"] = self.config.getoption("seed")

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error) -> None:
        """xdist controller: collect each worker's target facts and expectation results."""
        output = getattr(node, "workeroutput", {})
        if "blocks_conformance" in output:
            worker = output["blocks_conformance"]
            self.worker_runs.append(worker)
            for entry, failed in worker["expected_seen"].items():
                self.expected_seen[entry] = self.expected_seen.get(entry, False) or failed

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if catalogue_only(self.config) and session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            session.exitstatus = pytest.ExitCode.OK  # every test was deselected on purpose
        if self.target is not None:
            self.target.close()
        facts = self.run_facts()
        if hasattr(self.config, "workeroutput"):
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
        extra_failure = facts["leftovers"] or (
            self.config.getoption("fail_on_skip") and self.record.skipped_tests
        )
        if extra_failure and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if path := self.config.getoption("conformance_report"):
            reports.write(Path(path), self.record.as_json(self.clauses, facts))

    def run_facts(self) -> dict:
        config = self.config
        runs = self.worker_runs or []
        own = self.target
        return {
            "url": own.url if own else (runs[0]["url"] if runs else config.getoption("target_url")),
            "embedded": own.embedded is not None if own else config.getoption("target_url") is None,
            "profile": config.getoption("profile"),
            "namespaces": ([own.namespace] if own else [])
            + [n for r in runs for n in r["namespaces"]],
            "leftovers": (own.leftovers if own else []) + [x for r in runs for x in r["leftovers"]],
            "retried_requests": (own.client.retried if own else 0)
            + sum(r["retried_requests"] for r in runs),
            "requests": (own.client.requests_sent if own else 0) + sum(r["requests"] for r in runs),
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
            "seed": config.getoption("seed"),
            "examples": config.getoption("examples"),
            "level": config.getoption("level"),
            "expect_fail_files": config.getoption("expect_fail"),
        }

    def pytest_terminal_summary(self, terminalreporter, exitstatus: int, config) -> None:
        if self.target is None and not self.worker_runs:
            return
        facts = self.run_facts()
        write = terminalreporter.write_line
        terminalreporter.section("blocks conformance")
        write(
            f"target: {facts['url']}"
            + (" (embedded reference server)" if facts["embedded"] else "")
        )
        headers = redact_headers(parse_headers(config.getoption("target_header")))
        if headers:
            write(f"headers: {headers}")
        write(f"namespace: {', '.join(facts['namespaces'])}")
        write(f"generated tests: --examples {facts['examples']} --seed {facts['seed']}")
        cases = ", ".join(f"{n} {kind}" for kind, n in sorted(facts["generated_cases"].items()))
        if cases:
            write(f"generated cases sent: {cases}")
        write(
            f"requests: {facts['requests']} sent, {facts['request_seconds']:.1f} s waiting for "
            f"the target, {facts['retried_requests']} retried"
        )
        for line in reports.summary_lines(self.record, self.clauses):
            write(line)
        for leftover in facts["leftovers"]:
            write(f"clean-up could not delete {leftover}", red=True)
        if config.getoption("fail_on_skip") and self.record.skipped_tests:
            write(f"--fail-on-skip: {len(self.record.skipped_tests)} test(s) skipped", red=True)
