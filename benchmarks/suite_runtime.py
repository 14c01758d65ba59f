"""Wall time of the default conformance run against the embedded reference server, and how it
splits between the suite and the server.

    python benchmarks/suite_runtime.py [--runs 3] [-- extra pytest arguments]

Each run is the README's command, ``pytest conformance``, in a subprocess (so start-up, the
embedded server's start and the clean-up are included), with a conformance report whose run facts
say how many requests the suite sent and how long it spent inside them. Time inside requests is
time spent waiting for the target (the server plus loopback and the HTTP client); everything else
is the suite's own: pytest, collection, Hypothesis and schemathesis generation, checks, and the
server's start and stop.
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
BUDGET_SECONDS = 60.0


def one_run(extra: list[str]) -> dict:
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
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if done.returncode != 0 or not report.exists():
            tail = (done.stdout + done.stderr)[-3000:]
            raise SystemExit(f"the conformance run failed (exit {done.returncode}):\n{tail}")
        facts = json.loads(report.read_text())["run"]
    return {"wall": wall, "waiting": facts["request_seconds"], "requests": facts["requests"]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="number of runs (default 3)")
    parser.add_argument("extra", nargs="*", help="extra pytest arguments, after --")
    args = parser.parse_args()
    print(f"command: pytest conformance {' '.join(args.extra)}".rstrip())
    columns = ("wall s", "waiting s", "suite s", "suite %", "requests")
    print("run " + " ".join(f"{column:>9}" for column in columns))
    runs = []
    for number in range(1, args.runs + 1):
        run = one_run(args.extra)
        runs.append(run)
        suite = run["wall"] - run["waiting"]
        print(
            f"{number:>3} {run['wall']:9.1f} {run['waiting']:9.1f} {suite:9.1f} "
            f"{100 * suite / run['wall']:8.0f}% {run['requests']:9}",
            flush=True,
        )
    wall = statistics.median(run["wall"] for run in runs)
    waiting = statistics.median(run["waiting"] for run in runs)
    print(
        f"median wall time {wall:.1f} s ({wall / BUDGET_SECONDS:.0%} of the {BUDGET_SECONDS:.0f} s "
        f"budget); {100 * (wall - waiting) / wall:.0f}% in the suite, "
        f"{100 * waiting / wall:.0f}% waiting for the server"
    )


if __name__ == "__main__":
    main()
