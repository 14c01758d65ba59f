"""Wall time of the default conformance run against the embedded reference server, and where it
goes.

    python benchmarks/suite_runtime.py [--runs 3] [--checkout DIR] [-- extra pytest arguments]

Each run is the README's command, ``pytest conformance``, in a subprocess of its own (so the
interpreter's start, the imports, the embedded server's start and the clean-up are included),
with a conformance report whose run facts say where the session's time went. The columns:

- start-up: the interpreter, imports and plugins, before the session starts and after it ends
  (the wall time less the session's);
- collection: collecting the tests;
- target: starting the embedded server (or probing a --target-url) until it answers;
- waiting: inside HTTP calls of tests and their fixtures (the server, loopback and the HTTP
  client);
- generation: the generated tests' own time (Hypothesis and schemathesis drawing cases, the
  checks of their answers), their waiting left out;
- other: the rest of the suite's own work (the other tests and fixtures less their waiting,
  pytest's reporting);
- clean-up: deleting what the run created, and stopping the server.

``--checkout DIR`` runs the suite of another checkout (a git worktree of an older commit, say)
with this machine's Python, to compare before and after side by side; a checkout whose reports
do not break the time down shows only the wall time, the waiting and the rest.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 12.0
COLUMNS = ("wall", "start-up", "collection", "target", "waiting", "generation", "other", "clean-up")


def one_run(checkout: Path, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="suite-runtime-") as folder:
        report = Path(folder, "report.json")
        command = [
            sys.executable,
            "-m",
            "pytest",
            "conformance",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--blocks-report={report}",
            *extra,
        ]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=checkout, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if done.returncode != 0 or not report.exists():
            tail = (done.stdout + done.stderr)[-3000:]
            raise SystemExit(f"the conformance run failed (exit {done.returncode}):\n{tail}")
        facts = json.loads(report.read_text())["run"]
    return {"wall": wall, "requests": facts["requests"], **breakdown(wall, facts)}


def breakdown(wall: float, facts: dict) -> dict:
    """The columns of one run, from its report's run facts."""
    seconds = facts.get("seconds")
    if not seconds:  # an older suite: waiting and the rest only
        waiting = facts["request_seconds"]
        return {"waiting": waiting, "other": wall - waiting}
    tests = ("fixtures", "generated tests", "other tests")
    waiting = sum(seconds.get(f"{phase} waiting", 0.0) for phase in tests)
    generation = seconds.get("generated tests", 0.0) - seconds.get("generated tests waiting", 0.0)
    session = seconds["session"]
    parts = {
        "start-up": wall - session,
        "collection": seconds.get("collection", 0.0),
        "target": seconds.get("target start", 0.0),
        "waiting": waiting,
        "generation": generation,
        "clean-up": seconds.get("clean-up", 0.0),
    }
    parts["other"] = wall - sum(parts.values())
    return parts


def row(label: str, run: dict) -> str:
    cells = " ".join(
        f"{run[column]:10.1f}" if column in run else f"{'-':>10}" for column in COLUMNS
    )
    return f"{label:<12}{cells} {run['requests']:9}"


def median_run(runs: list[dict]) -> dict:
    keys = {key for run in runs for key in run}
    return {key: statistics.median(run[key] for run in runs if key in run) for key in keys}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="number of runs (default 3)")
    parser.add_argument(
        "--checkout",
        action="append",
        type=Path,
        default=[],
        help="also run the suite of this checkout, interleaved with this one (repeatable)",
    )
    parser.add_argument("extra", nargs="*", help="extra pytest arguments, after --")
    args = parser.parse_args()
    checkouts = [ROOT, *args.checkout]
    print(f"command: pytest conformance {' '.join(args.extra)}".rstrip())
    print("seconds per phase (see the script's help for what each column holds)")
    print(f"{'run':<12}" + " ".join(f"{column:>10}" for column in COLUMNS) + f" {'requests':>9}")
    runs: dict[Path, list[dict]] = {checkout: [] for checkout in checkouts}
    for number in range(1, args.runs + 1):
        for checkout in checkouts:  # interleaved, so that a busy moment hits each alike
            run = one_run(checkout, args.extra)
            runs[checkout].append(run)
            label = f"{number} {'this' if checkout == ROOT else checkout.name}"
            print(row(label, run), flush=True)
    for checkout in checkouts:
        middle = median_run(runs[checkout])
        name = "this checkout" if checkout == ROOT else str(checkout)
        print(row("median", middle) + f"  ({name})")
        suite = middle["wall"] - middle["waiting"]
        print(
            f"  {name}: median wall time {middle['wall']:.1f} s (target {TARGET_SECONDS:.0f} s); "
            f"{100 * suite / middle['wall']:.0f}% the suite's own, "
            f"{100 * middle['waiting'] / middle['wall']:.0f}% waiting for the server"
        )


if __name__ == "__main__":
    main()
