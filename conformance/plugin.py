"""The pytest plugin: options, the target (embedded or remote), run namespace, clean-up,
clause bookkeeping and the conformance summary."""

import secrets
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from .checks import set_current_clauses
from .clauses import PROFILES, catalogue
from .client import ApiClient, TargetUnreachable, redact_headers
from .embedded import EmbeddedServer
from .report import STATUSES, RunRecord

SUITE_DIR = Path(__file__).resolve().parent
PROBE_TIMEOUT_CAP = 5.0
EXIT_TARGET_UNUSABLE = 4


@dataclass
class Target:
    url: str
    client: ApiClient
    namespace: str
    embedded: EmbeddedServer | None = None
    record: RunRecord = field(default_factory=RunRecord)
    leftovers: list[str] = field(default_factory=list)


TARGET_KEY = pytest.StashKey[Target]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("blocks-conformance", "blocks API conformance suite")
    group.addoption(
        "--target-url",
        help="base URL of the server under test, including /api "
        "(e.g. http://127.0.0.1:4200/api). Without it the bundled reference server is "
        "started on a free 127.0.0.1 port with a temporary SQLite file.",
    )
    group.addoption(
        "--target-header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="header sent with every request to the target, e.g. for auth; repeatable.",
    )
    group.addoption(
        "--target-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="timeout per request to the target (default 10). The reachability probe at "
        f"start uses at most {PROBE_TIMEOUT_CAP:.0f} s.",
    )
    group.addoption(
        "--profile",
        default="prefect",
        choices=PROFILES,
        help="which blocks API the target implements (default prefect).",
    )
    group.addoption(
        "--fail-on-skip",
        action="store_true",
        help="exit non-zero when any conformance test was skipped (a skipped clause is a gap, "
        "not a pass).",
    )
    group.addoption(
        "--conformance-report",
        metavar="PATH",
        help="write the per-clause results (status, tests, first failure with request and "
        "response) as JSON to PATH.",
    )
    group.addoption(
        "--clause",
        action="append",
        default=[],
        metavar="ID",
        help="run only the tests of this clause; repeatable; a trailing * matches a prefix "
        "(e.g. --clause 'PF-FLT-*').",
    )
    group.addoption(
        "--examples",
        type=int,
        default=10,
        metavar="N",
        help="budget of generated (Hypothesis) examples per generated test (default 10).",
    )
    group.addoption(
        "--seed",
        type=int,
        metavar="S",
        help="seed of the generated tests, to reproduce a run (default: random, printed in "
        "the summary).",
    )
    group.addoption(
        "--list-clauses",
        action="store_true",
        help="print the clause catalogue of the profile and exit.",
    )


def parse_headers(raw: list[str]) -> dict[str, str]:
    headers = {}
    for entry in raw:
        name, sep, value = entry.partition(":")
        if not sep or not name.strip():
            raise pytest.UsageError(f"--target-header must look like 'Name: value', got {entry!r}")
        headers[name.strip()] = value.strip()
    return headers


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "clause(id, ...): the conformance clause(s) a test checks")
    config.addinivalue_line(
        "markers",
        "generated: a test whose cases Hypothesis generates (skip with -m 'not generated')",
    )
    parse_headers(config.getoption("target_header"))
    if config.getoption("list_clauses"):
        config.option.collectonly = True
    if config.getoption("seed") is None:
        # Pick the seed here rather than inside Hypothesis so the summary can print it.
        config.option.seed = secrets.randbelow(2**32)
    if getattr(config.option, "tbstyle", None) == "auto":
        # The failure message already shows clause, request and response; pytest's long
        # tracebacks would bury it under fixture reprs.
        config.option.tbstyle = "short"


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


def clause_ids(item: pytest.Item) -> list[str]:
    return [clause for mark in item.iter_markers("clause") for clause in mark.args]


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    known = catalogue(config.getoption("profile"))
    problems = []
    for item in items:
        if not in_suite(item.path):
            continue
        ids = clause_ids(item)
        if not ids:
            problems.append(f"{item.nodeid}: no @pytest.mark.clause(...)")
        for clause in ids:
            if clause not in known:
                problems.append(f"{item.nodeid}: unknown clause {clause}")
            item.user_properties.append(("clause", clause))
    if problems:
        raise pytest.UsageError("clause markers are wrong:\n  " + "\n  ".join(problems))
    select_clauses(config, items, config.getoption("clause"))


def clause_selected(clause_id: str, patterns: list[str]) -> bool:
    return any(
        clause_id.startswith(p[:-1]) if p.endswith("*") else clause_id == p for p in patterns
    )


