"""The run object: everything one conformance run is about, in one place.

A ``Run`` holds the profile, the settings read from the command line, the target once it is
opened, the oracle of differential mode, the test being run, the run's own random draws, the
counters of its requests and generated cases, the secrets its reports must not show and the
profile's per-run state (Kragle's logged-in users, say). The plugin makes one per pytest
process; every module that needs to know about the run is handed it (tests by the ``run``
fixture), so nothing is kept in module globals or copied elsewhere.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .client import Counters
from .options import Settings
from .randomness import Draws
from .redaction import Redactor

if TYPE_CHECKING:
    from .differential import Mirror
    from .profiles import Profile
    from .saved_examples import SavedExamples
    from .target import Target


@dataclass(frozen=True)
class CurrentTest:
    """The test being run: its node id, its clauses and its key (its id whatever the rootdir),
    for recorded exchanges and the differences of differential mode."""

    nodeid: str = ""
    clauses: tuple[str, ...] = ()
    key: str = ""
    namespace: str = ""
    generated: bool = False  # its cases are generated (a recording may not hold them)

    def as_record(self) -> dict:
        if not self.nodeid:
            return {}
        return {
            "test": self.nodeid,
            "clauses": list(self.clauses),
            "key": self.key,
            "namespace": self.namespace,
        }


@dataclass(eq=False)
class Run:
    profile: Profile
    settings: Settings
    target: Target | None = None
    mirror: Mirror | None = None  # differential mode
    test: CurrentTest = field(default_factory=CurrentTest)
    draws: Draws = field(default_factory=Draws)
    state: Any = None  # the profile's own per-run data (``Profile.new_state``)
    saved_examples: SavedExamples | None = None  # the generated tests' example database
    # where this process's time went, in seconds by phase (the report's run facts)
    seconds: Counter[str] = field(default_factory=Counter)
    # what the target's client sent, and the generated cases the tests sent, by kind
    counters: Counters = field(default_factory=Counters)
    # the secrets kept out of every report (given as options, or met while the run goes on)
    redactor: Redactor = field(init=False)

    def __post_init__(self) -> None:
        if self.state is None and self.profile.new_state is not None:
            self.state = self.profile.new_state()
        self.redactor = Redactor.for_run(self.profile, self.settings)

    def begin_test(self, nodeid: str, clauses: list[str], key: str, generated: bool) -> None:
        """A test starts: its draws depend on the run's seed and its own key only."""
        namespace = self.target.namespace if self.target is not None else ""
        self.test = CurrentTest(nodeid, tuple(clauses), key, namespace, generated)
        self.draws.reseed(self.settings.seed, key)

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        """Add the time of the block to ``phase``, and the time spent waiting for the target
        inside it to ``phase + " waiting"``."""
        waited = self.counters.seconds_waiting
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] += time.perf_counter() - started
            self.seconds[f"{phase} waiting"] += self.counters.seconds_waiting - waited

    def end_test(self) -> None:
        self.test = CurrentTest()  # clean-up and probes belong to no test
