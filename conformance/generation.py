"""Hypothesis settings shared by every generated test of every profile."""

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.errors import FlakyFailure


def generated_settings(config: pytest.Config, **extra) -> settings:
    """The --blocks-examples budget, no deadline (the target's latency is not under test), no
    example database (runs must not depend on earlier ones), every health check off (slow
    targets trip them), and under --blocks-no-shrink the first failing case as it was drawn."""
    phases = [phase for phase in Phase if phase is not Phase.shrink]
    return settings(
        max_examples=config.getoption("blocks_examples"),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        **({"phases": phases} if config.getoption("blocks_no_shrink") else {}),
        **extra,
    )


def run_seeded(check: Callable[[], None], config: pytest.Config) -> None:
    """Run a Hypothesis test with the run's --blocks-seed. A failure that did not happen again
    when Hypothesis replayed its case is still a failure of the server: the first one is
    raised, with a note (the replay's objects were new, and the server named some of them
    anew: anonymous documents' random names)."""
    try:
        seed(config.getoption("blocks_seed"))(check)()
    except FlakyFailure as flaky:
        first = flaky.exceptions[0]
        first.add_note(
            "(this case did not fail the same way when Hypothesis replayed it: the replay "
            "made new objects, and the server named some of them anew)"
        )
        raise first from None
