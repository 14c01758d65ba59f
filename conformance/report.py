"""Per-clause results of a run: the terminal summary, the JSON report and its Markdown and HTML
twins."""

import importlib.metadata
import json
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from . import html_report
from .clauses import Clause
from .differential import describe_difference
from .profiles import Profile
from .steps import BLOCKED_BY, ROOT_CAUSE, STEP_FAILURE

STATUSES = ("passed", "failed", "expected failure", "blocked", "skipped", "not covered")
# 2: each clause's source, each failure's request and response apart (tests[].exchange), the
# suite's version and commit, the start and duration of the run, tests[].steps (the pictured
# steps of a UI journey)
# 3: blocked tests and clauses (by the root causes, the shared steps that failed), the kind of
# verdict, and why nothing was tested (an unusable target)
REPORT_VERSION = 3
# a MUST clause in these keeps its level from being reached; the first two are failures
FAILED = ("failed", "expected failure")
MAX_FAILURE_CHARS = 4000
MAX_END_CHARS = 1000
DISTRIBUTION = "blocks-conformance"
CHECKOUT = Path(__file__).resolve().parent.parent


def shortened(message: str) -> str:
    """A failure's message, its start (the clause, what was checked, the request and answer:
    MAX_FAILURE_CHARS) and its end (a generated test's failing case and notes: MAX_END_CHARS)
    kept."""
    if len(message) <= MAX_FAILURE_CHARS + MAX_END_CHARS:
        return message
    cut = len(message) - MAX_FAILURE_CHARS - MAX_END_CHARS
    start, end = message[:MAX_FAILURE_CHARS], message[-MAX_END_CHARS:]
    return f"{start}\n... ({cut} chars cut) ...\n{end}"


@dataclass
class TestResult:
    nodeid: str
    outcome: str  # passed, failed, skipped, xfailed (an expected failure), blocked
    message: str = ""
    exchange: dict | None = None  # the request and answer of a failure (Exchange.shown)
    # a UI journey's steps: what each checked, its screenshot, the API calls the UI made
    steps: list[dict] | None = None
    blocked_by: str | None = None  # the clause of the shared step whose failure blocked it


def outcome_of(report: pytest.TestReport) -> str:
    if getattr(report, "wasxfail", None) is not None and report.skipped:
        return "xfailed"
    return report.outcome


