"""Running the suite from our own tests: ``pytest SUITE ARGS`` in a process of its own (forked
from a warm one), with its JSON report, its output and how long it took."""

import json
import time
from dataclasses import dataclass
from pathlib import Path

from . import ROOT
from .forked import run_pytest


@dataclass
class SuiteRun:
    returncode: int
    output: str
    report: dict | None
    seconds: float
    report_path: Path

    def clauses_with(self, status: str) -> set[str]:
        clauses = (self.report or {}).get("clauses", {})
        return {clause for clause, entry in clauses.items() if entry["status"] == status}


# Our own tests draw the same generated cases on every run; a random draw finding something
# new belongs in a run of its own (docs/options.md: --blocks-seed), not in a flaky test.
TESTS_SEED = 20261202
# A run of ours that is not about generated cases draws few of them (the generated tests still
# run, each sending this many cases); tests about generation, and variant runs, say how many.
TESTS_EXAMPLES = 3


def run_suite(
    *args: str,
    tmp_path: Path,
    timeout: float = 600,
    suite: Path | list[Path] = ROOT / "conformance",
    own_example_db: bool = True,
) -> SuiteRun:
    """``pytest SUITE ARGS`` in its own (forked) process, with its JSON conformance report;
    ``suite``: the folder, or the test files, to collect; ``own_example_db``: an example
    database of its own (unless ARGS name one), so that no earlier run's failures replay."""
    stamp = time.monotonic_ns()
    report = tmp_path / f"report-{stamp}.json"
    output = tmp_path / f"output-{stamp}.txt"
    paths = [str(path) for path in (suite if isinstance(suite, list) else [suite])]
    if not any(arg.startswith("--blocks-seed") for arg in args):
        args = (*args, f"--blocks-seed={TESTS_SEED}")  # the same generated cases every time
    if not any(arg.startswith("--blocks-examples") for arg in args):
        args = (*args, f"--blocks-examples={TESTS_EXAMPLES}")
    if own_example_db and not any(arg.startswith("--blocks-example-db") for arg in args):
        args = (*args, f"--blocks-example-db={tmp_path / f'examples-{stamp}'}")
    argv = [*paths, "-q", "-p", "no:cacheprovider", f"--blocks-report={report}", *args]
    started = time.monotonic()
    returncode = run_pytest(argv, ROOT, output, timeout)
    loaded = json.loads(report.read_text()) if report.exists() else None
    return SuiteRun(returncode, output.read_text(), loaded, time.monotonic() - started, report)
