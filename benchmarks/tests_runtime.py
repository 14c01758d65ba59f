"""How long the project's own tests take, and what the forked runner saves.

    python benchmarks/tests_runtime.py            # variants side by side: forked vs spawned
    python benchmarks/tests_runtime.py --full     # and the whole `pytest tests`, against 5 min

Side by side, in one run: a sample of broken variants, each run twice as tests/test_variants.py
runs it: once forked from the warm forkserver (tests/support/forked.py: the server and the suite run
each a forked process), once spawned as fresh ``python`` processes (``python -m tests.variants``
and ``python -m pytest``), as the tests did before. ``--full`` then times README command 2
(``pytest tests -n auto --dist loadgroup``) in a subprocess with the environment as given (set
BLOCKS_REAL_TARGET_URL, PREFECT_PYTHON, PEAK_PYTHON and PEAK_PYTHON_OLD to include what CI
includes) and prints it against the budget.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

from tests.support.servers import variant_server  # noqa: E402
from tests.test_variants import run_against, variant_args, variant_suite  # noqa: E402
from tests.variants import all_variants  # noqa: E402

BUDGET = 5 * 60  # issue 30: at most 5 minutes on 2 cores


def sample(count: int) -> list:
    """``count`` variants spread over the profiles, none needing an outside client."""
    usable = [variant for variant in all_variants() if not variant.needs]
    step = max(1, len(usable) // count)
    return usable[::step][:count]


def forked(variant, folder: Path) -> tuple[float, int]:
    started = time.perf_counter()
    server = variant_server(variant.name, folder)
    try:
        run = run_against(variant, server, folder)
    finally:
        server.kill()  # as the tests do
    return time.perf_counter() - started, run.returncode


def spawned(variant, folder: Path) -> tuple[float, int]:
    started = time.perf_counter()
    server = variant_server(
        variant.name, folder, [sys.executable, "-m", "tests.variants", variant.name]
    )
    try:
        argv = [sys.executable, "-m", "pytest", *map(str, variant_suite(variant)), "-q"]
        argv += ["-p", "no:cacheprovider", *variant_args(variant, server)]
        run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
    finally:
        server.kill()  # as the tests do
    return time.perf_counter() - started, run.returncode


def side_by_side(count: int) -> None:
    print(f"{'variant':<52} {'forked':>8} {'spawned':>8} {'ratio':>6}")
    totals = [0.0, 0.0]
    with tempfile.TemporaryDirectory() as folder:
        for variant in sample(count):
            fork_time, fork_code = forked(variant, Path(folder))
            spawn_time, spawn_code = spawned(variant, Path(folder))
            same = "" if fork_code == spawn_code else f"  (exit {fork_code} vs {spawn_code}!)"
            totals[0] += fork_time
            totals[1] += spawn_time
            print(
                f"{variant.test_id[:52]:<52} {fork_time:7.2f}s {spawn_time:7.2f}s "
                f"{spawn_time / fork_time:5.1f}x{same}"
            )
    print(
        f"{'total':<52} {totals[0]:7.2f}s {totals[1]:7.2f}s {totals[1] / totals[0]:5.1f}x"
        f"   ({len(all_variants())} variants registered)"
    )


def full_run() -> None:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "tests", "-n", "auto", "--dist", "loadgroup", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    last = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "(no output)"
    counted = re.sub(r"=+", "", last).strip()
    print(
        f"pytest tests: {seconds:.0f} s ({seconds / 60:.1f} min), exit {run.returncode}: {counted}"
    )
    print(f"budget: {BUDGET} s; used {seconds / BUDGET:.0%} of it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=6, help="variants run both ways")
    parser.add_argument("--full", action="store_true", help="also time `pytest tests`")
    options = parser.parse_args()
    side_by_side(options.variants)
    if options.full:
        full_run()


if __name__ == "__main__":
    main()
