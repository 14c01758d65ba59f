"""The server under test: the bundled reference server or a URL, probed before any test runs."""

import fcntl
import hashlib
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from .client import ApiClient, Counters, Recorder, tls_context
from .differential import LiveOracle, Mirror, TranscriptOracle
from .embedded import EmbeddedServer
from .options import PROBE_TIMEOUT_CAP
from .profiles import Profile
from .redaction import CredentialsLearned, without_url_passwords
from .run import Run

EXIT_TARGET_UNUSABLE = 4


@dataclass
class Target:
    url: str
    client: ApiClient
    namespace: str
    embedded: EmbeddedServer | None = None
    leftovers: list[str] = field(default_factory=list)  # deletes that failed
    left_behind: list[str] = field(default_factory=list)  # objects the API cannot delete
    # more namespaces of the run, swept at its end (those of other processes it starts)
    other_namespaces: list[str] = field(default_factory=list)

    def close(self, mirror: Mirror | None) -> None:
        if self.embedded is None:  # the embedded server's database is thrown away whole
            self.leftovers = self.client.clean_up(self.namespace, *self.other_namespaces)
            self.left_behind = list(self.client.left_behind)
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


def unusable(url: str, what: str, profile: Profile, role: str = "target") -> None:
    option = "--target-url" if role == "target" else "--blocks-oracle-url"
    advice = (
        ", or leave --target-url out to test the bundled reference server"
        if role == "target"
        else ""
    )
    paragraph = (
        f"blocks-conformance: the {role} {url} is not usable: {what}. Nothing was tested. "
        f"Check that the server is running and that {option} is the base URL of its "
        f"{profile.name} API (for example {profile.example_url}){advice}."
    )
    pytest.exit(without_url_passwords(paragraph), returncode=EXIT_TARGET_UNUSABLE)


def probe(
    url: str, headers: dict[str, str], timeout: float, profile: Profile, role: str = "target"
) -> None:
    """One request to the profile's probe path; anything but a live answer ends the run."""
    probed = f"{url.rstrip('/')}{profile.probe_path}"
    started = time.monotonic()
    try:
        answer = httpx.get(
            probed,
            headers=headers,
            timeout=min(timeout, PROBE_TIMEOUT_CAP),
            verify=tls_context(),
        )
    except httpx.HTTPError as error:
        waited = time.monotonic() - started
        unusable(
            url,
            f"GET {probed} failed after {waited:.1f} s with {type(error).__name__}: "
            f"{error or 'no detail'}",
            profile,
            role,
        )
        return
    if not profile.probe_alive(answer):
        unusable(
            url,
            f"GET {probed} answered {answer.status_code} instead of {profile.probe_expectation}",
            profile,
            role,
        )


def request_headers(run: Run, given: dict[str, str]) -> dict[str, str]:
    """Headers given (--target-header, or --blocks-oracle-header for the oracle) over the
    profile's default headers (names compared case-blind)."""
    profile = run.profile
    defaults = profile.default_headers(run.settings) if profile.default_headers else {}
    taken = {name.lower() for name in given}
    return {**{k: v for k, v in defaults.items() if k.lower() not in taken}, **given}


def client_of(
    run: Run, url: str, headers: dict[str, str], timeout: float, counters: Counters | None = None
) -> ApiClient:
    """A client of the run's API at ``url``: the credentials it sends and meets are kept out
    of the reports, and the objects its answers report created are cleaned up. The one place
    where a client's listeners are assembled (``open_target`` adds the recording and the
    oracle to the target's)."""
    run.redactor.learn_headers(headers)
    client = ApiClient(url, headers, timeout, run.profile, counters, run.state)
    client.listen([CredentialsLearned(run.redactor)])
    return client


def start_embedded(run: Run) -> EmbeddedServer:
    """Start the embedded reference server's process (``open_target`` waits for it): started
    as the session starts, it gets ready while the tests are collected."""
    return EmbeddedServer(run.profile, run.profile.embedded_arguments(run.settings))


def open_target(run: Run, started: EmbeddedServer | None = None) -> Target:
    """Start the embedded server (or take the one ``started``) or probe --target-url, make the
    run's client and namespace, and open the oracle of differential mode; the run holds them
    from then on."""
    profile, settings = run.profile, run.settings
    headers = request_headers(run, settings.headers)
    timeout = settings.timeout
    url = settings.target_url
    embedded = None
    with run.timed("target start"):
        if url is None:
            embedded = started or start_embedded(run)
            try:
                embedded.wait_until_healthy()
            except RuntimeError as error:
                embedded.stop()
                pytest.exit(f"blocks-conformance: {error}", returncode=EXIT_TARGET_UNUSABLE)
            url = embedded.url
        else:
            probe(url, headers, timeout, profile)
    client = client_of(run, url, headers, timeout, run.counters)
    if settings.record_exchanges:
        client.listen([Recorder(settings.record_exchanges, client.base_url, lambda: run.test)])
    namespace = f"conf-{secrets.token_hex(4)}-"
    run.mirror = open_mirror(run, client)
    if run.mirror is not None and isinstance(run.mirror.oracle, TranscriptOracle):
        # A recorded run is replayed in its own namespace (names, slugs and the checksums of
        # fields that name them must be the same); whatever an earlier replay left is swept.
        namespace = run.mirror.oracle.namespace
        client.clean_up(namespace)
    run.target = Target(url, client, namespace, embedded)
    return run.target


def open_mirror(run: Run, client: ApiClient) -> Mirror | None:
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
        probe(url, headers, settings.timeout, profile, role="oracle")
        oracle = LiveOracle(client_of(run, url, headers, settings.timeout), client.base_url)
    else:
        return None
    mirror = Mirror(oracle, client, run)
    client.listen([mirror])
    return mirror
