"""The clause catalogue of a profile: every requirement the suite checks, with id, level and
strength, read from the profile's ``clauses.toml`` and checked as it is read.

``Catalogue`` is the part of a ``Profile`` this module reads (and the selection of tests, the
markers and the reports through it): where the profile's tests and ``clauses.toml`` are, the
prefix of its clause ids, its areas and its levels.
"""

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

STRENGTHS = ("MUST", "SHOULD")
FIELDS = {"id", "level", "strength", "text"}
# no_variant: why no broken server can fail this clause alone; source: the words of the
# documents (or the real servers' behaviour) the clause rests on
OPTIONAL_FIELDS = {"no_variant", "source"}


def as_catalogued(clauses: dict, settings: Any) -> dict:
    return clauses


@dataclass(frozen=True)
class Catalogue:
    """A profile's clauses and tests, read when a run collects its tests (markers, selection)
    and writes its reports. ``prefix``: every clause id starts with "<prefix>-". ``folder``: the
    profile's test modules and ``clauses.toml``. ``areas``: area code in clause ids -> marker
    name. ``level_names``: each level's name. ``adjust(clauses, settings)``: the catalogue as
    a run sees it (a Prefect release's own bugs made SHOULD for its runs)."""

    prefix: str
    folder: Path
    areas: Mapping[str, str]
    level_names: Mapping[int, str]
    adjust: Callable[[dict, Any], dict] = as_catalogued

    @property
    def path(self) -> Path:
        return self.folder / "clauses.toml"


class Catalogued(Protocol):
    """What has a catalogue: a profile (its name and its ``Catalogue``)."""

    name: str
    catalogue: Catalogue


@dataclass(frozen=True)
class Clause:
    id: str
    profile: str
    level: int
    strength: str
    text: str
    area: str  # the marker of the clause's area
    no_variant: str | None = None
    source: str | None = None


class CatalogueError(ValueError):
    """A catalogue entry the suite cannot use; the message names the file and line."""


def _line_of(text: str, clause_id: object, occurrence: int = 0) -> int:
    """The line of the ``id = "..."`` entry (its ``occurrence``-th one), 1-based."""
    pattern = re.compile(rf'^\s*id\s*=\s*"{re.escape(str(clause_id))}"', re.MULTILINE)
    matches = list(pattern.finditer(text))
    if not matches:
        return 0
    match = matches[min(occurrence, len(matches) - 1)]
    return text.count("\n", 0, match.start()) + 1


def _problem(entry: dict, part: Catalogue, known: dict) -> str | None:
    if not FIELDS <= set(entry) <= FIELDS | OPTIONAL_FIELDS:
        optional = " and ".join(sorted(OPTIONAL_FIELDS))
        return f"keys must be {sorted(FIELDS)} (and optionally {optional}), got {sorted(entry)}"
    clause_id = entry["id"]
    prefix = f"{part.prefix}-"
    if not isinstance(clause_id, str) or not clause_id.startswith(prefix):
        return f"clause id {clause_id!r} must start with {prefix!r}"
    if clause_id in known:
        return f"duplicate clause id {clause_id}"
    area = clause_id.split("-")[1] if clause_id.count("-") >= 2 else ""
    if area not in part.areas:
        return f"clause {clause_id}: unknown area code {area!r} (known: {', '.join(part.areas)})"
    if entry["level"] not in part.level_names:
        known_levels = ", ".join(str(level) for level in sorted(part.level_names))
        return f"clause {clause_id}: unknown level {entry['level']!r} (known: {known_levels})"
    if entry["strength"] not in STRENGTHS:
        return f"clause {clause_id}: strength {entry['strength']!r} must be MUST or SHOULD"
    if not isinstance(entry["text"], str) or not entry["text"].strip():
        return f"clause {clause_id}: text must be a sentence"
    return None


@cache
def catalogue(profile: Catalogued) -> dict[str, Clause]:
    """The profile's clauses by id, in catalogue order; CatalogueError for a bad entry."""
    part = profile.catalogue
    path = part.path
    text = path.read_text()
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{path}: {error}") from error
    clauses: dict[str, Clause] = {}
    seen: dict[object, int] = {}
    for entry in raw.get("clause", []):
        clause_id = entry.get("id")
        occurrence = seen.get(clause_id, 0)
        seen[clause_id] = occurrence + 1
        problem = _problem(entry, part, clauses)
        if problem:
            raise CatalogueError(f"{path}:{_line_of(text, clause_id, occurrence)}: {problem}")
        area = part.areas[clause_id.split("-")[1]]
        clauses[clause_id] = Clause(profile=profile.name, area=area, **entry)
    if not clauses:
        raise CatalogueError(f"{path}: no [[clause]] entries")
    return clauses


def header(clause: Clause) -> str:
    """How a failure of a test names its clause: id, strength and the catalogue's sentence."""
    return f"[{clause.id} {clause.strength}] {clause.text}"


def render_markdown(profile: Catalogued, covering: dict[str, list[str]]) -> str:
    """The catalogue as Markdown (``docs/clauses/<profile>.md``) with the tests that cover
    each clause."""
    clauses = catalogue(profile)
    folder = profile.catalogue.folder
    lines = [
        f"# Clause catalogue: {profile.name} profile",
        "",
        f"Generated from `{folder.parent.name}/{folder.name}/clauses.toml`"
        f" by `pytest conformance --blocks-profile {profile.name} --blocks-clauses-doc PATH`; "
        "a test fails "
        "when this file is stale. A server is *Level N conformant* when every MUST clause of "
        "levels 1 to N passes.",
        "",
    ]
    for level in sorted({clause.level for clause in clauses.values()}):
        members = [clause for clause in clauses.values() if clause.level == level]
        musts = sum(clause.strength == "MUST" for clause in members)
        lines += [
            f"## Level {level}: {profile.catalogue.level_names.get(level, '')}",
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
            if clause.source:
                text += "<br>*Source:* " + clause.source.replace("|", "\\|")
            lines.append(f"| `{clause.id}` | {clause.strength} | {text} | {shown} |")
        lines.append("")
    return "\n".join(lines)
