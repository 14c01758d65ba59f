"""What differs between blocks APIs, as one object per API: a ``Profile``.

The general modules (plugin, client, target, embedded server, catalogue, reports, checks) read
the run's profile and never name an API. A profile lives in a folder of its own (its test
modules, ``clauses.toml`` and a ``profile.py`` defining ``PROFILE``) and is listed here by name
(``BUILT_IN``: one line per built-in profile), through the ``blocks_conformance.profiles`` entry
point group, or by a pytest plugin that returns it from the hook
``pytest_blocks_conformance_profiles`` (for example one loaded with ``-p``).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import fixtures_dir

if TYPE_CHECKING:
    import httpx

    from .client import ApiClient, Exchange
    from .differential import Answer
    from .namespaces import Swept
    from .options import Settings

ENTRY_POINT_GROUP = "blocks_conformance.profiles"
DEFAULT_PROFILE = "prefect"
BUILT_IN = {
    "prefect": "conformance.prefect.profile:PROFILE",
    "kragle": "conformance.kragle.profile:PROFILE",
    "peak-press": "conformance.peak_press.profile:PROFILE",
}


UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class Invented:
    """Where a profile's servers put values they invent (ids, session tokens), so that
    differential mode pairs them instead of comparing them.

    ``in_text``: invented values inside the strings of answers (paired where found), and, unless
    ``in_requests`` is given, where they appear in requests. ``keys``: JSON keys whose values
    (strings or numbers) are invented. ``cookies``: cookies whose values are invented (paired
    from the two servers' Set-Cookie headers)."""

    in_text: re.Pattern | None = UUID
    keys: frozenset[str] = frozenset()
    in_requests: re.Pattern | None = None
    cookies: tuple[str, ...] = ()

    @property
    def request_pattern(self) -> re.Pattern | None:
        return self.in_requests or self.in_text


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


def nothing_created(method: str, path: str, body: bytes, answer: Answer) -> None:
    return None


def no_options(url: str) -> list[str]:
    return []


def no_arguments(settings: Settings) -> list[str]:
    return []


def no_facts(settings: Settings) -> dict[str, str]:
    return {}


def as_catalogued(clauses: dict, settings: Settings) -> dict:
    return clauses


def no_problem(settings: Settings) -> str | None:
    return None


def nothing_to_prepare(client: ApiClient, settings: Settings) -> str | None:
    return None


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
    # the objects whose name starts with a prefix (a run's namespace, whose objects a server
    # created without saying so; or "conf-", every run's, for ``blocks-conformance sweep``)
    sweep: Callable[[ApiClient, str], list[Swept]]
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
    # what a list answer is sorted by where equal values may come in any order (a document's
    # name): differential mode calls an order that differs only among equal values an "order
    # of tied items"; None: not sorted by a value of the item
    sort_key: Callable[[dict], str | None] = no_identity
    # where the servers put values they invent (ids, session tokens): differential mode pairs
    # them instead of comparing them
    invented: Invented = field(default_factory=Invented)
    # differential mode: the (identity, id) of the object an answer to (method, path below the
    # base URL, request body, answer) reports created, or None; creates that only one server
    # made during a test (racing creates won by different requests) are paired by identity
    created_identity: Callable[[str, str, bytes, Answer], tuple[str, str] | None] = nothing_created
    # headers sent with every request unless --target-header names them (e.g. a token taken
    # from the profile's own options)
    default_headers: Callable[[Settings], dict[str, str]] | None = None
    # the profile's own options' values (by dest) when the run tests the embedded reference
    # server and they were not given (its test hooks, say)
    embedded_options: Mapping[str, Any] = field(default_factory=dict)
    # a fresh object for the profile's per-run data (``Run.state``), or None
    new_state: Callable[[], Any] | None = None
    # the suite options a run against a started reference server (at this base URL) needs,
    # such as the URL of its test hook
    reference_options: Callable[[str], list[str]] = no_options
    # more arguments for the embedded server's command, from the run's settings
    embedded_arguments: Callable[[Settings], list[str]] = no_arguments
    # facts about the run the summary prints and the report keeps (e.g. the release played)
    run_facts: Callable[[Settings], dict[str, str]] = no_facts
    # the catalogue as a run sees it (e.g. a release's own bugs made SHOULD for its runs)
    adjust_catalogue: Callable[[dict, Settings], dict] = as_catalogued
    # a paragraph saying why the run's settings cannot be used (the run ends with exit code 4
    # before any test), or None
    unusable_settings: Callable[[Settings], str | None] = no_problem
    # what ``blocks-conformance sweep`` does before ``sweep`` outside a run (log the test users
    # in, say), from the settings: a paragraph saying why it cannot sweep, or None
    prepare_sweep: Callable[[ApiClient, Settings], str | None] = nothing_to_prepare

    @property
    def catalogue_path(self) -> Path:
        return self.suite_dir / "clauses.toml"

    @property
    def schema_dir(self) -> Path:
        return self.schemas or fixtures_dir() / "schemas" / self.name

    def resource(self, kind: str) -> Resource:
        return next(resource for resource in self.resources if resource.kind == kind)


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
