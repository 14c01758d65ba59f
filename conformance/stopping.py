"""A run stopped from outside still deletes what it created.

Ctrl-C (SIGINT) takes pytest's "interrupted" path: the session ends, the suite's clean-up deletes
the run's objects and pytest exits with 2. SIGTERM, which CI systems send a cancelled job, would
end the process where it stands. ``StopOnSigterm`` makes the first SIGTERM take the Ctrl-C path
(it raises ``Stopped``, a ``KeyboardInterrupt``, in the main thread). A SIGTERM that comes while
the run is already stopping, or while the session is finishing (clean-up, reports), is only
counted: a CI that sends SIGINT and then SIGTERM (GitHub Actions, 7.5 s apart) does not cut the
clean-up short. SIGKILL still does; ``blocks-conformance sweep`` removes what it leaves.

Under pytest-xdist the controller does not raise: it passes the SIGTERM on to its workers (each
deletes what it created and ends as interrupted), and pytest-xdist ends the session when they
are down. A second SIGTERM to the controller stops it at once.

A stopped run has ``STOP_GRACE`` seconds to clean up and end: a process still alive then (its
clean-up, or its exit, waiting on something that will not come) writes why, and every thread's
stack, to the terminal and exits with 2, so that a cancelled job never hangs and the stacks say
on what.

Registered by ``plugin.activate``, so only in a conformance run: the handler is installed in the
main thread (unless SIGTERM is ignored, which is respected) and the previous one is put back
when pytest unconfigures.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import sys
import threading
from typing import Any

import pytest

STOPPED = "SIGTERM: the run stops; its clean-up deletes what it created"
STOP_GRACE = 90.0  # seconds a stopped run may take to clean up and end
GAVE_UP = (
    "blocks-conformance: the run stopped by SIGTERM did not end within {grace:g} s of it; it "
    "ends now, with every thread's stack below (what it was waiting on). "
    "`blocks-conformance sweep` removes what it left on the target.\n"
)


class Stopped(KeyboardInterrupt):
    """The run received SIGTERM: it ends as interrupted, after its clean-up."""


class StopOnSigterm:
    """The SIGTERM handler of one conformance run (a pytest plugin of that run)."""

    def __init__(self, controller: bool, grace: float = STOP_GRACE) -> None:
        self.controller = controller  # a pytest-xdist controller: its workers hold the objects
        self.grace = grace
        self.watchdog: threading.Timer | None = None
        self.previous: Any = None
        self.installed = False
        self.stopping = False  # Stopped was raised (or, on a controller, passed on)
        self.finishing = False  # the session is finishing: clean-up and reports
        self.passed_on = False  # a controller sent the SIGTERM to its workers
        self.received = 0
        self.workers: dict[str, int] = {}  # pytest-xdist worker id -> process id
        self.session: pytest.Session | None = None

    def install(self) -> None:
        if self.installed or threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)
        if previous is signal.SIG_IGN or previous is None:  # ignored, or not Python's to change
            return
        self.previous = previous
        signal.signal(signal.SIGTERM, self.handle)
        self.installed = True

    def restore(self) -> None:
        if self.installed and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self.previous)
            self.installed = False

    def handle(self, signum: int, frame: Any) -> None:
        self.received += 1
        if self.finishing:
            return
        if not self.stopping:
            self.stopping = True
            self.watch()
            if self.controller and self.workers:
                self.passed_on = True
                self.forward(signum)
                return
            if self.session is not None:
                # Python drops an exception raised while the main thread runs a garbage
                # collector's callback (Hypothesis has one) or a __del__: then the run stops
                # after the test being run instead.
                self.session.shouldstop = STOPPED
            raise Stopped(STOPPED)
        if self.passed_on:
            self.passed_on = False
            raise Stopped("a second SIGTERM: the run stops without waiting for its workers")

    def watch(self) -> None:
        """End the process if the stopped run is still alive after ``grace`` seconds."""
        if self.watchdog is None:
            self.watchdog = threading.Timer(self.grace, self.give_up)
            self.watchdog.daemon = True
            self.watchdog.start()

    def give_up(self) -> None:
        config = getattr(self.session, "config", None)
        capture = config.pluginmanager.getplugin("capturemanager") if config else None
        if capture is not None:
            with contextlib.suppress(Exception):  # the terminal itself, not pytest's capture
                capture.suspend_global_capture()
        sys.stderr.write(GAVE_UP.format(grace=self.grace))
        sys.stderr.flush()
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        os._exit(int(pytest.ExitCode.INTERRUPTED))

    def forward(self, signum: int) -> None:
        for pid in self.workers.values():
            with contextlib.suppress(OSError):  # already gone
                os.kill(pid, signum)

    # ---- hooks --------------------------------------------------------------------------

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session

    @pytest.hookimpl(tryfirst=True)
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo) -> None:
        """Ctrl-C (or Stopped) is being handled: a SIGTERM now (a CI's second signal) must
        not interrupt that, nor the clean-up after it."""
        self.stopping = True

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.finishing = True
        output = getattr(session.config, "workeroutput", None)
        if self.stopping and output is not None:
            # A pytest-xdist worker: its controller takes a worker that ends with status 2
            # (interrupted) for a crashed one, reports its test as failed and starts another
            # worker in its place. Said as "stopped" instead, the controller ends the session
            # as interrupted once every worker is down.
            output["exitstatus"] = int(pytest.ExitCode.TESTS_FAILED)
            output["shouldstop"] = STOPPED

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # the watchdog stays: a process can hang after pytest is done (waiting for a thread)
        self.restore()

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodeready(self, node: Any) -> None:
        """pytest-xdist controller: a worker is up (its process id, from execnet's popen)."""
        pid = getattr(getattr(getattr(node.gateway, "_io", None), "popen", None), "pid", None)
        if isinstance(pid, int):
            self.workers[str(node.gateway.id)] = pid

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        self.workers.pop(str(node.gateway.id), None)
