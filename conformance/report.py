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

STATUSES = ("passed", "failed", "expected failure", "skipped", "not covered")
# 2: each clause's source, each failure's request and response apart (tests[].exchange), the
# suite's version and commit, the start and duration of the run; tests[].steps (the pictured
# steps of a UI journey) since
REPORT_VERSION = 2
MAX_FAILURE_CHARS = 4000
DISTRIBUTION = "blocks-conformance"
CHECKOUT = Path(__file__).resolve().parent.parent


@dataclass
class TestResult:
    nodeid: str
    outcome: str  # passed, failed, skipped, xfailed (an expected failure)
    message: str = ""
    exchange: dict | None = None  # the request and answer of a failure (Exchange.shown)
    # a UI journey's steps: what each checked, its screenshot, the API calls the UI made
    steps: list[dict] | None = None


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

    def unignored_differences(self) -> list[dict]:
        return [difference for difference in self.differences if not difference["ignored"]]

    def add(self, report: pytest.TestReport, clause_ids: list[str]) -> None:
        if report.when != "call" and report.outcome == "passed":
            return
        outcome = outcome_of(report)
        if outcome == "skipped":
            self.skipped_tests.append(report.nodeid)
        message = ""
        if report.failed:
            message = report.longreprtext[:MAX_FAILURE_CHARS]
        elif outcome == "xfailed":
            message = f"{report.wasxfail}\n{report.longreprtext}"[:MAX_FAILURE_CHARS]
        elif outcome == "skipped" and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2])
        exchange = getattr(report, "blocks_exchange", None) if message else None
        steps = getattr(report, "blocks_steps", None)
        for clause_id in clause_ids:
            self.results[clause_id].append(
                TestResult(report.nodeid, outcome, message, exchange, steps)
            )

    def status(self, clause_id: str) -> str:
        outcomes = {result.outcome for result in self.results.get(clause_id, [])}
        for outcome, status in (
            ("failed", "failed"),
            ("xfailed", "expected failure"),
            ("skipped", "skipped"),
            ("passed", "passed"),
        ):
            if outcome in outcomes:
                return status
        return "not covered"

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
        levels = {
            str(level): {status: len(ids) for status, ids in statuses.items()}
            for level, statuses in sorted(self.by_level(clauses).items())
        }
        level_names = dict(sorted(profile.catalogue.level_names.items()))
        level_names = {str(level): name for level, name in level_names.items()}
        return {
            "report_version": REPORT_VERSION,
            "run": run,
            "conformant_level": self.conformant_level(clauses),
            "verdict": verdict(self, clauses),
            "levels": levels,
            "level_names": level_names,
            "expected_failures_now_passing": sorted(self.expected_now_passing),
            "differences": self.differences,
            "clauses": entries,
        }


def test_entry(result: TestResult) -> dict:
    entry: dict = {"nodeid": result.nodeid, "outcome": result.outcome}
    if result.message and result.outcome in ("failed", "xfailed", "skipped"):
        entry["message"] = result.message
        if result.exchange is not None and result.outcome != "skipped":
            entry["exchange"] = result.exchange
    if result.steps:
        entry["steps"] = result.steps
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


def verdict(record: RunRecord, clauses: dict[str, Clause]) -> str:
    """ "Level N conformant", and why the next level was not reached: which of its MUST clauses
    failed, or were not run (deselected with -m, -k, --blocks-clause, or without a test)."""
    level = record.conformant_level(clauses)
    head = f"Level {level} conformant" if level else "not conformant"
    blocking: dict[str, list[str]] = defaultdict(list)
    for clause in clauses.values():
        if clause.level == level + 1 and clause.strength == "MUST":
            status = record.status(clause.id)
            if status != "passed":
                blocking[status].append(clause.id)
    if not blocking:
        return head
    reasons = []
    for status in ("failed", "expected failure", "skipped", "not covered"):
        ids = blocking.get(status, [])
        if ids:
            shown = ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")
            what = "not run" if status == "not covered" else status
            needs = sorted({record.not_run[i] for i in ids if i in record.not_run})
            why = f" (needs {'; '.join(needs)})" if needs else ""
            reasons.append(f"{len(ids)} MUST clause(s) {what}: {shown}{why}")
    return f"{head} (level {level + 1}: {'; '.join(reasons)})"


def summary_lines(record: RunRecord, clauses: dict[str, Clause], profile: Profile) -> list[str]:
    lines = []
    for level, statuses in sorted(record.by_level(clauses).items()):
        parts = ", ".join(f"{len(statuses[s])} {s}" for s in STATUSES if statuses[s])
        lines.append(f"level {level} ({profile.catalogue.level_names.get(level, '')}): {parts}")
        for status in ("failed", "expected failure", "skipped"):
            for clause_id in statuses[status]:
                lines.append(f"    {status}: {clause_id} ({clauses[clause_id].strength})")
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
    lines = [
        f"## Blocks conformance: {report['verdict']}",
        "",
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


def write(path: Path, report: dict) -> None:
    """The JSON report at ``path``, the Markdown summary (``.md``) and the HTML page
    (``.html``) next to it, all three made from the same dict."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    path.with_suffix(".md").write_text(markdown(report))
    path.with_suffix(".html").write_text(html_report.render(report))
