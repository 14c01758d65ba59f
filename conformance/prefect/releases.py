"""The Prefect releases the suite knows, read from ``fixtures/prefect/releases.toml``: each
line's ground-truth release and what differs between them (the Secret schema's checksum, the
bugs a release's server has). A run picks one with ``--blocks-prefect-release X.Y``; each
release also has its own ledger, differential transcript, ignore file and client expectation,
named after its version under ``fixtures/``."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .. import fixtures_dir

if TYPE_CHECKING:
    from ..clauses import Clause
    from ..options import Settings

TABLE = Path("prefect", "releases.toml")
OPTION = "blocks_prefect_release"


@dataclass(frozen=True)
class Release:
    line: str  # what --blocks-prefect-release names: 3.9
    version: str  # the line's ground-truth release: 3.9.1
    secret_schema_checksum: str
    level: int  # the highest level the real server of the line is held to
    bugs: Mapping[str, str] = field(default_factory=dict)  # clause -> the bug

    def fixture(self, kind: str) -> Path:
        """The release's own file of ``kind``: ledger, transcript, ignore or journeys."""
        relative = {
            "ledger": f"expected-failures/prefect-{self.version}.txt",
            "transcript": f"differential/prefect-{self.version}.jsonl.gz",
            "ignore": f"differential/prefect-{self.version}-ignore.txt",
            "journeys": f"prefect/journeys-{self.version}.json",
        }[kind]
        return fixtures_dir() / relative

    @property
    def described(self) -> str:
        return f"{self.line} (ground truth: prefect {self.version})"


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


@cache
def table() -> dict[str, Release]:
    """The known lines, newest first."""
    raw = tomllib.loads((fixtures_dir() / TABLE).read_text())["release"]
    releases = [Release(**entry) for entry in raw]
    return {r.line: r for r in sorted(releases, key=lambda r: version_key(r.version), reverse=True)}


def newest() -> Release:
    return next(iter(table().values()))


def named(name: str) -> Release:
    """The release of a line (3.8) or of its ground-truth version (3.8.8); KeyError names the
    known lines."""
    for release in table().values():
        if name in (release.line, release.version):
            return release
    raise KeyError(f"unknown Prefect release {name!r}; known: {', '.join(table())}")


def chosen(settings: Settings) -> Release:
    """The release --blocks-prefect-release names (a usage error if none), else the newest."""
    name = settings.value(OPTION)
    if not name:
        return newest()
    try:
        return named(name)
    except KeyError as error:
        raise pytest.UsageError(f"--blocks-prefect-release: {error.args[0]}") from None


def with_client_expectation() -> list[Release]:
    """The releases whose client's journeys have a recorded expectation."""
    return [release for release in table().values() if release.fixture("journeys").exists()]


def adjusted_catalogue(clauses: dict[str, Clause], settings: Settings) -> dict[str, Clause]:
    """The chosen release's bugs are SHOULD clauses for its runs, naming the bug."""
    from dataclasses import replace

    release = chosen(settings)
    adjusted = dict(clauses)
    for clause_id, bug in release.bugs.items():
        clause = clauses[clause_id]
        text = f"{clause.text} (SHOULD for Prefect {release.line}: {bug}.)"
        adjusted[clause_id] = replace(clause, strength="SHOULD", text=text)
    return adjusted
