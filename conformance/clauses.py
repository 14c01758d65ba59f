"""The clause catalogue: every requirement the suite checks, with id, level and strength."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROFILES = ("prefect",)
_HERE = Path(__file__).resolve().parent
AREAS = {
    "API": "api",
    "BT": "block_types",
    "BS": "block_schemas",
    "SYS": "block_schemas",
    "BD": "block_documents",
    "SEQ": "sequences",
    "FLT": "filters",
    "CAP": "filters",
    "SEC": "secrets",
    "NEST": "nested",
    "GEN": "generated",
}
LEVEL_NAMES = {1: "save", 2: "load", 3: "filter", 4: "nested"}


@dataclass(frozen=True)
class Clause:
    id: str
    profile: str
    level: int
    strength: str
    text: str

    @property
    def area(self) -> str:
        return AREAS[self.id.split("-")[1]]


@cache
def catalogue(profile: str) -> dict[str, Clause]:
    raw = tomllib.loads((_HERE / profile / "clauses.toml").read_text())
    clauses = {}
    for entry in raw["clause"]:
        if entry["id"] in clauses:
            raise ValueError(f"duplicate clause id {entry['id']} in the {profile} catalogue")
        if entry["strength"] not in ("MUST", "SHOULD"):
            raise ValueError(f"clause {entry['id']}: strength must be MUST or SHOULD")
        clauses[entry["id"]] = Clause(profile=profile, **entry)
    return clauses


def render_markdown(profile: str, covering: dict[str, list[str]]) -> str:
    """docs/clauses.md: the catalogue with the tests that cover each clause."""
    clauses = catalogue(profile)
    lines = [
        f"# Clause catalogue: {profile} profile",
        "",
        "Generated from `conformance/"
        + profile
        + "/clauses.toml` by `pytest conformance --clauses-doc docs/clauses.md`; "
        "a test fails when this file is stale. A server is *Level N conformant* when every "
        "MUST clause of levels 1 to N passes.",
        "",
    ]
    for level in sorted({clause.level for clause in clauses.values()}):
        members = [clause for clause in clauses.values() if clause.level == level]
        musts = sum(clause.strength == "MUST" for clause in members)
        lines += [
            f"## Level {level}: {LEVEL_NAMES.get(level, '')}",
            "",
            f"{len(members)} clauses, {musts} MUST.",
            "",
            "| clause | strength | requirement | tests |",
            "|---|---|---|---|",
        ]
        for clause in members:
            tests = covering.get(clause.id, [])
            shown = "<br>".join(f"`{test.split('/')[-1]}`" for test in tests) or "**not covered**"
            text = clause.text.replace("|", "\\|")
            lines.append(f"| `{clause.id}` | {clause.strength} | {text} | {shown} |")
        lines.append("")
    return "\n".join(lines)
