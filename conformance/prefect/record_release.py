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
- its line in ``fixtures/prefect/releases.toml`` (the checksum its client computes for Secret).

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
import time
from pathlib import Path

import httpx

from .. import fixtures_dir
from ..embedded import free_port
from . import releases
from .client_journeys import clean_environment, prefect_version, record

SEED = 20261123
EXAMPLES = 10
START_TIMEOUT = 240.0
SECRET_CHECKSUM = (
    "from prefect.blocks.system import Secret; print(Secret._calculate_schema_checksum())"
)


def start_server(python: str, home: Path) -> tuple[subprocess.Popen, str]:
    """The virtualenv's real Prefect server on a free loopback port, healthy."""
    port = free_port()
    prefect = Path(python).with_name("prefect")
    environment = {
        **clean_environment(),
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    log = (home / "server.log").open("w")
    command = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the real server exited:\n{(home / 'server.log').read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit(f"the real server did not answer {url}/health in {START_TIMEOUT:.0f} s")


def suite_run(url: str, line: str, report: Path, record_to: Path) -> int:
    """The suite against the real server, recording every exchange (no xdist: a transcript
    comes from one run in one namespace). Without the client's journeys (recorded just before):
    their objects would be in the lists the transcript holds, and differential runs, which
    replay it, run no journeys."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "conformance",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--target-url={url}",
        f"--blocks-prefect-release={line}",
        f"--blocks-seed={SEED}",
        f"--blocks-examples={EXAMPLES}",
        "--blocks-example-db=:memory:",  # no saved failure replayed into the transcript
        f"--blocks-report={report}",
        f"--blocks-record-exchanges={record_to}",
    ]
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


def add_to_table(line: str, version: str, checksum: str) -> None:
    table = fixtures_dir() / releases.TABLE
    text = table.read_text()
    if f'version = "{version}"' in text:
        return
    text += (
        f'\n[[release]]\nline = "{line}"\nversion = "{version}"\n'
        f'secret_schema_checksum = "{checksum}"\nlevel = 5\n'
    )
    table.write_text(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", required=True, help="a virtualenv's python with prefect")
    arguments = parser.parse_args(argv)
    python = arguments.python
    version = prefect_version(python)
    if version is None:
        raise SystemExit(f"{python} has no prefect installed")
    line = ".".join(version.split(".")[:2])
    found = subprocess.run(
        [python, "-c", SECRET_CHECKSUM], capture_output=True, text=True, env=clean_environment()
    )
    checksum = found.stdout.strip().splitlines()[-1]
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        server, url = start_server(python, home)
        try:
            from reference_server.prefect.system_blocks import main as capture

            capture(url)
            record(python, url, {})
            add_to_table(line, version, checksum)
            releases.table.cache_clear()
            report_path, exchanges = home / "report.json", home / "exchanges.jsonl"
            suite_run(url, line, report_path, exchanges)
            report = json.loads(report_path.read_text())
        finally:
            server.kill()
            server.wait()
        release = releases.named(line)
        ledger = release.fixture("ledger")
        recorded = ledger_of(report, version)  # stops here if the release fails a MUST clause
        if ledger.exists():
            print(f"{ledger} kept (its reasons are reviewed); this run's:\n{recorded}")
        else:
            ledger.write_text(recorded)
        with exchanges.open("rb") as source, gzip.open(release.fixture("transcript"), "wb") as out:
            shutil.copyfileobj(source, out)
    ignore = release.fixture("ignore")
    newest = releases.newest()
    if not ignore.exists() and newest.fixture("ignore").exists():
        text = newest.fixture("ignore").read_text().replace(newest.version, version)
        ignore.write_text(text)
    print(f"recorded prefect {version} (line {line}): review git diff", file=sys.stderr)


if __name__ == "__main__":
    main()
