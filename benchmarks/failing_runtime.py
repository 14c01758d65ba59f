"""Wall time of a default conformance run against a slow target that fails: a broken variant of
the reference server that answers every request the same time late (50 ms by default: a
middleware in front of the app waits that long before passing the request on), beside the same
run against the unbroken server made as slow.

    python benchmarks/failing_runtime.py [--latency 0.05] [--variant NAME] [--seed S]
                                         [--failing-only] [-- extra pytest arguments]

Each run is ``pytest conformance --target-url URL`` in a subprocess of its own, with the seed
given (the same generated cases in every run) and an example database of its own (no earlier
failure is replayed). The table shows the wall time, the exit code, the clauses failed and
blocked, the requests sent, the time the report says went to the generated tests, and whether
any of Hypothesis's own warnings (its health checks, its "PLEASE REPORT THIS") reached the
output. The issue's bound: a failing default run against a target 50 ms away ends within 3
minutes (``--blocks-shrink-seconds`` bounds the time each generated test spends shrinking).
"""

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.servers import ServerProcess  # noqa: E402

BOUND_SECONDS = 180.0
HYPOTHESIS_WORDS = ("PLEASE REPORT THIS", "spent more than five minutes", "FailedHealthCheck")
# a state machine finds it with the default budget, and shrinking it sends many requests
DEFAULT_VARIANT = "keeps_deleted_documents"
UNBROKEN = "reference"


def one_run(url: str, seed: int, extra: list[str], folder: Path) -> dict:
    report = folder / f"report-{time.monotonic_ns()}.json"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "conformance",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--target-url={url}",
        f"--blocks-seed={seed}",
        f"--blocks-example-db={folder / f'examples-{time.monotonic_ns()}'}",
        f"--blocks-report={report}",
        *extra,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    output = done.stdout + done.stderr
    result = {"wall": wall, "exit": done.returncode, "warnings": hypothesis_words(output)}
    result["suite cpu"] = cpu
    if not report.exists():
        raise SystemExit(f"the run wrote no report (exit {done.returncode}):\n{output[-3000:]}")
    facts = json.loads(report.read_text())
    statuses = [entry["status"] for entry in facts["clauses"].values()]
    seconds = facts["run"].get("seconds", {})
    result |= {
        "failed": statuses.count("failed"),
        "blocked": statuses.count("blocked"),
        "requests": facts["run"]["requests"],
        "generated": seconds.get("generated tests", 0.0),
        "clean-up": seconds.get("clean-up", 0.0),
        "verdict": facts["verdict"],
    }
    return result


def hypothesis_words(output: str) -> str:
    found = [words for words in HYPOTHESIS_WORDS if words in output]
    return ", ".join(found) or "none"


def slow(app, latency: float):
    """An ASGI app that waits ``latency`` seconds before each HTTP request reaches ``app``."""

    async def late(scope, receive, send):
        if scope["type"] == "http":
            await asyncio.sleep(latency)
        await app(scope, receive, send)

    return late


def serve_slowly(name: str, latency: float, server_args: list[str]) -> None:
    """The reference server (``name`` "reference") or a broken variant of it, made slow (this
    script run with ``--serve NAME LATENCY`` and the server's options)."""
    from reference_server import __main__ as cli
    from tests.variants import builder

    wrap = (builder(name)() if name != UNBROKEN else None) or (lambda app: app)
    build = cli.create_app
    cli.create_app = lambda *args, **kwargs: slow(wrap(build(*args, **kwargs)), latency)
    cli.main(server_args)


def slow_server(name: str, latency: float, folder: Path) -> ServerProcess:
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", name, str(latency)]
    return ServerProcess(command, folder)


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a running process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(name: str, latency: float, seed: int, extra: list[str], folder: Path) -> dict:
    server = slow_server(name, latency, folder)
    try:
        started = cpu_seconds(server.pid)
        run = one_run(server.url, seed, extra, folder)
        return {**run, "server cpu": cpu_seconds(server.pid) - started}
    finally:
        server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per answer")
    parser.add_argument("--variant", default=DEFAULT_VARIANT, help="the broken variant")
    parser.add_argument("--seed", type=int, default=20261202, help="--blocks-seed of the runs")
    parser.add_argument(
        "--failing-only", action="store_true", help="leave out the run against the unbroken server"
    )
    parser.add_argument("extra", nargs="*", help="extra pytest arguments, after --")
    args = parser.parse_args()
    print(
        f"command: pytest conformance --target-url <the slow server> --blocks-seed {args.seed} "
        f"{' '.join(args.extra)}".rstrip()
    )
    print(f"every answer {args.latency * 1000:.0f} ms late (a middleware in front of the app)")
    header = f"{'server':<26}{'wall s':>8}{'exit':>6}{'failed':>8}{'blocked':>9}{'requests':>10}"
    header += f"{'generated s':>13}{'clean-up s':>12}{'suite cpu s':>13}{'server cpu s':>14}"
    print(f"{header}  hypothesis's words   (load average at the start: {os.getloadavg()[0]:.1f})")
    with tempfile.TemporaryDirectory(prefix="failing-runtime-") as name:
        folder = Path(name)
        servers = [UNBROKEN, args.variant]
        for label in servers[1:] if args.failing_only else servers:
            run = measured(label, args.latency, args.seed, args.extra, folder)
            print(
                f"{label:<26}{run['wall']:8.1f}{run['exit']:6}{run['failed']:8}"
                f"{run['blocked']:9}{run['requests']:10}{run['generated']:13.1f}"
                f"{run['clean-up']:12.1f}{run['suite cpu']:13.1f}{run['server cpu']:14.1f}"
                f"  {run['warnings']}",
                flush=True,
            )
            print(f"  verdict: {run['verdict']}")
    print(f"bound: {BOUND_SECONDS:.0f} s for the failing run")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve_slowly(sys.argv[2], float(sys.argv[3]), sys.argv[4:])
    else:
        main()