@dataclass
class RunRecord:
    """What every test said about the clauses it checks."""

    results: dict[str, list[TestResult]] = field(default_factory=lambda: defaultdict(list))
    skipped_tests: list[str] = field(default_factory=list)
    expected_now_passing: set[str] = field(default_factory=set)
    not_run: dict[str, str] = field(default_factory=dict)  # clause -> why its tests cannot run
    differences: list[dict] = field(default_factory=list)  # from the oracle, in differential mode
    unusable: str | None = None  # why nothing was tested (the run ended with exit code 4)

    def unignored_differences(self) -> list[dict]:
        return [difference for difference in self.differences if not difference["ignored"]]

    def add(self, report: pytest.TestReport, clause_ids: list[str]) -> None:
        if report.when != "call" and report.outcome == "passed":
            return
        properties = dict(report.user_properties)
        if BLOCKED_BY in properties:
            self.add_blocked(report, clause_ids, properties)
        else:
            self.add_outcome(report, clause_ids)

    def add_outcome(self, report: pytest.TestReport, clause_ids: list[str]) -> None:
        outcome = outcome_of(report)
        if outcome == "skipped":
            self.skipped_tests.append(report.nodeid)
        message = ""
        if report.failed:
            message = shortened(report.longreprtext)
        elif outcome == "xfailed":
            message = shortened(f"{report.wasxfail}\n{report.longreprtext}")
        elif outcome == "skipped" and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2])
        exchange = getattr(report, "blocks_exchange", None) if message else None
        steps = getattr(report, "blocks_steps", None)
        for clause_id in clause_ids:
            self.results[clause_id].append(
                TestResult(report.nodeid, outcome, message, exchange, steps)
            )

    def add_blocked(self, report: pytest.TestReport, clause_ids: list[str], properties) -> None:
        """A test a shared step's failure blocked: blocked for each of its clauses; the first
        such test of a step (``ROOT_CAUSE``) also carries the step's failure, under the step's
        clause."""
        step = properties[BLOCKED_BY]
        if ROOT_CAUSE in properties:
            self.add_outcome(report, [step])
        reason = f"blocked by {step}: {properties.get(STEP_FAILURE, 'a shared step failed')}"
        for clause_id in clause_ids:
            blocked = TestResult(report.nodeid, "blocked", reason, blocked_by=step)
            self.results[clause_id].append(blocked)

    def status(self, clause_id: str) -> str:
        outcomes = {result.outcome for result in self.results.get(clause_id, [])}
        for outcome, status in (
            ("failed", "failed"),
            ("xfailed", "expected failure"),
            ("blocked", "blocked"),
            ("skipped", "skipped"),
            ("passed", "passed"),
        ):
            if outcome in outcomes:
                return status
        return "not covered"

    def blocked_by(self, clause_id: str) -> list[str]:
        """The clauses of the steps that blocked tests of the clause."""
        results = self.results.get(clause_id, [])
        return sorted({r.blocked_by for r in results if r.blocked_by and r.outcome == "blocked"})

    def root_causes(self, clauses: dict[str, Clause]) -> list[dict]:
        """The shared steps that failed and blocked tests, by level (catalogue order within
        one): each with the tests and clauses it blocked and how it failed."""
        blocked: dict[str, list[tuple[str, TestResult]]] = defaultdict(list)
        for clause_id, results in self.results.items():
            for result in results:
                if result.outcome == "blocked" and result.blocked_by:
                    blocked[result.blocked_by].append((clause_id, result))
        order = {clause_id: number for number, clause_id in enumerate(clauses)}
        causes = []
        for step, entries in blocked.items():
            clause = clauses.get(step)
            causes.append(
                {
                    "clause": step,
                    "level": clause.level if clause else None,
                    "strength": clause.strength if clause else None,
                    "status": self.status(step),
                    "failure": entries[0][1].message.removeprefix(f"blocked by {step}: "),
                    "blocked_tests": len({result.nodeid for _, result in entries}),
                    "blocked_clauses": sorted(
                        {c for c, _ in entries}, key=lambda c: order.get(c, len(order))
                    ),
                }
            )
        return sorted(causes, key=lambda c: (c["level"] or 0, order.get(c["clause"], 0)))

    def by_level(self, clauses: dict[str, Clause]) -> dict[int, dict[str, list[str]]]:
        levels: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for clause in clauses.values():
            levels[clause.level][self.status(clause.id)].append(clause.id)
        return levels

    def conformant_level(self, clauses: dict[str, Clause]) -> int:
        """The highest N such that every MUST clause of levels 1..N passed."""
        reached = 0
        for level in sorted({clause.level for clause in clauses.values()}):
            musts = [c for c in clauses.values() if c.level == level and c.strength == "MUST"]
            if any(self.status(clause.id) != "passed" for clause in musts):
                break
            reached = level
        return reached

    def as_json(self, clauses: dict[str, Clause], run: dict, profile: Profile) -> dict:
        entries = {}
        for clause in clauses.values():
            results = self.results.get(clause.id, [])
            failures = [r.message for r in results if r.outcome in ("failed", "xfailed")]
            entries[clause.id] = {
                "level": clause.level,
                "strength": clause.strength,
                "text": clause.text,
                "source": clause.source,
                "status": self.status(clause.id),
                "tests": [test_entry(result) for result in results],
                "first_failure": failures[0] if failures else None,
            }
            if clause.id in self.not_run and not results:
                entries[clause.id]["not_run"] = self.not_run[clause.id]
            if entries[clause.id]["status"] == "blocked":
                entries[clause.id]["blocked_by"] = self.blocked_by(clause.id)
        levels = {
            str(level): {status: len(ids) for status, ids in statuses.items()}
            for level, statuses in sorted(self.by_level(clauses).items())
        }
        level_names = dict(sorted(profile.catalogue.level_names.items()))
        level_names = {str(level): name for level, name in level_names.items()}
        kind, said = verdict_of(self, clauses)
        return {
            "report_version": REPORT_VERSION,
            "run": run,
            "conformant_level": self.conformant_level(clauses),
            "verdict": said,
            "verdict_kind": kind,
            "unusable": self.unusable,
            "root_causes": self.root_causes(clauses),
            "levels": levels,
            "level_names": level_names,
            "expected_failures_now_passing": sorted(self.expected_now_passing),
            "differences": self.differences,
            "clauses": entries,
        }


