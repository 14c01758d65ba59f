"""The facts of a run: what it was (the target, the settings, the suite) and what it cost (its
requests, its generated cases, where its time went), for the summary and the reports.

Under pytest-xdist each worker opens the target and sends its own facts to the controller,
which merges them: ``RunFacts`` is that value, and ``merge`` is the one place where the facts
of two processes add up.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .report import suite_facts

if TYPE_CHECKING:
    from .run import Run

PROCESS = "process"  # merged by adding up; the others are the same in every process


@dataclass
class RunFacts:
    """What one process (or, merged, every process) of a run did."""

    url: str | None = None
    embedded: bool = False
    namespaces: list[str] = field(default_factory=list, metadata={PROCESS: True})
    leftovers: list[str] = field(default_factory=list, metadata={PROCESS: True})
    left_behind: list[str] = field(default_factory=list, metadata={PROCESS: True})
    requests: int = field(default=0, metadata={PROCESS: True})
    retried_requests: int = field(default=0, metadata={PROCESS: True})
    request_seconds: float = field(default=0.0, metadata={PROCESS: True})
    generated_cases: dict[str, int] = field(default_factory=dict, metadata={PROCESS: True})
    saved_examples_replayed: int = field(default=0, metadata={PROCESS: True})
    oracle_compared: int = field(default=0, metadata={PROCESS: True})
    oracle_unrecorded: int = field(default=0, metadata={PROCESS: True})
    seconds: dict[str, float] = field(default_factory=dict, metadata={PROCESS: True})

    @classmethod
    def of(cls, run: Run) -> RunFacts:
        """This process's facts (none of a target it did not open)."""
        target, counters = run.target, run.counters
        if target is None:
            return cls(url=run.settings.target_url, embedded=run.settings.target_url is None)
        saved, mirror = run.saved_examples, run.mirror
        return cls(
            url=target.url,
            embedded=target.embedded is not None,
            namespaces=[target.namespace],
            leftovers=list(target.leftovers),
            left_behind=list(target.left_behind),
            requests=counters.requests,
            retried_requests=counters.retried,
            request_seconds=counters.seconds_waiting,
            generated_cases=dict(counters.generated),
            saved_examples_replayed=saved.replayed if saved is not None else 0,
            oracle_compared=mirror.compared if mirror is not None else 0,
            oracle_unrecorded=mirror.unrecorded if mirror is not None else 0,
            seconds=dict(run.seconds),
        )

    @classmethod
    def from_json(cls, sent: dict[str, Any]) -> RunFacts:
        """A worker's facts, as xdist carried them."""
        return cls(**{f.name: sent[f.name] for f in fields(cls) if f.name in sent})

    def merge(self, other: RunFacts) -> RunFacts:
        """The facts of both processes: lists joined, counts and seconds added up; the target
        is this one's, else the other's."""
        merged = {}
        for entry in fields(self):
            mine, theirs = getattr(self, entry.name), getattr(other, entry.name)
            if not entry.metadata.get(PROCESS):
                merged[entry.name] = mine if self.namespaces or not other.namespaces else theirs
            elif isinstance(mine, dict):
                merged[entry.name] = dict(Counter(mine) + Counter(theirs))
            else:
                merged[entry.name] = mine + theirs
        return RunFacts(**merged)

    def as_json(self) -> dict[str, Any]:
        facts = asdict(self)
        facts["request_seconds"] = round(self.request_seconds, 3)
        facts["seconds"] = {phase: round(value, 3) for phase, value in sorted(self.seconds.items())}
        return facts


def report_facts(run: Run, facts: RunFacts, started_at: float, started: float) -> dict[str, Any]:
    """The run's facts as the reports hold them: the processes' merged facts, and what the run
    was (profile, settings, suite, when), without the run's secrets."""
    settings = run.settings
    saved = run.saved_examples
    return run.redactor.data(
        {
            **facts.as_json(),
            "profile": run.profile.name,
            "profile_facts": run.profile.hooks.facts(settings),
            "seed": settings.seed,
            "example_db": saved.where if saved is not None else None,
            "examples": settings.examples,
            "level": settings.level,
            "expect_fail_files": settings.value("blocks_expect_fail"),
            "oracle": settings.oracle_url or settings.oracle_transcript,
            "suite": suite_facts(),
            "started": datetime.fromtimestamp(started_at, UTC).isoformat(timespec="seconds"),
            "duration_seconds": round(time.perf_counter() - started, 3),
        }
    )
