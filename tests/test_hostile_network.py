"""No false failures: the whole suite passes against the reference server behind a proxy that
adds latency, answers one request in 40 with 503 "database is locked" (the real server's
answer when SQLite is busy; the suite retries it) and closes every connection after its answer
(as the real server does after a 500 or 503), and timestamps are compared as instants."""

import httpx
import pytest

from conformance.timestamps import NotATimestamp, is_later, parse, same_instant

from .support.proxies import Faults, HostileProxy
from .support.suite_runs import run_suite

BUSY_EVERY = 40  # one request in 40 gets 503 (each costs the suite a retry and its wait)
HOSTILE = Faults(latency=(0.0005, 0.002), busy_every=BUSY_EVERY, close_after_answer=True, seed=7)


@pytest.fixture
def hostile_proxy(reference_server):
    proxy = HostileProxy(reference_server.url.removesuffix("/api"), HOSTILE)
    yield proxy
    proxy.stop()


def test_the_whole_suite_passes_behind_a_hostile_proxy(hostile_proxy, tmp_path):
    run = run_suite(
        f"--target-url={hostile_proxy.url('/api')}",
        "--blocks-fail-on-skip",
        "--blocks-seed=11",
        "--blocks-examples=1",  # every test, generated ones included, on the smallest budget
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-3000:]
    tally = hostile_proxy.tally
    assert tally.answered_503 >= tally.requests // BUSY_EVERY > 50
    assert tally.connections_closed == tally.requests
    assert run.report["run"]["retried_requests"] >= tally.answered_503
    assert run.report["conformant_level"] == 4  # level 5 needs the Prefect client


def test_the_proxy_injects_each_fault(hostile_proxy):
    sent = 2 * BUSY_EVERY
    statuses = [httpx.get(hostile_proxy.url("/api/health")).status_code for _ in range(sent)]
    assert statuses.count(503) == 2 and statuses.count(200) == sent - 2
    assert hostile_proxy.tally.connections == hostile_proxy.tally.connections_closed == sent


@pytest.mark.parametrize(
    ("later", "earlier"),
    [
        ("2026-12-02T07:45:51.197000Z", "2026-12-02T07:45:51Z"),
        ("2026-12-02T07:45:51.2Z", "2026-12-02T07:45:51.197000Z"),
        ("2026-12-02T07:45:52Z", "2026-12-02T07:45:51.999999Z"),
        ("2026-12-02T08:45:51.5+01:00", "2026-12-02T07:45:51.4Z"),
        ("2026-12-02T07:45:51.000001+00:00", "2026-12-02T07:45:51Z"),
    ],
)
def test_timestamps_move_forward_whatever_their_precision_or_zone(later, earlier):
    assert is_later(later, earlier)
    assert not is_later(earlier, later)


def test_the_same_instant_written_two_ways_is_not_later():
    assert same_instant("2026-12-02T08:45:51+01:00", "2026-12-02T07:45:51.000Z")
    assert not is_later("2026-12-02T08:45:51+01:00", "2026-12-02T07:45:51.000Z")


@pytest.mark.parametrize(
    "value", ["2026-12-02T07:45:51", "yesterday", 5, "2026-12-02T07:45:51.x1Z"]
)
def test_a_value_that_is_no_timestamp_with_a_zone_is_refused(value):
    with pytest.raises(NotATimestamp):
        parse(value)
