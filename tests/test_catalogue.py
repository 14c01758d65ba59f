"""Every profile's clause catalogue is well formed and every clause is covered by a test."""

import re
import subprocess
import sys

import pytest

from conformance import profiles
from conformance.clauses import Clause, catalogue

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


def must_clauses_without_a_source(clauses) -> list[str]:
    """The MUST clauses whose source is missing or blank."""
    return [
        clause.id
        for clause in clauses
        if clause.strength == "MUST" and not (clause.source or "").strip()
    ]


@pytest.mark.parametrize("name", PROFILES)
def test_every_must_clause_names_what_relies_on_it(name):
    """A MUST clause asks for what a client or a user relies on, and its source says which:
    the client, CLI or UI code that reads it, or the effect a user sees (the documents' words
    for Kragle and Peak Press)."""
    missing = must_clauses_without_a_source(catalogue(profiles.get(name)).values())
    assert missing == [], f"MUST clauses of {name} without a source: {missing}"


def test_a_must_clause_without_a_source_is_refused():
    common = {"profile": "prefect", "level": 1, "text": "A sentence.", "area": "API"}
    clauses = [
        Clause(id="PF-API-sourced", strength="MUST", source="client.py reads it", **common),
        Clause(id="PF-API-bare", strength="MUST", **common),
        Clause(id="PF-API-blank", strength="MUST", source="  ", **common),
        Clause(id="PF-API-fidelity", strength="SHOULD", **common),
    ]
    assert must_clauses_without_a_source(clauses) == ["PF-API-bare", "PF-API-blank"]
