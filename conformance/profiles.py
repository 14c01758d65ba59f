"""What differs between blocks APIs, as one object per API: a ``Profile``, made of named parts.

The general modules (plugin, client, target, embedded server, catalogue, reports, checks) read
the parts of the run's profile they need and never name an API. A profile lives in a folder of
its own (its test modules, ``clauses.toml`` and a ``profile.py`` defining ``PROFILE``) and is
listed here by name (``BUILT_IN``: one line per built-in profile), through the
``blocks_conformance.profiles`` entry point group, or by a pytest plugin that returns it from the
hook ``pytest_blocks_conformance_profiles`` (for example one loaded with ``-p``).
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from . import file_name, fixtures_dir
from .answers import Answers
from .clauses import Catalogue
from .cleanup import CleanUp
from .differential import DifferentialRules
from .embedded import ReferenceServer
from .options import Credentials, Settings
from .probing import Probe
from .real_clients import ClientKind

ENTRY_POINT_GROUP = "blocks_conformance.profiles"
DEFAULT_PROFILE = "prefect"
BUILT_IN = {
    "prefect": "conformance.prefect.profile:PROFILE",
    "kragle": "conformance.kragle.profile:PROFILE",
    "peak-press": "conformance.peak_press.profile:PROFILE",
}


def no_facts(settings: Settings) -> dict[str, str]:
    return {}


def no_problem(settings: Settings) -> str | None:
    return None


@dataclass(frozen=True)
class RunHooks:
    """What a profile adds to a run beyond its API. ``new_state()``: a fresh object for the
    profile's per-run data (``Run.state``: Kragle's logged-in users), made with the run.
    ``unusable_settings(settings)``: a paragraph saying why the run's settings cannot be used
    (the run ends with exit code 4 before any test), or None; asked at the session's start.
    ``facts(settings)``: facts about the run the summary prints and the report keeps (the
    Prefect release played)."""

    new_state: Callable[[], Any] | None = None
    unusable_settings: Callable[[Settings], str | None] = no_problem
    facts: Callable[[Settings], dict[str, str]] = no_facts


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per API
class Profile:
    """One blocks API, as the parts the general modules read; each part is defined (with what
    it is for and when it is read) in the module that reads it. A profile gives its name, its
    ``catalogue`` and its ``cleanup``, and the other parts it has; the rest keep their
    defaults (the toy profile, tests/toy_profile, shows the minimum).

    - ``catalogue`` (``clauses.Catalogue``): its clauses and tests, areas and levels.
    - ``cleanup`` (``cleanup.CleanUp``): what the suite creates and how it is deleted.
    - ``server`` (``embedded.ReferenceServer``): its reference server and its base path.
    - ``probe`` (``probing.Probe``): how a server of the API is seen to be alive.
    - ``answers`` (``answers.Answers``): the JSON Schemas of its answers, its error shape.
    - ``credentials`` (``options.Credentials``): headers its requests need, and the options
      that carry credentials.
    - ``differential`` (``differential.DifferentialRules``): how two servers' answers are
      compared.
    - ``clients`` (``real_clients.ClientKind``): its real clients, whose journeys are level 5.
    - ``hooks`` (``RunHooks``): its per-run state, its own settings' checks, its run facts.
    """

    name: str
    catalogue: Catalogue
    cleanup: CleanUp
    server: ReferenceServer = field(default_factory=ReferenceServer)
    probe: Probe = field(default_factory=Probe)
    answers: Answers = field(default_factory=Answers)
    credentials: Credentials = field(default_factory=Credentials)
    differential: DifferentialRules = field(default_factory=DifferentialRules)
    clients: tuple[ClientKind, ...] = ()
    hooks: RunHooks = field(default_factory=RunHooks)

    def __post_init__(self) -> None:
        if self.answers.schemas is None:  # the profile's folder of the project's schemas
            schemas = fixtures_dir() / "schemas" / file_name(self.name)
            object.__setattr__(self, "answers", replace(self.answers, schemas=schemas))

    @property
    def file_name(self) -> str:
        return file_name(self.name)

    @property
    def example_url(self) -> str:
        """How a --target-url of this API looks (its reference server's on port 4200)."""
        return f"http://127.0.0.1:4200{self.server.base_path}"


def installed() -> dict[str, str]:
    """The built-in profiles and those of the ``blocks_conformance.profiles`` entry point
    group, as ``module:attribute`` targets (not imported)."""
    found = {
        entry.name: entry.value
        for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    }
    return {**BUILT_IN, **found}


@cache
def load(target: str) -> Profile:
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def names(registered: Iterable[Profile] = ()) -> list[str]:
    return sorted({*installed(), *(profile.name for profile in registered)})


def get(name: str, registered: Iterable[Profile] = ()) -> Profile:
    """The profile called ``name`` (among the installed ones and ``registered``, the profiles
    plugins return from ``pytest_blocks_conformance_profiles``); KeyError names the known
    ones."""
    for profile in registered:
        if profile.name == name:
            return profile
    target = installed().get(name)
    if target is None:
        known = ", ".join(names(registered))
        raise KeyError(f"unknown profile {name!r}; known profiles: {known}")
    return load(target)


def every() -> list[Profile]:
    """Every installed profile."""
    return [get(name) for name in names()]
