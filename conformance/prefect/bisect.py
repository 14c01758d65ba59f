"""Find, by running real releases, the first Prefect release where a clause's outcome changes::

    python -m conformance.prefect.bisect PF-API-malformed-uuid-route [--from 3.0.0] [--to 3.9.1]

Each release probed is installed from the package index into a cached virtualenv
(``$BLOCKS_PREFECT_VENVS``, else ``~/.cache/blocks-conformance/prefect``, with the pins
``fixtures/prefect/releases.toml`` names), its server started on SQLite with a temporary
PREFECT_HOME, and the clause's tests run against it. Every probe names the same release to the
suite (``--named``, default the newest known), so the clause asks the same question of each and
its outcome changes where the behaviour does; ``--named each`` names every probe as itself,
which checks the timeline instead: a change of outcome then means the timeline misplaces a fact.
The search assumes one change in the range; the probes it made are printed, so a second change
shows as an outcome that disagrees with its neighbours.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .real_servers import add_cache_option, run_release
from .releases import timeline


@dataclass(frozen=True)
class Outcome:
    status: str  # the clause's status in the report: passed, failed, ...
    detail: str  # what the server did, for the first failure

    def __str__(self) -> str:
        return f"{self.status}{f' ({self.detail})' if self.detail else ''}"


def server_did(report: dict, clause: str) -> str:
    entry = report["clauses"].get(clause)
    if entry is None:
        raise SystemExit(f"the report has no clause {clause}")
    for line in (entry.get("first_failure") or "").splitlines():
        if "server did:" in line:
            return line.split("server did:", 1)[1].strip()[:120]
    return ""


def probe(version: str, clause: str, as_named: str, cache: Path, examples: int) -> Outcome:
    """The clause's outcome against the real server of ``version``."""
    report = run_release(
        version, as_named, cache, f"--blocks-clause={clause}", f"--blocks-examples={examples}"
    )
    status = report["clauses"][clause]["status"] if clause in report["clauses"] else "missing"
    return Outcome(status, server_did(report, clause))


def first_change(
    versions: list[str], outcome_of: Callable[[str], Outcome]
) -> tuple[str, dict[str, Outcome]] | tuple[None, dict[str, Outcome]]:
    """The first version whose outcome differs from the first version's, by bisection (one
    change assumed), and every outcome seen."""
    seen: dict[str, Outcome] = {}

    def status(version: str) -> str:
        if version not in seen:
            seen[version] = outcome_of(version)
        return seen[version].status

    low, high = 0, len(versions) - 1
    if status(versions[low]) == status(versions[high]):
        return None, seen
    while high - low > 1:
        middle = (low + high) // 2
        if status(versions[middle]) == status(versions[low]):
            low = middle
        else:
            high = middle
    return versions[high], seen


def main(argv: list[str] | None = None) -> None:
    known = timeline()
    parser = argparse.ArgumentParser(
        prog="python -m conformance.prefect.bisect",
        description="Find the first real Prefect release where a clause's outcome changes.",
    )
    parser.add_argument("clause", help="a clause id, e.g. PF-API-malformed-uuid-route")
    parser.add_argument("--from", dest="first", default=known.first, help="oldest release")
    parser.add_argument("--to", dest="last", default=known.newest, help="newest release")
    parser.add_argument(
        "--named",
        default=known.newest,
        help="the release every probe is named as (--blocks-prefect-release), or 'each' for "
        f"the probed release itself (default {known.newest})",
    )
    parser.add_argument("--examples", type=int, default=5, help="generated cases per test")
    add_cache_option(parser)
    arguments = parser.parse_args(argv)
    versions = known.versions()
    first, last = known.resolve(arguments.first), known.resolve(arguments.last)
    span = versions[versions.index(first) : versions.index(last) + 1]

    def outcome_of(version: str) -> Outcome:
        as_named = version if arguments.named == "each" else arguments.named
        outcome = probe(version, arguments.clause, as_named, arguments.cache, arguments.examples)
        print(f"  {version} (named {as_named}): {outcome}", flush=True)
        return outcome

    print(f"{arguments.clause} from {first} to {last} ({len(span)} releases)", flush=True)
    found, seen = first_change(span, outcome_of)
    if found is None:
        print(f"no change: {first} and {last} are both {seen[first].status}")
        return
    before = span[span.index(found) - 1]
    print(f"{arguments.clause} changes at {found}: {before} {seen[before]}; {found} {seen[found]}")


if __name__ == "__main__":
    main()
