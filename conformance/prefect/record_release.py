"""Make a Prefect release a ground truth of the suite, with one command::

    python -m conformance.prefect.record_release --python PREFECT_VENV/bin/python

It starts that virtualenv's real server (``prefect server start``, a temporary PREFECT_HOME, a
free loopback port) and records, for its release:

- the system blocks the reference server plays for it
  (``reference_server/prefect/releases/<version>.json.gz``);
- the client's journeys (``fixtures/prefect/journeys-<version>.json``);
- the ledger: every clause the real server fails, pinned to the failure it shows
  (``fixtures/expected-failures/prefect-<version>.txt``, unless one exists: its reasons were
  reviewed); a MUST clause it fails stops the recording, since the ground truth failing a MUST
  clause means the clause is wrong;
- the differential transcript (``fixtures/differential/prefect-<version>.jsonl.gz``, seed
  20261123, 10 examples), and an ignore file beside it, copied from the newest known release's
  for review;
- its place in the timeline, ``fixtures/prefect/releases.toml``: a ground truth (its line extended
  to it when it is newer than the newest known). The timeline must already predict the
  checksum its client computes for Secret; a new one stops the recording, to be placed first
  (``python -m conformance.prefect.bisect``).

Run it from a checkout (it writes into it), then review the diff.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .. import fixtures_dir
from . import releases
from .client_journeys import clean_environment, prefect_version, record
from .real_servers import real_server, suite_command

EXAMPLES = 10
SECRET_CHECKSUM = (
    "from prefect.blocks.system import Secret; print(Secret._calculate_schema_checksum())"
)


def suite_run(url: str, version: str, report: Path, record_to: Path) -> int:
    """The suite against the real server, recording every exchange (no xdist: a transcript
    comes from one run in one namespace). Without the client's journeys (recorded just before):
    their objects would be in the lists the transcript holds, and differential runs, which
    replay it, run no journeys."""
    command = suite_command(
        url,
        version,
        report,
        f"--blocks-examples={EXAMPLES}",
        f"--blocks-record-exchanges={record_to}",
    )
    return subprocess.run(command, cwd=Path(__file__).resolve().parents[2]).returncode


def pins_of(message: str) -> list[str]:
    """What a ledger entry pins of a failure: its requirement and what the server did."""
    lines = [line.strip() for line in message.splitlines()]
    requirement = next((line for line in lines if line.startswith("E   conformance")), "")
    requirement = requirement.split("] ", 1)[-1] if "] " in requirement else ""
    did = next((line for line in lines if line.startswith("E     server did:")), "")
    did = did.removeprefix("E     server did:").strip()
    return [text[:60].replace('"', '\\"') for text in (requirement, did) if text]


def ledger_of(report: dict, version: str) -> str:
    """The ledger of a real server's run: its failed clauses, each pinned; a failed MUST
    clause is an error of the suite."""
    musts = [
        clause
        for clause, entry in report["clauses"].items()
        if entry["status"] == "failed" and entry["strength"] == "MUST"
    ]
    if musts:
        raise SystemExit(
            f"prefect {version} fails MUST clauses {musts}: the ground truth decides, so those "
            "clauses are wrong (make them accept what it does, or SHOULD naming its bug)"
        )
    lines = [
        f"# Clauses the real Prefect {version} server fails: bugs of the ground truth, encoded "
        "as SHOULD",
        "# clauses. Recorded by python -m conformance.prefect.record_release; review the reasons.",
    ]
    for clause, entry in report["clauses"].items():
        if entry["status"] != "failed":
            continue
        pins = "".join(f'  expect="{pin}"' for pin in pins_of(entry.get("first_failure") or ""))
        lines.append(f"{clause}{pins}  # fails on the real {version} server")
    return "\n".join(lines) + "\n"


def add_to_timeline(version: str, checksum: str) -> None:
    """The release as a ground truth of the timeline (its line extended to it if it is newer
    than the line's newest known release). The timeline must already predict the release's
    Secret checksum: a new one is a change to place by running releases."""
    table = fixtures_dir() / releases.TABLE
    text = table.read_text()
    line = releases.line_of(version)
    known = releases.timeline().lines.get(line)
    if known is None:
        text = text.replace("\n[[install]]", f'"{line}" = "{version}"\n\n[[install]]', 1)
    elif releases.version_key(known) < releases.version_key(version):
        text = text.replace(f'"{line}" = "{known}"', f'"{line}" = "{version}"')
    if f'version = "{version}"' not in text:
        entry = f'[[ground_truth]]\nversion = "{version}"\nlevel = 5\n\n'
        text = text.replace("[[ground_truth]]", entry + "[[ground_truth]]", 1)
    table.write_text(text)
    releases.timeline.cache_clear()
    predicted = releases.named(version).secret_schema_checksum
    if predicted != checksum:
        raise SystemExit(
            f"prefect {version}'s client computes {checksum} for Secret, the timeline predicts "
            f"{predicted}: find where it changed (python -m conformance.prefect.bisect "
            "PF-SYS-secret-schema --named " + version + ") and add that change to "
            f"{table}, then record again"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", required=True, help="a virtualenv's python with prefect")
    arguments = parser.parse_args(argv)
    python = arguments.python
    version = prefect_version(python)
    if version is None:
        raise SystemExit(f"{python} has no prefect installed")
    found = subprocess.run(
        [python, "-c", SECRET_CHECKSUM], capture_output=True, text=True, env=clean_environment()
    )
    add_to_timeline(version, found.stdout.strip().splitlines()[-1])
    release = releases.named(version)
    with tempfile.TemporaryDirectory() as folder, real_server(python) as server:
        # the reference server's own command records what it plays (the suite never imports it)
        capture = [sys.executable, "-m", "reference_server.prefect.system_blocks", server.url]
        subprocess.run(capture, check=True)
        record(python, server.url, {})
        report_path, exchanges = Path(folder) / "report.json", Path(folder) / "exchanges.jsonl"
        suite_run(server.url, version, report_path, exchanges)
        report = json.loads(report_path.read_text())
        ledger = release.fixture("ledger")
        recorded = ledger_of(report, version)  # stops here if the release fails a MUST clause
        if ledger.exists():
            print(f"{ledger} kept (its reasons are reviewed); this run's:\n{recorded}")
        else:
            ledger.write_text(recorded)
        with exchanges.open("rb") as source, gzip.open(release.fixture("transcript"), "wb") as out:
            shutil.copyfileobj(source, out)
    ignore = release.fixture("ignore")
    newest = releases.ground_truth()[0]
    if not ignore.exists() and newest.fixture("ignore").exists():
        text = newest.fixture("ignore").read_text().replace(newest.version, version)
        ignore.write_text(text)
    print(f"recorded prefect {version}: review git diff", file=sys.stderr)


if __name__ == "__main__":
    main()
