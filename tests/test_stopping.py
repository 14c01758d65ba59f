"""A run stopped from outside deletes what it created: SIGTERM (what a CI sends a cancelled job)
takes the path of Ctrl-C, with and without pytest-xdist (``conformance/stopping.py``)."""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from conformance.stopping import STOP_GRACE, StopOnSigterm, Stopped

from .support import ROOT
from .support.full_runs import seed_foreign_objects
from .support.servers import ServerProcess
from .support.snapshot import snapshot
from .support.suite_runs import TESTS_SEED
from .test_no_residue import differences

STOPPED_WITHIN = 120  # seconds a stopped run may take to clean up and end (never near it)


@pytest.fixture
def sigterm_restored():
    """The test process's own SIGTERM handler, put back whatever a test does."""
    previous = signal.getsignal(signal.SIGTERM)
    yield previous
    signal.signal(signal.SIGTERM, previous)


@pytest.fixture
def stoppers():
    """Makes handlers as a run does; a watchdog one armed must not end this test process."""
    made: list[StopOnSigterm] = []

    def make(controller: bool = False) -> StopOnSigterm:
        made.append(StopOnSigterm(controller=controller))
        return made[-1]

    yield make
    for stopping in made:
        if stopping.watchdog is not None:
            stopping.watchdog.cancel()


def test_sigterm_raises_stopped_once_and_the_old_handler_comes_back(sigterm_restored, stoppers):
    stopping = stoppers()
    stopping.install()
    assert signal.getsignal(signal.SIGTERM) == stopping.handle
    with pytest.raises(Stopped):
        stopping.handle(signal.SIGTERM, None)
    stopping.handle(signal.SIGTERM, None)  # already stopping: the clean-up is not cut short
    stopping.restore()
    assert signal.getsignal(signal.SIGTERM) == sigterm_restored
    assert stopping.watchdog is not None and stopping.watchdog.interval == STOP_GRACE


WATCHED = """
import signal, threading
from conformance.stopping import STOP_GRACE, StopOnSigterm, Stopped
stopping = StopOnSigterm(controller=False, grace=0.5)
stopping.install()
try:
    signal.raise_signal(signal.SIGTERM)
except Stopped:
    print("stopping", flush=True)
threading.Event().wait()  # a clean-up that waits for what never comes
"""


def test_a_stopped_run_that_does_not_end_ends_with_every_stack_after_its_grace():
    ended = subprocess.run(
        [sys.executable, "-c", WATCHED], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert ended.returncode == 2, ended.stderr
    assert ended.stdout == "stopping\n"
    assert "did not end within 0.5 s of it; it ends now" in ended.stderr
    assert "blocks-conformance sweep" in ended.stderr
    assert "Current thread" in ended.stderr and "in wait" in ended.stderr  # the stacks


def test_a_sigterm_while_the_session_finishes_is_only_counted(sigterm_restored):
    stopping = StopOnSigterm(controller=False)
    stopping.install()
    stopping.finishing = True
    stopping.handle(signal.SIGTERM, None)
    assert stopping.received == 1 and not stopping.stopping


def test_a_sigterm_after_ctrl_c_does_not_interrupt_its_handling(sigterm_restored):
    """A CI that sends SIGINT, then SIGTERM: pytest is still reporting the KeyboardInterrupt
    (or cleaning up) when the SIGTERM comes."""
    stopping = StopOnSigterm(controller=False)
    stopping.install()
    stopping.pytest_keyboard_interrupt(None)
    stopping.handle(signal.SIGTERM, None)
    assert stopping.received == 1


def test_an_ignored_sigterm_stays_ignored(sigterm_restored):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    stopping = StopOnSigterm(controller=False)
    stopping.install()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN and not stopping.installed


def test_an_xdist_controller_passes_sigterm_on_then_stops_on_the_second(monkeypatch, stoppers):
    sent = []
    monkeypatch.setattr(os, "kill", lambda pid, signum: sent.append((pid, signum)))
    stopping = stoppers(controller=True)
    stopping.workers = {"gw0": 101, "gw1": 102}
    stopping.handle(signal.SIGTERM, None)
    assert sent == [(101, signal.SIGTERM), (102, signal.SIGTERM)]
    with pytest.raises(Stopped):
        stopping.handle(signal.SIGTERM, None)


def conf_documents(url: str) -> int:
    body = {"block_documents": {"name": {"like_": "conf-"}}, "limit": 1}
    return len(httpx.post(f"{url}/block_documents/filter", json=body, timeout=10).json())


def start_suite(url: str, tmp_path, *args: str) -> tuple[subprocess.Popen, object]:
    """The default run against ``url`` as a process of its own (signals reach it as in CI)."""
    output = (tmp_path / "output.txt").open("w")
    command = [sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider"]
    command += [f"--target-url={url}", f"--blocks-seed={TESTS_SEED}", *args]
    command += [f"--blocks-example-db={tmp_path / 'examples'}"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    return process, output


def wait_for_objects(url: str, process: subprocess.Popen) -> None:
    """Until the run has created objects on the target (then it is in the middle of its tests)."""
    deadline = time.monotonic() + STOPPED_WITHIN
    while conf_documents(url) == 0:
        assert process.poll() is None, "the run ended before it created anything"
        assert time.monotonic() < deadline, "the run created nothing"
        time.sleep(0.1)


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist"])
def test_a_run_stopped_with_sigterm_leaves_nothing_behind(tmp_path, workers):
    server = ServerProcess(None, tmp_path)
    try:
        seed_foreign_objects(server.url)
        before = snapshot(server.url)
        process, output = start_suite(server.url, tmp_path, *workers)
        wait_for_objects(server.url, process)
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=STOPPED_WITHIN)
        output.close()
        shown = (tmp_path / "output.txt").read_text()
        assert returncode == pytest.ExitCode.INTERRUPTED, shown[-3000:]
        assert "SIGTERM: the run stops" in shown and "crashed" not in shown, shown[-3000:]
        assert differences(before, snapshot(server.url)) == []
    finally:
        server.kill()
