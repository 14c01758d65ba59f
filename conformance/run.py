"""The run object: everything one conformance run is about, in one place.

A ``Run`` holds the profile, the settings read from the command line, the target once it is
opened, the oracle of differential mode, the run's own random draws, the counters of its
requests and generated cases, the secrets its reports must not show and the profile's per-run
state (Kragle's logged-in users, say). The plugin makes one per pytest process; every module
that needs to know about the run is handed it (tests by the ``run`` fixture), so nothing is kept
in module globals or copied elsewhere. It is made once and changed only through its named
methods (``opened``, ``keep_examples``, ``begin_test``); the test being run is not the run's but
the session's (``current.TestInProgress``), given to those that file exchanges under it.
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
from .profiles import Profile
from .randomness import Draws
from .redaction import Redactor

if TYPE_CHECKING:
    from .differential import Mirror
    from .saved_examples import SavedExamples
    from .target import Target


@dataclass(eq=False)
class Run:
    profile: Profile
    settings: Settings
    target: Target | None = field(default=None, init=False)
    mirror: Mirror | None = field(default=None, init=False)  # differential mode
    draws: Draws = field(default_factory=Draws, init=False)
    state: Any = field(default=None, init=False)  # the profile's own per-run data
    # the generated tests' example database
    saved_examples: SavedExamples | None = field(default=None, init=False)
    # where this process's time went, in seconds by phase (the report's run facts)
    seconds: Counter[str] = field(default_factory=Counter, init=False)
    # what the target's client sent, and the generated cases the tests sent, by kind
    counters: Counters = field(default_factory=Counters, init=False)
    # the secrets kept out of every report (given as options, or met while the run goes on)
    redactor: Redactor = field(init=False)

    def __post_init__(self) -> None:
        if self.profile.hooks.new_state is not None:
            self.state = self.profile.hooks.new_state()
        self.redactor = Redactor.for_run(self.settings, self.default_headers())

    def default_headers(self) -> dict[str, str]:
        """The headers the profile's requests carry from the run's settings (a token)."""
        return self.profile.credentials.headers(self.settings)

    def opened(self, target: Target, mirror: Mirror | None) -> None:
        """The target is open (and the oracle of differential mode, if the run has one)."""
        self.target, self.mirror = target, mirror

    def keep_examples(self, saved: SavedExamples) -> None:
        """The example database the generated tests replay and fill."""
        self.saved_examples = saved

    def begin_test(self, key: str) -> None:
        """A test starts: its draws depend on the run's seed and its own key only."""
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
