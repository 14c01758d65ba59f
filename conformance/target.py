"""The server under test: the bundled reference server or a URL, probed before any test runs,
and the clients of a run, each with its listeners assembled in one place (``client_of``)."""

import fcntl
import hashlib
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest

from .cleanup import CleanUp, ObjectsCreated, clean_up
from .client import ApiClient, Counters, Listener, Recorder
from .current import CurrentTest
from .differential import LiveOracle, Mirror, TranscriptOracle
from .embedded import EmbeddedServer
from .options import Settings
from .probing import EXIT_TARGET_UNUSABLE, SentCredentials, exit_unusable, probe, refused, unusable
from .profiles import Profile
from .redaction import CredentialsLearned, Redactor

__all__ = ["EXIT_TARGET_UNUSABLE", "Target", "client_of", "open_target", "start_embedded"]


class RunBeingOpened(Protocol):
    """What opening a target needs of the run (``run.Run``)."""

    profile: Profile
    settings: Settings
    redactor: Redactor
    counters: Counters
    state: Any

    def default_headers(self) -> dict[str, str]: ...

    def timed(self, phase: str) -> AbstractContextManager[None]: ...


@dataclass
class Target:
    url: str
    client: ApiClient
    namespace: str
    cleanup: CleanUp
    embedded: EmbeddedServer | None = None
    leftovers: list[str] = field(default_factory=list)  # deletes that failed
    # more namespaces of the run, swept at its end (those of other processes it starts)
    other_namespaces: list[str] = field(default_factory=list)

    @property
    def left_behind(self) -> list[str]:
        """Objects the API cannot delete, with why."""
        return self.client.created.left_behind

    def close(self, mirror: Mirror | None) -> None:
        if self.embedded is None:  # the embedded server's database is thrown away whole
            self.leftovers = clean_up(
                self.client, self.cleanup, self.namespace, *self.other_namespaces
            )
        self.client.close()
        if mirror is not None:
            oracle_leftovers = mirror.oracle.close(self.namespace, *self.other_namespaces)
            self.leftovers += [f"on the oracle: {leftover}" for leftover in oracle_leftovers]
        if self.embedded is not None:
            self.embedded.stop()

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Serialise a change to a shared object (e.g. a protected type) across the processes
        of one run (pytest-xdist workers) that test the same target from this machine."""
        digest = hashlib.sha1(f"{self.url}|{name}".encode()).hexdigest()[:16]
        path = Path(tempfile.gettempdir(), f"blocks-conformance-{digest}.lock")
        with path.open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def request_headers(run: RunBeingOpened, given: dict[str, str]) -> dict[str, str]:
    """Headers given (--target-header, or --blocks-oracle-header for the oracle) over the
    profile's default headers (names compared case-blind)."""
    defaults = run.default_headers()
    taken = {name.lower() for name in given}
    return {**{k: v for k, v in defaults.items() if k.lower() not in taken}, **given}


def client_of(
    run: RunBeingOpened,
    url: str,
    headers: dict[str, str],
    timeout: float,
    counters: Counters | None = None,
    more: tuple[Listener, ...] = (),
) -> ApiClient:
    """A client of the run's API at ``url``, with its listeners: the objects its answers report
    created are cleaned up, the credentials it sends and meets are kept out of the reports,
    then ``more`` (the recording, the oracle of differential mode). The one place where a
    client's listeners are assembled."""
    profile = run.profile
    run.redactor.learn_headers(headers)
    client = ApiClient(url, headers, timeout, profile.answers, counters, run.state)
    client.listen(
        [ObjectsCreated(client, profile.cleanup), CredentialsLearned(run.redactor), *more]
    )
    return client


def start_embedded(run: RunBeingOpened) -> EmbeddedServer:
    """Start the embedded reference server's process (``open_target`` waits for it): started
    as the session starts, it gets ready while the tests are collected."""
    server = run.profile.server
    return EmbeddedServer(server, run.profile.probe, server.arguments(run.settings))


def check_usable(run: RunBeingOpened, url: str, headers: dict[str, str], role: str) -> None:
    """The start-up check of the target (or the oracle, ``role``): a server the run cannot use
    ends it here, with one paragraph and exit code 4."""
    profile = run.profile
    problem = probe(url, headers, run.settings.timeout, profile.probe, run.settings)
    if problem is None:
        return
    if problem.refused:
        option = "--target-header" if role == "target" else "--blocks-oracle-header"
        credentials = profile.credentials
        sent = SentCredentials(option, headers, credentials.options, credentials.hint)
        refused(url, problem.what, sent, role)
    unusable(url, problem.what, profile.name, profile.example_url, role)


def open_target(
    run: RunBeingOpened,
    current_test: Callable[[], CurrentTest | None],
    started: EmbeddedServer | None = None,
) -> tuple[Target, Mirror | None]:
    """Start the embedded server (or take the one ``started``) or probe --target-url, make the
    run's client and namespace, and open the oracle of differential mode (its differences and
    the recorded exchanges are filed under ``current_test()``)."""
    profile, settings = run.profile, run.settings
    headers = request_headers(run, settings.headers)
    url, embedded = settings.target_url, None
    with run.timed("target start"):
        if url is None:
            embedded = started or start_embedded(run)
            try:
                embedded.wait_until_healthy()
            except RuntimeError as error:
                embedded.stop()
                exit_unusable(str(error))
            url = embedded.url
        else:
            check_usable(run, url, headers, "target")
    mirror = open_mirror(run, url.rstrip("/"), current_test)
    more: list[Listener] = []
    if settings.record_exchanges:
        more.append(Recorder(settings.record_exchanges, url.rstrip("/"), current_test))
    if mirror is not None:
        more.append(mirror)
    client = client_of(run, url, headers, settings.timeout, run.counters, tuple(more))
    namespace = f"conf-{secrets.token_hex(4)}-"
    if mirror is not None and isinstance(mirror.oracle, TranscriptOracle):
        # A recorded run is replayed in its own namespace (names, slugs and the checksums of
        # fields that name them must be the same); whatever an earlier replay left is swept.
        namespace = mirror.oracle.namespace
        clean_up(client, profile.cleanup, namespace)
    return Target(url, client, namespace, profile.cleanup, embedded), mirror


def open_mirror(
    run: RunBeingOpened, target_url: str, current_test: Callable[[], CurrentTest | None]
) -> Mirror | None:
    """Differential mode, when an oracle is named: a live server or a recorded transcript."""
    profile, settings = run.profile, run.settings
    url = settings.oracle_url
    transcript = settings.oracle_transcript
    if url and transcript:
        raise pytest.UsageError(
            "name one oracle: --blocks-oracle-url or --blocks-oracle-transcript, not both"
        )
    if transcript:
        try:
            oracle = TranscriptOracle(Path(transcript))
        except (OSError, ValueError) as error:
            raise pytest.UsageError(f"--blocks-oracle-transcript {transcript}: {error}") from None
    elif url:
        headers = request_headers(run, settings.oracle_headers)
        check_usable(run, url, headers, "oracle")
        oracle_client = client_of(run, url, headers, settings.timeout)
        oracle = LiveOracle(oracle_client, target_url, profile.cleanup)
    else:
        return None
    return Mirror(oracle, target_url, profile.differential, current_test)
