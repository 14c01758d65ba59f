"""The ``blocks-conformance`` command: tools around the suite's reports (the suite itself runs
under pytest).

    blocks-conformance matrix [NAME=]REPORT.json ... --out DIR
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import matrix


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="blocks-conformance",
        description="Tools around blocks-conformance reports (run the suite with pytest).",
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
    return main


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        columns = matrix.write(arguments.reports, arguments.out)
    except matrix.MatrixError as error:
        print(f"blocks-conformance matrix: {error}", file=sys.stderr)
        return 2
    print(f"{arguments.out / 'index.html'}: {len(columns)} runs")
    for column in columns:
        print(f"  {column.name}: {column.report['verdict']} ({arguments.out / column.badge})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
