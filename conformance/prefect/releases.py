"""The Prefect releases the suite knows, as a timeline read from
``fixtures/prefect/releases.toml``: every 3.x release from 3.0.0 to the newest known, the pins
each needs to install today, and each behaviour of the blocks API that changed between them,
with the first release that has it. A run names a line (``3.6``: its newest known release) or
a release (``3.4.7``) with ``--blocks-prefect-release``; the clauses take what the timeline says
of it. The ground-truth releases (those CI runs live) also have their own ledger, differential
transcript, ignore file and client expectation, named after their version under ``fixtures/``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from packaging.version import Version

from .. import fixtures_dir

if TYPE_CHECKING:
    from ..clauses import Clause
    from ..options import Settings

TABLE = Path("prefect", "releases.toml")
OPTION = "blocks_prefect_release"
FIXTURES = {
    "ledger": "expected-failures/prefect-{version}.txt",
    "transcript": "differential/prefect-{version}.jsonl.gz",
    "ignore": "differential/prefect-{version}-ignore.txt",
    "journeys": "prefect/journeys-{version}.json",
}


def version_key(version: str) -> Version:
    """A release as it sorts and compares (3.10.0 after 3.9.1)."""
    return Version(version)


def line_of(version: str) -> str:
    return ".".join(version.split(".")[:2])


class UnknownRelease(ValueError):
    """A name that is neither a known line nor a known release."""


@dataclass(frozen=True)
class Release:
    """One real release as the timeline describes it."""

    version: str  # 3.6.29
    facts: Mapping[str, Any]  # what its blocks API does where releases differ
    bugs: Mapping[str, str]  # clause -> the bug its real server has (SHOULD for its runs)
    pins: tuple[str, ...] = ()  # what pip needs beside prefect==version today
    level: int | None = None  # a ground truth: the level CI holds its real server to
    named: str = ""  # what the run named (a line or the version)

    @property
    def line(self) -> str:
        return line_of(self.version)

    @property
    def secret_schema_checksum(self) -> str:
        return self.facts["secret_schema_checksum"]

    def fact(self, name: str) -> Any:
        return self.facts[name]

    @property
    def is_ground_truth(self) -> bool:
        return self.level is not None

    def fixture(self, kind: str) -> Path:
        """The release's own file of ``kind``: ledger, transcript, ignore or journeys."""
        return fixtures_dir() / FIXTURES[kind].format(version=self.version)

    @property
    def described(self) -> str:
        notes = [f"named {self.named}"] if self.named not in ("", self.version) else []
        notes += ["a ground truth"] if self.is_ground_truth else []
        return self.version + (f" ({', '.join(notes)})" if notes else "")

    @property
    def install_requirements(self) -> list[str]:
        """What ``pip install`` takes to install this release's server and client today."""
        return [f"prefect=={self.version}", *self.pins]


@dataclass(frozen=True)
class Change:
    """One step of the timeline: from ``since`` on, ``sets`` these facts, ``breaks`` these
    clauses (a bug appears) and ``fixes`` those (it is gone)."""

    since: str
    what: str
    sets: Mapping[str, Any] = field(default_factory=dict)
    breaks: Mapping[str, str] = field(default_factory=dict)
    fixes: tuple[str, ...] = ()
    source: str = ""
    found: str = ""


@dataclass(frozen=True)
class Timeline:
    lines: Mapping[str, str]  # line -> its newest known release
    changes: tuple[Change, ...]  # oldest first; the first holds the state of the first release
    pins: tuple[tuple[str, tuple[str, ...]], ...]  # (since, pins), oldest first
    ground_truth: Mapping[str, int]  # version -> level CI holds its real server to
    intermittent: frozenset[str] = frozenset()  # bugs that show in some runs only

    def versions(self) -> list[str]:
        """Every known release, oldest first."""
        found = []
        for line, newest in sorted(self.lines.items(), key=lambda item: version_key(item[0])):
            patches = version_key(newest).micro
            found += [f"{line}.{patch}" for patch in range(patches + 1)]
        return found

    @property
    def first(self) -> str:
        return self.versions()[0]

    @property
    def newest(self) -> str:
        return self.versions()[-1]

    def resolve(self, name: str) -> str:
        """The known release ``name`` names: itself, or a line's newest."""
        if name in self.lines:
            return self.lines[name]
        if name in self.versions():
            return name
        raise UnknownRelease(
            f"{name!r} is not a Prefect release the suite knows: it knows every release from "
            f"{self.first} to {self.newest}; name one (3.4.7) or a line (3.6, its newest: "
            f"{self.lines.get('3.6', self.newest)})"
        )

    def release(self, name: str) -> Release:
        version = self.resolve(name)
        facts: dict[str, Any] = {}
        bugs: dict[str, str] = {}
        for change in self.changes:
            if version_key(change.since) > version_key(version):
                break
            facts.update(change.sets)
            bugs.update(change.breaks)
            for clause in change.fixes:
                bugs.pop(clause, None)
        pins: tuple[str, ...] = ()
        for since, packages in self.pins:
            if version_key(since) <= version_key(version):
                pins = packages
        level = self.ground_truth.get(version)
        return Release(version, facts, bugs, pins, level, name)

    def change_points(self, fact: str) -> list[tuple[str, Any]]:
        """Where a fact (or a bug: its clause id) takes a new value, as (since, value)."""
        points = []
        for change in self.changes:
            if fact in change.sets:
                points.append((change.since, change.sets[fact]))
            if fact in change.breaks:
                points.append((change.since, change.breaks[fact]))
            if fact in change.fixes:
                points.append((change.since, None))
        return points