def test_entry(result: TestResult) -> dict:
    entry: dict = {"nodeid": result.nodeid, "outcome": result.outcome}
    if result.message and result.outcome in ("failed", "xfailed", "skipped", "blocked"):
        entry["message"] = result.message
        if result.exchange is not None and result.outcome in ("failed", "xfailed"):
            entry["exchange"] = result.exchange
    if result.steps:
        entry["steps"] = result.steps
    if result.blocked_by:
        entry["blocked_by"] = result.blocked_by
    return entry


@cache
def suite_facts() -> dict:
    """The suite's version, and the commit it was installed from (a pip install from a git
    URL records it) or runs from (a checkout); None when neither says."""
    try:
        distribution = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return {"version": None, "commit": checkout_commit()}
    commit = None
    try:
        direct = json.loads(distribution.read_text("direct_url.json") or "{}")
        commit = direct.get("vcs_info", {}).get("commit_id")
    except ValueError:
        pass
    return {"version": distribution.version, "commit": commit or checkout_commit()}


def checkout_commit() -> str | None:
    """The commit of the checkout the suite runs from (``-dirty`` when it has changes)."""
    if not (CHECKOUT / "pyproject.toml").is_file() or not (CHECKOUT / ".git").exists():
        return None
    try:
        described = subprocess.run(
            [
                "git",
                "-C",
                str(CHECKOUT),
                "describe",
                "--always",
                "--dirty",
                "--exclude=*",
                "--abbrev=12",
            ],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if described.returncode != 0:
        return None
    return described.stdout.strip() or None


# what a verdict says, and the kinds of verdict (the reports colour each its own way)
CONFORMANT, PARTIAL, NOT_CONFORMANT = "conformant", "partial", "not conformant"
NOT_ESTABLISHED, NOT_TESTED = "not established", "not tested"
VERDICT_KINDS = (CONFORMANT, PARTIAL, NOT_CONFORMANT, NOT_ESTABLISHED, NOT_TESTED)
# the verdict line of the terminal summary (pytest's markup names)
TERMINAL_COLOURS = {
    CONFORMANT: "green",
    PARTIAL: "yellow",
    NOT_CONFORMANT: "red",
    NOT_ESTABLISHED: "cyan",
    NOT_TESTED: "purple",
}


def verdict(record: RunRecord, clauses: dict[str, Clause]) -> str:
    return verdict_of(record, clauses)[1]


def verdict_of(record: RunRecord, clauses: dict[str, Clause]) -> tuple[str, str]:
    """The kind of verdict and its words: "Level N conformant", and what kept the next level
    from being reached. "not conformant" only when a MUST clause of that level failed; when its
    MUST clauses were only blocked, skipped or not run (deselected with -m, -k,
    --blocks-clause, or without a test), the level is "not established". A run that tested
    nothing says why."""
    if record.unusable:
        return NOT_TESTED, record.unusable
    level = record.conformant_level(clauses)
    above = sorted({clause.level for clause in clauses.values() if clause.level > level})
    if not above:
        return CONFORMANT, f"Level {level} conformant"
    gaps: dict[str, list[str]] = defaultdict(list)
    for clause in clauses.values():
        if clause.level == above[0] and clause.strength == "MUST":
            status = record.status(clause.id)
            if status != "passed":
                gaps[status].append(clause.id)
    reasons = "; ".join(gap_reasons(record, gaps))
    if any(gaps.get(status) for status in FAILED):
        head = f"Level {level} conformant" if level else "not conformant"
        return (PARTIAL if level else NOT_CONFORMANT), f"{head} (level {above[0]}: {reasons})"
    head = f"Level {level} conformant; level" if level else "Level"
    return NOT_ESTABLISHED, f"{head} {above[0]} not established: {reasons}"


GAP_WORDS = {
    "failed": "failed",
    "expected failure": "failed as expected",
    "blocked": "blocked",
    "skipped": "skipped",
    "not covered": "not run",
}


def gap_reasons(record: RunRecord, gaps: dict[str, list[str]]) -> list[str]:
    """Each kind of gap of a level: how many MUST clauses, the first three, and why."""
    reasons = []
    for status, what in GAP_WORDS.items():
        ids = gaps.get(status, [])
        if not ids:
            continue
        shown = ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")
        why = ""
        if status == "not covered":
            needs = sorted({record.not_run[i] for i in ids if i in record.not_run})
            why = f" (needs {'; '.join(needs)})" if needs else ""
        if status == "blocked":
            steps = sorted({step for i in ids for step in record.blocked_by(i)})
            what = f"blocked by {', '.join(steps)}"
        clauses = "clause" if len(ids) == 1 else "clauses"
        reasons.append(f"{len(ids)} MUST {clauses} {what}: {shown}{why}")
    return reasons


def root_cause_lines(causes: list[dict]) -> list[str]:
    """The root causes first: each shared step that failed, how, and what it blocked."""
    if not causes:
        return []
    lines = [
        "root causes (shared steps that failed; the tests that needed them are blocked, "
        "neither passed nor failed):"
    ]
    for cause in causes:
        tests, blocked = cause["blocked_tests"], len(cause["blocked_clauses"])
        lines.append(
            f"    {cause['clause']} ({cause['strength']}, level {cause['level']}, "
            f"{cause['status']}): {cause['failure']}; blocked {tests} "
            f"test{'s' if tests != 1 else ''} of {blocked} clause{'s' if blocked != 1 else ''}"
        )
    return lines


def summary_lines(record: RunRecord, clauses: dict[str, Clause], profile: Profile) -> list[str]:
    lines = []
    for level, statuses in sorted(record.by_level(clauses).items()):
        parts = ", ".join(f"{len(statuses[s])} {s}" for s in STATUSES if statuses[s])
        lines.append(f"level {level} ({profile.catalogue.level_names.get(level, '')}): {parts}")
        for status in ("failed", "expected failure", "skipped"):
            for clause_id in statuses[status]:
                lines.append(f"    {status}: {clause_id} ({clauses[clause_id].strength})")
        for clause_id in statuses["blocked"]:
            steps = ", ".join(record.blocked_by(clause_id))
            lines.append(f"    blocked: {clause_id} ({clauses[clause_id].strength}) by {steps}")
        for clause_id in statuses["not covered"]:
            if clause_id in record.not_run:
                lines.append(f"    not covered: {clause_id} (needs {record.not_run[clause_id]})")
    lines.append(f"verdict: {verdict(record, clauses)}")
    for entry in sorted(record.expected_now_passing):
        lines.append(f"expected to fail but passed (remove from the expect-fail file): {entry}")
    return lines


def difference_lines(record: RunRecord, facts: dict) -> list[str]:
    """The differential mode's part of the terminal summary: each difference side by side."""
    if not facts.get("oracle"):
        return []
    found = record.unignored_differences()
    ignored = len(record.differences) - len(found)
    unrecorded = facts.get("oracle_unrecorded", 0)
    lines = [
        f"oracle: {facts['oracle']}: {facts['oracle_compared']} answers compared, "
        f"{len(found)} differences, {ignored} ignored"
        + (
            f"; {unrecorded} generated requests the recording does not hold, not compared"
            if unrecorded
            else ""
        )
    ]
    for number, difference in enumerate(found, start=1):
        clauses = ", ".join(difference["clauses"]) or "no clause"
        lines.append(f"difference {number}: {difference['test']} [{clauses}]")
        lines += [f"  {line}" for line in describe_difference(difference).splitlines()]
    return lines


def markdown(report: dict) -> str:
    """A summary for a pull request or $GITHUB_STEP_SUMMARY."""
    run = report["run"]
    if report.get("unusable"):
        title = "## Blocks conformance: nothing was tested"
        lines = [title, "", report["verdict"], ""]
    else:
        lines = [f"## Blocks conformance: {report['verdict']}", ""]
    lines += root_cause_markdown(report.get("root_causes", []))
    lines += [
        f"Profile `{run['profile']}` against `{run['url']}`"
        + (" (embedded reference server)" if run.get("embedded") else "")
        + "".join(f"; {name} {value}" for name, value in run.get("profile_facts", {}).items())
        + f"; generated tests with `--blocks-seed {run['seed']}`.",
        "",
        "| level | " + " | ".join(STATUSES) + " |",
        "|---|" + "---|" * len(STATUSES),
    ]
    names = report.get("level_names", {})
    for level, counts in report["levels"].items():
        shown = f"{level} ({names[level]})" if level in names else level
        lines.append(f"| {shown} | " + " | ".join(str(counts.get(s, 0)) for s in STATUSES) + " |")
    problems = [
        (clause_id, entry)
        for clause_id, entry in report["clauses"].items()
        if entry["status"] in ("failed", "skipped")
    ]
    if problems:
        lines += ["", "### Clauses that did not pass", ""]
        for clause_id, entry in problems:
            lines.append(
                f"- **{clause_id}** (level {entry['level']} {entry['strength']}, "
                f"{entry['status']}): {entry['text']}"
            )
            if entry["first_failure"]:
                excerpt = entry["first_failure"].strip()[:1500]
                lines += ["", "  ```", *("  " + line for line in excerpt.splitlines()), "  ```"]
    blocked = [c for c, e in report["clauses"].items() if e["status"] == "blocked"]
    if blocked:
        lines += ["", f"### Blocked clauses: {len(blocked)}", ""]
        lines += [
            f"- `{c}` by {', '.join(report['clauses'][c].get('blocked_by', []))}" for c in blocked
        ]
    expected = [c for c, e in report["clauses"].items() if e["status"] == "expected failure"]
    if expected:
        lines += ["", "### Expected failures", "", ", ".join(f"`{c}`" for c in expected)]
    if report["expected_failures_now_passing"]:
        lines += ["", "### Now passing: remove from the expect-fail file", ""]
        lines += [f"- `{entry}`" for entry in report["expected_failures_now_passing"]]
    differences = [d for d in report.get("differences", []) if not d["ignored"]]
    if run.get("oracle"):
        lines += ["", f"### Differences from the oracle `{run['oracle']}`: {len(differences)}", ""]
        for difference in differences[:50]:
            lines += [f"- `{difference['test']}`", "", "  ```"]
            lines += ["  " + line for line in describe_difference(difference).splitlines()]
            lines += ["  ```"]
    if run.get("left_behind"):
        lines += ["", "### Left behind (the API cannot delete them)", ""]
        lines += [f"- {kept}" for kept in run["left_behind"]]
    if run.get("leftovers"):
        lines += ["", "### Clean-up could not delete", ""]
        lines += [f"- {leftover}" for leftover in run["leftovers"]]
    return "\n".join(lines) + "\n"


def root_cause_markdown(causes: list[dict]) -> list[str]:
    """The root causes, first after the verdict."""
    if not causes:
        return []
    lines = [
        "### Root causes",
        "",
        "Shared steps that failed; the tests that needed them are blocked, neither passed nor "
        "failed.",
        "",
    ]
    for cause in causes:
        lines.append(
            f"- **{cause['clause']}** (level {cause['level']} {cause['strength']}, "
            f"{cause['status']}): {cause['failure']}. Blocked {cause['blocked_tests']} tests of "
            f"{len(cause['blocked_clauses'])} clauses."
        )
    return [*lines, ""]


def write(path: Path, report: dict) -> None:
    """The JSON report at ``path``, the Markdown summary (``.md``) and the HTML page
    (``.html``) next to it, all three made from the same dict."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    path.with_suffix(".md").write_text(markdown(report))
    path.with_suffix(".html").write_text(html_report.render(report))
