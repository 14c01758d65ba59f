"""Record what real releases do, for the timeline to be checked against::

    python -m conformance.prefect.verify 3.0.11 3.1.15 ... [--level 4] [--examples 10]

Each release is installed from the package index into a cached virtualenv (as ``bisect`` does),
its server started on SQLite with a temporary PREFECT_HOME, and the whole suite run against it
up to ``--level``, named as that release and without a ledger, so that every bug of the real
server shows as the failure it is. The JSON report is kept, gzipped, as
``fixtures/prefect/verified/prefect-<version>.json.gz``; ``tests/test_timeline.py`` checks that
``fixtures/prefect/releases.toml`` predicts each one: no MUST clause failed, and the SHOULD
clauses that failed are the release's bugs.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from .. import fixtures_dir
from .real_servers import add_cache_option, run_release
from .releases import timeline

VERIFIED = Path("prefect", "verified")


def verified_path(version: str) -> Path:
    return fixtures_dir() / VERIFIED / f"prefect-{version}.json.gz"


def recorded() -> dict[str, dict]:
    """The recorded reports, by release."""
    found = {}
    for path in sorted((fixtures_dir() / VERIFIED).glob("prefect-*.json.gz")):
        version = path.name.removeprefix("prefect-").removesuffix(".json.gz")
        with gzip.open(path, "rt") as handle:
            found[version] = json.load(handle)
    return found


def failed(report: dict) -> dict[str, str]:
    """The clauses a report says failed, with their strength."""
    return {
        clause: entry["strength"]
        for clause, entry in report["clauses"].items()
        if entry["status"] in ("failed", "expected failure")
    }


def verify(version: str, level: int, examples: int, cache: Path) -> dict:
    report = run_release(
        version, version, cache, f"--blocks-level={level}", f"--blocks-examples={examples}"
    )
    path = verified_path(version)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=1, sort_keys=True) + "\n"
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as handle:
        handle.write(text.encode())
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m conformance.prefect.verify",
        description="Run the suite against real Prefect releases and keep their reports.",
    )
    parser.add_argument("versions", nargs="+", help="releases (3.4.7) or lines (3.6)")
    parser.add_argument("--level", type=int, default=4, help="levels 1 to N (default 4)")
    parser.add_argument("--examples", type=int, default=10, help="generated cases per test")
    add_cache_option(parser)
    arguments = parser.parse_args(argv)
    for name in arguments.versions:
        version = timeline().resolve(name)
        report = verify(version, arguments.level, arguments.examples, arguments.cache)
        bugs = ", ".join(f"{c} ({s})" for c, s in failed(report).items()) or "none"
        print(f"{version}: {report['verdict']}; failed: {bugs}", flush=True)


if __name__ == "__main__":
    main()
