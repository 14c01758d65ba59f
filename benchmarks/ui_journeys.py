"""Wall time of the UI journeys (PF-JRN-ui-*), one run per client release and UI, side by side
with the client's own journeys (PF-JRN-secret and the others) of the same release.

    python benchmarks/ui_journeys.py --python PREFECT_VENV/bin/python [--python ...] \\
        [--ui v1 --ui v2] [--runs 2] [--target-url URL]

Each run is ``pytest conformance --blocks-clause PF-JRN-ui-*`` (or the client's journeys) in a
subprocess of its own, against the embedded reference server unless --target-url names a
server, so the interpreter's start, the browser's, the client's and the clean-up are included.
The runs of one round are interleaved (client journeys, then each UI), so the machine's state is
the same for all of them. The target (issue 35): a UI journey run takes at most 60 s on 2 cores.
Nothing is asserted: the figures go into benchmarks/README.md.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0


def one_run(python: str, ui: str | None, target: list[str]) -> tuple[float, str]:
    """One run's wall time and its last line ("7 passed in ..."): the UI journeys of one UI,
    or (``ui`` None) the client's own journeys."""
    if ui is None:
        selection = ["conformance/prefect/test_journeys.py", "--blocks-clause=PF-JRN-*"]
    else:
        selection = [
            "conformance/prefect/test_ui_journeys.py",
            "--blocks-clause=PF-JRN-ui-*",
            f"--blocks-prefect-ui={ui}",
        ]
    command = [
        sys.executable,
        "-m",
        "pytest",
        *selection,
        "-q",
        "-p",
        "no:cacheprovider",
        f"--blocks-prefect-python={python}",
        *target,
    ]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    last = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    if done.returncode != 0:
        raise SystemExit(f"the run failed (exit {done.returncode}):\n{done.stdout[-3000:]}")
    return wall, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", action="append", required=True, help="a Python with prefect")
    parser.add_argument("--ui", action="append", choices=("v1", "v2"), help="default: both")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--target-url", help="a server (default: the embedded reference server)")
    arguments = parser.parse_args()
    uis = arguments.ui or ["v1", "v2"]
    target = [f"--target-url={arguments.target_url}"] if arguments.target_url else []
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start")
    print(f"{'round':>5} {'client':<40} {'journeys':<9} {'seconds':>8}  {'x client':>8}  result")
    walls: dict[tuple[str, str], list[float]] = {}
    for round_ in range(1, arguments.runs + 1):
        for python in arguments.python:
            client, _ = one_run(python, None, target)
            walls.setdefault((python, "client"), []).append(client)
            print(f"{round_:>5} {python:<40} {'client':<9} {client:8.1f}  {1.0:8.2f}")
            for ui in uis:
                wall, last = one_run(python, ui, target)
                walls.setdefault((python, ui), []).append(wall)
                print(
                    f"{round_:>5} {python:<40} {'UI ' + ui:<9} {wall:8.1f}  "
                    f"{wall / client:8.2f}  {last}"
                )
    print(f"load average {os.getloadavg()[0]:.1f} at the end; medians:")
    for (python, kind), values in walls.items():
        median = statistics.median(values)
        verdict = (
            ""
            if kind == "client"
            else ("ok" if median <= TARGET_SECONDS else f"OVER {TARGET_SECONDS:.0f} s")
        )
        print(f"  {python:<40} {kind:<7} {median:6.1f} s  {verdict}")


if __name__ == "__main__":
    main()