def select_clauses(config: pytest.Config, items: list[pytest.Item], patterns: list[str]) -> None:
    if not patterns:
        return
    keep, drop = [], []
    for item in items:
        ids = clause_ids(item) if in_suite(item.path) else []
        selected = any(clause_selected(clause_id, patterns) for clause_id in ids)
        (keep if selected else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    if not config.getoption("list_clauses"):
        return
    covering = defaultdict(list)
    for item in session.items:
        for clause in clause_ids(item):
            covering[clause].append(item.nodeid)
    writer = config.get_terminal_writer()
    for clause in catalogue(config.getoption("profile")).values():
        tests = len(covering[clause.id])
        writer.line(f"{clause.id}  L{clause.level} {clause.strength}  tests: {tests}")
        writer.line(f"    {clause.text}")


def unusable(url: str, what: str) -> None:
    pytest.exit(
        f"blocks-conformance: the target {url} is not usable: {what}. Nothing was tested. "
        "Check that the server is running and that --target-url is its base URL including "
        "/api (for example http://127.0.0.1:4200/api), or leave --target-url out to test the "
        "bundled reference server.",
        returncode=EXIT_TARGET_UNUSABLE,
    )


def probe(url: str, headers: dict[str, str], timeout: float) -> None:
    health = f"{url.rstrip('/')}/health"
    started = time.monotonic()
    try:
        answer = httpx.get(health, headers=headers, timeout=min(timeout, PROBE_TIMEOUT_CAP))
    except httpx.HTTPError as error:
        waited = time.monotonic() - started
        unusable(
            url,
            f"GET {health} failed after {waited:.1f} s with {type(error).__name__}: "
            f"{error or 'no detail'}",
        )
        return
    if answer.status_code != 200:
        unusable(url, f"GET {health} answered {answer.status_code} instead of 200")


def open_target(config: pytest.Config) -> Target:
    headers = parse_headers(config.getoption("target_header"))
    timeout = config.getoption("target_timeout")
    url = config.getoption("target_url")
    embedded = None
    if url is None:
        embedded = EmbeddedServer()
        try:
            embedded.wait_until_healthy()
        except RuntimeError as error:
            embedded.stop()
            pytest.exit(f"blocks-conformance: {error}", returncode=EXIT_TARGET_UNUSABLE)
        url = embedded.url
    else:
        probe(url, headers, timeout)
    namespace = f"conf-{secrets.token_hex(4)}-"
    return Target(url, ApiClient(url, headers, timeout), namespace, embedded)


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    config = session.config
    suite_items = [item for item in session.items if in_suite(item.path)]
    if config.option.collectonly or not suite_items:
        return
    config.stash[TARGET_KEY] = open_target(config)
    _open_targets[:] = [config.stash[TARGET_KEY]]


def current_target(config: pytest.Config) -> Target:
    if TARGET_KEY not in config.stash:
        pytest.fail("the conformance target was not opened (run the suite through pytest)")
    return config.stash[TARGET_KEY]


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


def pytest_runtest_setup(item: pytest.Item) -> None:
    set_current_clauses(clause_ids(item))


def pytest_exception_interact(node: pytest.Item, call: pytest.CallInfo, report) -> None:
    if call.excinfo is not None and call.excinfo.errisinstance(TargetUnreachable):
        node.session.shouldstop = f"the target stopped answering: {call.excinfo.value}"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    clauses = [value for key, value in report.user_properties if key == "clause"]
    if clauses and _open_targets:
        _open_targets[-1].record.add(report, clauses)


# The report hook gets no config; the target opened by this process's run is kept here.
_open_targets: list[Target] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    target = config.stash.get(TARGET_KEY, None)
    if target is None:
        return
    target.leftovers = target.client.clean_up(target.namespace)
    target.client.close()
    if target.embedded is not None:
        target.embedded.stop()
    failed_extra = target.leftovers or (
        config.getoption("fail_on_skip") and target.record.skipped_tests
    )
    if failed_extra and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    report_path = config.getoption("conformance_report")
    if report_path:
        target.record.write_json(
            Path(report_path), catalogue(config.getoption("profile")), target_info(config, target)
        )


def target_info(config: pytest.Config, target: Target) -> dict:
    return {
        "url": target.url,
        "embedded": target.embedded is not None,
        "profile": config.getoption("profile"),
        "namespace": target.namespace,
        "leftovers": target.leftovers,
        "retried_requests": target.client.retried,
    }


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    target = config.stash.get(TARGET_KEY, None)
    if target is None:
        return
    write = terminalreporter.write_line
    terminalreporter.section("blocks conformance")
    headers = redact_headers(parse_headers(config.getoption("target_header")))
    write(f"target: {target.url}" + (" (embedded reference server)" if target.embedded else ""))
    if headers:
        write(f"headers: {headers}")
    write(f"namespace: {target.namespace}")
    seed = config.getoption("seed")
    write(f"generated tests: --examples {config.getoption('examples')} --seed {seed}")
    known = catalogue(config.getoption("profile"))
    for level, statuses in sorted(target.record.by_level(known).items()):
        parts = ", ".join(f"{len(statuses[s])} {s}" for s in STATUSES if statuses[s])
        write(f"level {level}: {parts}")
        for status in ("failed", "skipped"):
            for clause_id in statuses[status]:
                write(f"    {status}: {clause_id} ({known[clause_id].strength})")
    reached = target.record.conformant_level(known)
    write(f"verdict: Level {reached} conformant" if reached else "verdict: not conformant")
    for leftover in target.leftovers:
        write(f"clean-up could not delete {leftover}", red=True)
    if config.getoption("fail_on_skip") and target.record.skipped_tests:
        skipped = len(target.record.skipped_tests)
        write(f"--fail-on-skip: {skipped} test(s) skipped", red=True)
