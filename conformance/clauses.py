"""The clause catalogue: every requirement the suite checks, with id, level and strength."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROFILES = ("prefect",)
_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Clause:
    id: str
    profile: str
    level: int
    strength: str
    text: str


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
