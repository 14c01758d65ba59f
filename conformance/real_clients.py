"""A profile's real clients (the Prefect client and CLI, peak-sdk): what each kind of client
is (``ClientKind``), where its journeys point it (``Destination``), which release an interpreter
has, and whether the interpreters a run names can be used at all.

A profile lists its kinds of client (``Profile.clients``); the session asks
``unusable_clients`` of each before any test runs, and ``journeys`` runs them.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from . import fixtures_dir

KIT = "journey_kit"
# variables of the calling environment that would point the other interpreter elsewhere
FOREIGN_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")


@dataclass(frozen=True)
class Destination:
    """Where a journey's client is pointed: the target's URL, the headers its requests carry,
    the namespace its objects are named in, and the profile's own extras (a test hook's URL)."""

    url: str
    headers: Mapping[str, str]
    namespace: str
    extras: Mapping[str, str] = field(default_factory=dict)


def no_detail(outcome: dict) -> list[str]:
    return []


def derived_namespace(run_namespace: str, version: str) -> str:
    """A namespace of the client's own, derived from the run's (the run's clean-up sweeps it)."""
    digest = hashlib.sha256(f"{run_namespace}{version}".encode()).hexdigest()
    return f"conf-{digest[:8]}-"


@dataclass(frozen=True)
class ClientKind:
    """What one profile's real client and its journeys differ in."""

    profile: str  # the profile's name
    client: str  # how messages name the client ("Prefect", "peak-sdk")
    package: str  # its distribution ("prefect", "peak-sdk")
    module: str  # the module whose __version__ is its release ("prefect", "peak")
    option: str  # the suite option naming its interpreters ("--blocks-prefect-python")
    scripts: Path  # the journey scripts and their kit (journey_kit.py)
    expectations: str  # the folder of journeys-<release>.json below fixtures/
    # what a release's expectation was recorded against: in general, and for one ({version})
    recorded_against: str
    ground_truth: str
    record_command: str  # the command that records a release's expectation
    # the client's environment variables that point it at a destination (given its workdir)
    point_at: Callable[[Destination, Path], dict[str, str]]
    foreign: tuple[str, ...] = ()  # prefixes of variables that would point it elsewhere
    # error classes whose message only quotes the server's answer: compared by class
    passed_through: frozenset[str] = frozenset()
    detail: Callable[[dict], list[str]] = no_detail  # more of a differing step to show
    namespace_of: Callable[[str, str], str] = derived_namespace

    @property
    def dest(self) -> str:
        """The option's name in the run's settings."""
        return self.option.lstrip("-").replace("-", "_")

    @property
    def needed(self) -> str:
        """What a run needs for the journeys, as a clause not run says it."""
        return f"a Python with {self.package} installed ({self.option})"

    @property
    def needs(self) -> pytest.MarkDecorator:
        """The marker of the journey tests: not covered without the option."""
        return pytest.mark.needs(self.dest, self.needed)

    def journey_names(self) -> list[str]:
        return sorted(path.stem for path in self.scripts.glob("*.py") if path.stem != KIT)

    def script_digest(self, name: str) -> str:
        """What a recorded expectation was made by: the journey's script and the shared kit."""
        digest = hashlib.sha256()
        for stem in (name, KIT):
            digest.update((self.scripts / f"{stem}.py").read_bytes())
        return digest.hexdigest()

    def expectation_path(self, version: str) -> Path:
        return fixtures_dir() / self.expectations / f"journeys-{version}.json"

    def recorded_versions(self) -> list[str]:
        """The client releases whose journeys have a recorded expectation."""
        found = (fixtures_dir() / self.expectations).glob("journeys-*.json")
        return sorted(path.stem.removeprefix("journeys-") for path in found)

    def clean_environment(self) -> dict[str, str]:
        """The calling environment without the client's settings or what points Python
        elsewhere."""
        return {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(self.foreign) and name not in FOREIGN_VARIABLES
        }


@cache
def expectation(kind: ClientKind, version: str) -> dict:
    return json.loads(kind.expectation_path(version).read_text())


@cache
def client_version(kind: ClientKind, python: str) -> str | None:
    """The client release installed for ``python`` (None: no client, or no such Python)."""
    try:
        found = subprocess.run(
            [python, "-c", f"import {kind.module}; print({kind.module}.__version__)"],
            capture_output=True,
            text=True,
            timeout=120,
            env=kind.clean_environment(),
        )
    except OSError:
        return None
    return found.stdout.strip() if found.returncode == 0 and found.stdout.strip() else None


def unusable_clients(kind: ClientKind, pythons: list[str]) -> str | None:
    """An interpreter without the client, or with a client release whose journeys have no
    recorded expectation: a usage error (one paragraph), never a failure of the server."""
    for python in pythons:
        version = client_version(kind, python)
        if version in kind.recorded_versions():
            continue
        releases = ", ".join(kind.recorded_versions())
        if version is None:
            return (
                f"{kind.option} {python} has no {kind.package} installed (or does not run), "
                f"and the journeys need the real client. Nothing was tested. Name the Python of "
                f"a virtualenv with {kind.package} {' or '.join(kind.recorded_versions())} (the "
                "releases whose journeys are "
                f"recorded, fixtures/{kind.expectations}/journeys-<release>.json)."
            )
        return (
            f"{kind.option} {python} has {kind.package} {version}, and the journeys of the real "
            f"client are compared with what that client release gives against "
            f"{kind.recorded_against}: they are recorded for {kind.package} {releases} "
            f"(fixtures/{kind.expectations}/journeys-<release>.json). Nothing was tested. Name a "
            "Python with one of those releases, or record this one's against "
            f"{kind.recorded_against} ({kind.record_command})."
        )
    return None
