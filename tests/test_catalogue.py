"""The clause catalogue is well formed and every clause is covered by at least one test."""

import re
import subprocess
import sys

from conformance.clauses import catalogue

from .conftest import ROOT

CLAUSE_ID = re.compile(r"^PF-[A-Z]+-[a-z0-9-]+$")


def test_clause_ids_levels_and_texts_are_well_formed():
    for clause in catalogue("prefect").values():
        assert CLAUSE_ID.match(clause.id), clause.id
        assert clause.level in (1, 2, 3, 4), clause.id
        assert clause.text.endswith("."), clause.id


def test_every_clause_is_covered_by_a_test():
    listing = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "conformance",
            "--list-clauses",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listing.returncode == 0, listing.stdout + listing.stderr
    entries = re.findall(
        r"^(PF-\S+)  prefect L\d (?:MUST|SHOULD)\n    .+\n    tests: (.+)$",
        listing.stdout,
        re.MULTILINE,
    )
    assert {clause_id for clause_id, _ in entries} == set(catalogue("prefect")), listing.stdout
    uncovered = [clause_id for clause_id, tests in entries if tests == "none (not covered)"]
    assert uncovered == []
    assert all(".py::test_" in tests for _, tests in entries)
