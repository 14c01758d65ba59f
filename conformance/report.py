"""Per-clause results of a run: the terminal summary and the JSON conformance report."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .clauses import Clause

STATUSES = ("passed", "failed", "skipped", "not covered")


@dataclass
class TestResult:
    nodeid: str
    outcome: str
    message: str = ""


@dataclass
class RunRecord:
    """What every test said about the clauses it checks."""

    results: dict[str, list[TestResult]] = field(default_factory=lambda: defaultdict(list))
    skipped_tests: list[str] = field(default_factory=list)

    def add(self, report: pytest.TestReport, clause_ids: list[str]) -> None:
        if report.when != "call" and report.outcome == "passed":
            return
        if report.skipped:
            self.skipped_tests.append(report.nodeid)
        message = report.longreprtext if report.failed else ""
        if report.skipped and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2])
        for clause_id in clause_ids:
            self.results[clause_id].append(TestResult(report.nodeid, report.outcome, message))

    def status(self, clause_id: str) -> str:
        outcomes = {result.outcome for result in self.results.get(clause_id, [])}
        for status in ("failed", "skipped", "passed"):
            if status in outcomes:
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

    def as_json(self, clauses: dict[str, Clause], target: dict) -> dict:
        entries = {}
        for clause in clauses.values():
            results = self.results.get(clause.id, [])
            failures = [result.message for result in results if result.outcome == "failed"]
            entries[clause.id] = {
                "level": clause.level,
                "strength": clause.strength,
                "text": clause.text,
                "status": self.status(clause.id),
                "tests": [{"nodeid": r.nodeid, "outcome": r.outcome} for r in results],
                "first_failure": failures[0] if failures else None,
            }
        return {
            "target": target,
            "conformant_level": self.conformant_level(clauses),
            "clauses": entries,
        }

    def write_json(self, path: Path, clauses: dict[str, Clause], target: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_json(clauses, target), indent=2) + "\n")
