"""What differs between blocks APIs, as one object per API: a ``Profile``.

The general modules (plugin, client, target, embedded server, catalogue, reports, checks) read
the active profile and never name an API. A profile lives in a folder of its own (its test
modules, ``clauses.toml`` and a ``profile.py`` defining ``PROFILE``) and is registered here by
name, through the ``blocks_conformance.profiles`` entry point group, or at run time with
``register`` (for example from a plugin loaded with ``-p``).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import fixtures_dir

if TYPE_CHECKING:
    import httpx
    import pytest

    from .client import ApiClient, Exchange

ENTRY_POINT_GROUP = "blocks_conformance.profiles"
DEFAULT_PROFILE = "prefect"
BUILT_IN = {
    "prefect": "conformance.prefect.profile:PROFILE",
    "kragle": "conformance.kragle.profile:PROFILE",
    "peak-press": "conformance.peak_press.profile:PROFILE",
}


@dataclass(frozen=True)
class Resource:
    """A kind of object the suite creates, and how one is deleted. ``delete`` is a path
    template with ``{id}``, or, for an API that cannot delete this kind itself, a function
    ``(client, id) -> Exchange`` that deletes it some other way (a test hook) or raises
    ``client.LeftBehind`` with the reason it stays; an answer in ``gone`` means it is gone."""

    kind: str
    delete: str | Callable[[ApiClient, str], Exchange]
    gone: tuple[int, ...] = (204, 404)


def reference_server_command(port: int, workdir: Path) -> list[str]:
    """``python -m reference_server`` (every built-in profile) on a temporary SQLite file."""
    host = ["--host", "127.0.0.1", "--port", str(port)]
    return [sys.executable, "-m", "reference_server", *host, "--db", str(workdir / "blocks.db")]


def answers_200(response: httpx.Response) -> bool:
    return response.status_code == 200


def no_identity(item: dict) -> str | None:
    return None


def client_error(status: int) -> bool:
    return 400 <= status < 500


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per API
class Profile:
    """Everything the general modules need to know about one blocks API."""

    name: str
    clause_prefix: str  # every clause id starts with "<prefix>-"
    suite_dir: Path  # test modules and clauses.toml
    areas: Mapping[str, str]  # area code in clause ids -> marker name
    level_names: Mapping[int, str]
    resources: tuple[Resource, ...]  # in the order clean-up deletes them
    # the objects an answer to (client, path below the base URL, exchange) reports created, as
    # (kind, id) pairs that clean-up deletes
    created_by: Callable[[ApiClient, str, Exchange], list[tuple[str, str]]]
    # objects of a run's namespace that a server created without saying so
    sweep: Callable[[ApiClient, str], list[tuple[str, str]]]
    example_url: str  # how a --target-url of this API looks
    probe_path: str = "/health"
    probe_alive: Callable[[httpx.Response], bool] = answers_200
    probe_expectation: str = "200"
    embedded_command: Callable[[int, Path], list[str]] = reference_server_command
    embedded_base_path: str = "/api"
    schemas: Path | None = None  # JSON Schemas of the answers (default fixtures/schemas/<name>)
    error_schema: str | None = "error"  # the schema of every error answer's body
    is_error: Callable[[int], bool] = client_error
    # answers whose lists have no defined order (compared as multisets in differential mode),
    # as (method, path below the base URL)
    unordered: frozenset[tuple[str, str]] = frozenset()
    # object keys whose lists are sets, in any order (compared sorted in differential mode)
    unordered_keys: frozenset[str] = frozenset()
    # what identifies an object in a list answer across two servers (a slug, a name), so that
    # differential mode matches list items by it; None: by position
    identity: Callable[[dict], str | None] = no_identity
    # headers sent with every request unless --target-header names them (e.g. a token taken
    # from the profile's own options)
    default_headers: Callable[[pytest.Config], dict[str, str]] | None = None

    @property
    def catalogue_path(self) -> Path:
        return self.suite_dir / "clauses.toml"

    @property
    def schema_dir(self) -> Path:
        return self.schemas or fixtures_dir() / "schemas" / self.name

    def resource(self, kind: str) -> Resource:
        return next(resource for resource in self.resources if resource.kind == kind)

    def describe_levels(self) -> str:
        return ", ".join(f"{level} {name}" for level, name in sorted(self.level_names.items()))


_registered: dict[str, Profile | str] = dict(BUILT_IN)
_active: list[Profile] = []


def register(profile: Profile) -> None:
    """Add (or replace) a profile by its name."""
    _registered[profile.name] = profile


def _entry_points() -> dict[str, str]:
    return {
        entry.name: entry.value
        for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    }


def names() -> list[str]:
    return sorted({**_entry_points(), **_registered})


def get(name: str) -> Profile:
    """The profile called ``name``; KeyError names the known ones."""
    found = _registered.get(name) or _entry_points().get(name)
    if found is None:
        raise KeyError(f"unknown profile {name!r}; known profiles: {', '.join(names())}")
    if isinstance(found, str):
        module, _, attribute = found.partition(":")
        found = getattr(importlib.import_module(module), attribute)
        _registered[name] = found
    return found


def every() -> list[Profile]:
    return [get(name) for name in names()]


def activate(profile: Profile) -> None:
    _active[:] = [profile]


def active() -> Profile:
    """The profile of the running conformance session."""
    if not _active:
        raise RuntimeError("no blocks-conformance profile is active (run the suite via pytest)")
    return _active[0]