def parse(raw: dict) -> Timeline:
    made = (
        Change(
            since=entry["since"],
            what=entry["what"],
            sets=entry.get("sets", {}),
            breaks=entry.get("breaks", {}),
            fixes=tuple(entry.get("fixes", ())),
            source=entry.get("source", ""),
            found=entry.get("found", ""),
        )
        for entry in raw["change"]
    )
    changes = tuple(sorted(made, key=lambda change: version_key(change.since)))
    pins = tuple((entry["since"], tuple(entry["pins"])) for entry in raw["install"])
    truth = {entry["version"]: entry["level"] for entry in raw["ground_truth"]}
    return Timeline(raw["lines"], changes, pins, truth, frozenset(raw.get("intermittent", ())))


@cache
def timeline() -> Timeline:
    return parse(tomllib.loads((fixtures_dir() / TABLE).read_text()))


def named(name: str) -> Release:
    """The release of a line (3.8) or of a version (3.8.8); UnknownRelease names the range."""
    return timeline().release(name)


def newest() -> Release:
    return named(timeline().newest)


def ground_truth() -> list[Release]:
    """The releases CI runs live, newest first."""
    versions = sorted(timeline().ground_truth, key=version_key, reverse=True)
    return [named(version) for version in versions]


def chosen(settings: Settings) -> Release:
    """The release --blocks-prefect-release names (a usage error if unknown), else the newest."""
    name = settings.value(OPTION)
    if not name:
        return newest()
    try:
        return named(name)
    except UnknownRelease as error:
        raise pytest.UsageError(f"--blocks-prefect-release: {error}") from None


def unknown_release(settings: Settings) -> str | None:
    """Why --blocks-prefect-release cannot be used (the run ends with exit code 4), or None."""
    name = settings.value(OPTION)
    try:
        timeline().resolve(name) if name else None
    except UnknownRelease as error:
        return f"--blocks-prefect-release: {error}. Nothing was tested."
    return None


def adjusted_catalogue(clauses: dict[str, Clause], settings: Settings) -> dict[str, Clause]:
    """The chosen release's bugs are SHOULD clauses for its runs, naming the bug."""
    release = chosen(settings)
    adjusted = dict(clauses)
    for clause_id, bug in release.bugs.items():
        clause = clauses[clause_id]
        if clause.strength == "MUST":
            text = f"{clause.text} (SHOULD for Prefect {release.version}: {bug}.)"
            adjusted[clause_id] = replace(clause, strength="SHOULD", text=text)
    return adjusted


def ledger_lines(release: Release) -> list[str]:
    """An expected-failure file for a run against the real server of ``release``: its own
    ledger if it is a ground truth, else, for each of its bugs, the pinned entries of the
    newest ground-truth ledger that lists that clause."""
    own = release.fixture("ledger")
    if own.exists():
        return own.read_text().splitlines()
    lines = [
        f"# The bugs of the real Prefect {release.version} server (the timeline:",
        "# fixtures/prefect/releases.toml), pinned as the ground-truth ledgers pin them; made by",
        f"# python -m conformance.prefect.releases ledger {release.version}",
    ]
    ledgers = [truth.fixture("ledger").read_text().splitlines() for truth in ground_truth()]
    for clause in sorted(release.bugs):
        pinned = next(filter(None, (entries_of(clause, ledger) for ledger in ledgers)), None)
        lines += pinned or [f"{clause}  # {release.bugs[clause]}"]
    return lines


def entries_of(clause: str, ledger: list[str]) -> list[str]:
    """The lines of a ledger that list ``clause``."""
    return [line for line in ledger if line.split(None, 1)[:1] == [clause]]


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m conformance.prefect.releases",
        description="What the suite knows of a Prefect release: its facts and bugs (facts), "
        "or an expected-failure file for a run against its real server (ledger).",
    )
    parser.add_argument("what", choices=["facts", "ledger"])
    parser.add_argument("release", help="a release (3.4.7) or a line (3.6)")
    arguments = parser.parse_args(argv)
    try:
        release = named(arguments.release)
    except UnknownRelease as error:
        raise SystemExit(str(error)) from None
    if arguments.what == "ledger":
        print("\n".join(ledger_lines(release)))
        return
    install = " ".join(release.install_requirements)
    print(f"prefect {release.described}; install: pip install {install}")
    for name, value in sorted(release.facts.items()):
        print(f"  {name} = {value}")
    for clause, bug in sorted(release.bugs.items()):
        print(f"  bug {clause}: {bug}")


if __name__ == "__main__":
    main()
