"""The ``blocks-conformance`` command: tools around the suite (the suite itself runs under
pytest).

    blocks-conformance matrix [NAME=]REPORT.json ... --out DIR
    blocks-conformance sweep --target-url URL [--blocks-profile NAME] [--dry-run] ...
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import matrix


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="blocks-conformance",
        description="Tools around blocks-conformance runs (run the suite with pytest).",
    )
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    compare = commands.add_parser(
        "matrix",
        help="compare runs: one page with clauses as rows and runs as columns, and a badge per run",
        description="Write DIR/index.html (one table per profile: clauses as rows, runs as "
        "columns with their verdict and level, each cell linking to the run's page at the "
        "clause), each run's HTML page under DIR/runs/ and a shields.io endpoint badge per "
        "run under DIR/badges/.",
    )
    compare.add_argument(
        "reports",
        nargs="+",
        metavar="[NAME=]REPORT.json",
        help="a JSON report written by --blocks-report; NAME= names its column (default: the "
        "target, 'embedded' for the bundled reference server, and the release line)",
    )
    compare.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    compare.set_defaults(handler=write_matrix)
    add_sweep(commands)
    return main


def add_sweep(commands: argparse._SubParsersAction) -> None:
    from . import sweep

    command = commands.add_parser(
        "sweep",
        help="delete what earlier runs left on a target (a run killed before its clean-up)",
        description="List the objects that earlier runs left on the target, those whose name "
        "starts with a run's namespace (conf-<8 hex>-), and delete them as a run's clean-up "
        "does. Nothing else is touched: not other users' objects, not objects whose name "
        "merely contains conf-. Give the target's credentials as to a run (--target-header, "
        "the profile's own options); no value of them is printed. Exit codes: 0 done, 1 some "
        "object could not be deleted, 2 usage error, 4 the target is not usable.",
    )
    sweep.add_arguments(command)
    command.set_defaults(handler=sweep.main)


def write_matrix(arguments: argparse.Namespace) -> int:
    try:
        columns = matrix.write(arguments.reports, arguments.out)
    except matrix.MatrixError as error:
        print(f"blocks-conformance matrix: {error}", file=sys.stderr)
        return 2
    print(f"{arguments.out / 'index.html'}: {len(columns)} runs")
    for column in columns:
        print(f"  {column.name}: {column.report['verdict']} ({arguments.out / column.badge})")
    return 0


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    return arguments.handler(arguments)


if __name__ == "__main__":
    sys.exit(main())
