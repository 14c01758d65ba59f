"""Every profile's clause catalogue is well formed and every clause is covered by a test."""

import re
import subprocess
import sys

import pytest

from conformance import profiles
from conformance.clauses import catalogue

from .support import ROOT

PROFILES = profiles.names()


@pytest.mark.parametrize("name", PROFILES)
def test_clause_ids_levels_and_texts_are_well_formed(name):
    profile = profiles.get(name)
    clauses = catalogue(profile)  # raises on duplicates, unknown areas, levels, strengths
    pattern = re.compile(rf"^{profile.catalogue.prefix}-[A-Z]+-[a-z0-9-]+$")
    for clause in clauses.values():
        assert pattern.match(clause.id), clause.id
        assert clause.level in profile.catalogue.level_names, clause.id
        assert clause.text.endswith("."), clause.id


@pytest.mark.parametrize("name", PROFILES)
def test_every_clause_is_covered_by_a_test(name):
    listing = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "conformance",
            f"--blocks-profile={name}",
            "--blocks-list-clauses",
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
        rf"^(\S+)  {name} L\d+ (?:MUST|SHOULD)\n    .+\n(?:    source: .+\n)?    tests: (.+)$",
        listing.stdout,
        re.MULTILINE,
    )
    assert {clause_id for clause_id, _ in entries} == set(catalogue(profiles.get(name)))
    uncovered = [clause_id for clause_id, tests in entries if tests == "none (not covered)"]
    assert uncovered == []
    assert all(".py::test_" in tests for _, tests in entries)
