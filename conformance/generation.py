"""Hypothesis settings shared by every generated test of every profile."""

import pytest
from hypothesis import HealthCheck, Phase, settings


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
