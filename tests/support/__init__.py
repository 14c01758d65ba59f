"""Helpers for testing the suite itself: servers to point it at, a way to run it, the full runs
several tests read, the environment CI provides. Test modules and ``tests/conftest.py`` (which
holds only fixtures) import them from here.

Suite runs and reference servers (unbroken or broken variants) are forked from a warm process
(``forked.py``); servers started from a command (``servers.ServerProcess``) are real
subprocesses, for the tests where that matters (kill -9, other apps).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
REAL_EXPECTED_FAILURES = ROOT / "fixtures" / "expected-failures" / "prefect-3.8.8.txt"
# every ground-truth release's ledger
LEDGERS = sorted((ROOT / "fixtures" / "expected-failures").glob("prefect-*.txt"))
