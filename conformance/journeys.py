"""Real-client journeys, written once for every profile that has them (level 5, clients).

A journey is a script of a profile's ``journeys/`` folder that drives the real client of the API
(the Prefect client and CLI, peak-sdk) in another interpreter, one per client release, against
the target; it prints each step's outcome (the value the client returned, or the error it
raised) as the last line of its output. The outcomes, with what differs between servers and runs
replaced by placeholders, are compared with the expectation recorded for that client release
(``journeys-<release>.json``). A profile supplies only what differs: a ``ClientKind``.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from .checks import fail
from .real_clients import ClientKind, Destination, client_version, expectation
from .target import Target

TIMEOUT = 300.0
SHOWN_ERROR_LINES = 12
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CHECKSUM = re.compile(r"sha256:[0-9a-f]{64}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
# keys of a step's outcome that are never compared: the traceback's paths differ, and "raised"
# is the error class a script read as one of several allowed ones (its "error" names them all)
UNCOMPARED = ("traceback", "raised")


# ---- running a journey -------------------------------------------------------------------------


@dataclass
class JourneyRun:
    name: str
    returncode: int | None  # None: it ran over the time limit
    stdout: str
    stderr: str
    result: dict | None  # {"<module>_version": ..., "steps": {name: outcome}}
    seconds: float

    def output_tail(self, lines: int = 25) -> str:
        text = (self.stderr.strip() or self.stdout.strip() or "(no output)").splitlines()
        return "\n".join(text[-lines:])

    @property
    def not_applicable(self) -> str | None:
        """Why the journey does not apply to this client release (a feature it lacks)."""
        return (self.result or {}).get("not_applicable")


def last_json_line(text: str) -> dict | None:
    """The results a journey prints as its last line."""
    lines = text.strip().splitlines()
    try:
        found = json.loads(lines[-1]) if lines else None
    except ValueError:
        return None
    return found if isinstance(found, dict) and "steps" in found else None


def run_journey(
    kind: ClientKind,
    python: str,
    name: str,
    destination: Destination,
    workdir: Path,
    timeout: float = TIMEOUT,
) -> JourneyRun:
    """The journey ``name`` run by ``python`` against the destination (one interpreter start),
    in a clean environment with the client pointed at the target."""
    folder = workdir / name
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **kind.clean_environment(),
        **kind.point_at(destination, folder),
        "BLOCKS_JOURNEY_NAMESPACE": destination.namespace,
        "BLOCKS_JOURNEY_WORKDIR": str(folder),
    }
    started = time.monotonic()
    command = [python, str(kind.scripts / f"{name}.py")]
    try:
        done = subprocess.run(
            command, env=env, cwd=folder, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as late:
        return JourneyRun(name, None, str(late.stdout or ""), str(late.stderr or ""), None, timeout)
    except OSError as error:
        return JourneyRun(name, 127, "", f"could not start {python}: {error}", None, 0.0)
    seconds = time.monotonic() - started
    result = last_json_line(done.stdout)
    return JourneyRun(name, done.returncode, done.stdout, done.stderr, result, seconds)


class Placeholders:
    """Replaces what differs between servers and runs: the run's namespace, the target's URL,
    timestamps, and the values a server invents (ids, checksums that contain the namespace).
    A value the journey named after the object it stands for (``names``: the spec's id, a
    class's schema checksum) becomes that name, wherever it appears; any other id or checksum
    becomes its kind alone. Nothing is numbered: one id more in an answer changes no other
    placeholder."""

    def __init__(self, namespace: str, url: str, names: Mapping[str, str] | None = None) -> None:
        parts = urlsplit(url)
        self.fixed = {
            namespace: "<ns>",
            namespace.replace("-", "_"): "<ns_>",  # in Python names the client derives
            url.rstrip("/"): "<api>",
            f"{parts.scheme}://{parts.netloc}": "<origin>",
        }
        self.names = dict(names or {})

    def named(self, kind: str, value: str) -> str:
        return f"<{self.names[value]}>" if value in self.names else f"<{kind}>"

    def text(self, value: str) -> str:
        if value in self.names:  # an id of any form (Peak's may be any text), given whole
            return f"<{self.names[value]}>"
        for found, placeholder in self.fixed.items():
            value = value.replace(found, placeholder)
        value = UUID.sub(lambda match: self.named("id", match.group()), value)
        value = CHECKSUM.sub(lambda match: self.named("checksum", match.group()), value)
        return TIMESTAMP.sub("<time>", value)

    def apply(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {self.text(key): self.apply(value[key]) for key in sorted(value)}
        if isinstance(value, list):
            return [self.apply(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value


def comparable_steps(run: JourneyRun, namespace: str, url: str) -> dict[str, Any]:
    """The steps' outcomes in the order they ran, with placeholders (the values the journey
    named, by their names) and without what is never compared."""
    result = run.result or {}
    placeholders = Placeholders(namespace, url, result.get("names"))
    return {
        step: placeholders.apply({k: v for k, v in outcome.items() if k not in UNCOMPARED})
        for step, outcome in result.get("steps", {}).items()
    }


# ---- checks ------------------------------------------------------------------------------------


def shown(value: Any, limit: int = 600) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


MISSING = object()


def first_difference(expected: Any, actual: Any, path: str = "") -> tuple[str, Any, Any]:
    """Where two results first differ: the path into them and the two values there."""
    if isinstance(expected, dict) and isinstance(actual, dict) and set(expected) == set(actual):
        for key, wanted in expected.items():
            if wanted != actual[key]:
                return first_difference(wanted, actual[key], f"{path}.{key}" if path else key)
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            if left != right:
                return first_difference(left, right, f"{path}[{index}]")
    return path, expected, actual


def described(value: Any) -> str:
    return "nothing" if value is MISSING else shown(value)


def expect_finished(kind: ClientKind, run: JourneyRun, python: str) -> None:
    """The script ran to its end and printed its results."""
    __tracebackhide__ = True
    if run.returncode is None:
        fail(
            f"journey {run.name}: the {kind.client} client must finish within {TIMEOUT:.0f} s",
            f"it was still running; its output ends with:\n{run.output_tail()}",
        )
    if run.returncode != 0 or run.result is None:
        fail(
            f"journey {run.name}: the {kind.client} client ({python}) must run the journey to "
            "its end",
            f"it exited {run.returncode}; its output ends with:\n{run.output_tail()}",
        )


def client_error(outcome: dict) -> str:
    lines = outcome.get("traceback") or [f"{outcome.get('error')}: {outcome.get('message')}"]
    return "\n".join(f"      {line}" for line in lines[-SHOWN_ERROR_LINES:])


def passed_through(kind: ClientKind, outcome: Any) -> bool:
    """An error whose class only passes the server's answer on (each of the classes a step
    allows, "A or B", is such a class)."""
    if not isinstance(outcome, dict) or not isinstance(outcome.get("error"), str):
        return False
    return all(name in kind.passed_through for name in outcome["error"].split(" or "))


def as_compared(kind: ClientKind, steps: dict[str, Any]) -> dict[str, Any]:
    """The steps as their clause compares them: what the client returned as the journey reads
    it (the documents' promise, not the ``body`` it came in) or the error it raised; an error
    that only passes the server's answer on is compared by its class alone, every other
    error's message is the client's own and compared whole."""
    shown = {}
    for step, outcome in steps.items():
        dropped = {"body", "message"} if passed_through(kind, outcome) else {"body"}
        shown[step] = {k: v for k, v in outcome.items() if k not in dropped}
    return shown


def as_bodies(kind: ClientKind, steps: dict[str, Any]) -> dict[str, Any]:
    """The steps as the bodies' SHOULD clause compares them: each whole answer the client
    handed on unchanged, and the server's words an exception carries."""
    shown = {}
    for step, outcome in steps.items():
        if "body" in outcome:
            shown[step] = {"body": outcome["body"]}
        elif passed_through(kind, outcome):
            shown[step] = {"message": outcome.get("message")}
    return shown


def expect_same_as_recorded(
    kind: ClientKind,
    run: JourneyRun,
    destination: Destination,
    version: str,
    view: Callable[[ClientKind, dict], dict] = as_compared,
) -> None:
    """Every step returned (or raised) what the client release ``version`` gives against the
    server its expectation was recorded against, as ``view`` shows the steps (by default what
    the journey's MUST clause compares; ``as_bodies``: the whole answers)."""
    __tracebackhide__ = True
    recorded = expectation(kind, version)["journeys"][run.name]["steps"]
    expected = view(kind, recorded)
    actual = view(kind, comparable_steps(run, destination.namespace, destination.url))
    differing = [step for step in {**expected, **actual} if expected.get(step) != actual.get(step)]
    if not differing:
        return
    first = differing[0]
    where, wanted, got = first_difference(
        expected.get(first, MISSING), actual.get(first, MISSING), first
    )
    observed = f"the client gave {described(got)} at {where}"
    if isinstance(wanted, dict) and isinstance(got, dict):
        missing, added = sorted(set(wanted) - set(got)), sorted(set(got) - set(wanted))
        observed += f" (keys missing: {missing}, keys added: {added})"
    raw = (run.result or {}).get("steps", {}).get(first, {})
    if "error" in raw:
        observed += f"\n    the client's own error:\n{client_error(raw)}"
    for detail in kind.detail(raw):
        observed += f"\n    {detail}"
    if len(differing) > 1:
        observed += f"\n    other steps that differ: {', '.join(differing[1:])}"
    truth = kind.ground_truth.format(version=version)
    verb = "must" if view is as_compared else "should"
    fail(
        f"journey {run.name}, step {first}: the {kind.client} {version} client {verb} give what "
        f"it gives against {truth}: {described(wanted)} at {where}",
        observed,
    )


# ---- a run's clients ---------------------------------------------------------------------------


class Journeys:
    """Runs the journeys of one client (its interpreter ``python``, of the release ``version``)
    against the target, in a namespace of the client's own that the run's clean-up sweeps, and
    checks their results."""

    def __init__(
        self,
        kind: ClientKind,
        python: str,
        version: str,
        target: Target,
        destination: Destination,
        workdir: Path,
    ) -> None:
        self.kind = kind
        self.python = python
        self.version = version
        self.target = target
        self.workdir = workdir
        namespace = kind.namespace_of(target.namespace, version)
        if namespace not in target.other_namespaces:
            target.other_namespaces.append(namespace)
        self.destination = Destination(
            destination.url, destination.headers, namespace, destination.extras
        )
        self.runs: dict[str, JourneyRun] = {}

    @property
    def namespace(self) -> str:
        return self.destination.namespace

    def run(self, name: str) -> JourneyRun:
        """The journey ``name`` run once (its clause and the bodies' clause read the same run)."""
        if name not in self.runs:
            self.runs[name] = run_journey(
                self.kind, self.python, name, self.destination, self.workdir
            )
        return self.runs[name]

    def check(self, name: str) -> JourneyRun:
        __tracebackhide__ = True
        run = self.run(name)
        expect_finished(self.kind, run, self.python)
        expect_same_as_recorded(self.kind, run, self.destination, self.version)
        return run

    def check_bodies(self, name: str) -> JourneyRun:
        """The whole answers the client handed on in the journey ``name`` are the ones it got
        from the server the expectation was recorded against."""
        __tracebackhide__ = True
        run = self.run(name)
        expect_finished(self.kind, run, self.python)
        expect_same_as_recorded(self.kind, run, self.destination, self.version, as_bodies)
        return run

    def applies(self, name: str) -> bool:
        return applies(self.kind, self.version, name)


def journey_of(clause_id: str) -> str:
    """A journey is named after its clause's topic: PF-JRN-custom-block runs custom_block.py."""
    return clause_id.split("-", 2)[-1].replace("-", "_")


def applies(kind: ClientKind, version: str | None, journey: str) -> bool:
    """The release's expectation holds the journey (a release without one is refused before
    any test runs; until then, in a catalogue-only run, everything applies)."""
    if version not in kind.recorded_versions():
        return True
    return journey in expectation(kind, version)["journeys"]


def not_applicable_reason(kind: ClientKind, versions: list[str], journey: str) -> str:
    reasons = [
        expectation(kind, version).get("not_applicable", {}).get(journey, "")
        for version in versions
        if version in kind.recorded_versions()
    ]
    said = "; ".join(sorted({reason for reason in reasons if reason}))
    return f"a {kind.package} release the journey {journey} applies to ({kind.option}; {said})"


def client_parameters(kind: ClientKind, pythons: list[str], clause_ids: list[str]) -> list:
    """The ``journey_client`` parameters of a journey's test: one per client whose release the
    journey applies to (named with the release, ``[3.9.1]``). With clients none of which it
    applies to, one parameter its clause is reported not covered for (``needs`` unmet)."""
    clients = [(python, client_version(kind, python)) for python in pythons]
    journey = journey_of(clause_ids[0]) if clause_ids else None
    if journey in kind.journey_names():  # (a clause of every journey, such as PP-JRN-bodies)
        kept = [client for client in clients if applies(kind, client[1], journey)]
        if clients and not kept:
            why = not_applicable_reason(kind, [version for _, version in clients], journey)
            unmet = pytest.mark.needs(kind.dest, why, unmet=True)
            return [pytest.param(None, id="no-client", marks=unmet)]
        clients = kept
    parameters = [pytest.param(client, id=client[1]) for client in clients]
    return parameters or [pytest.param(None, id="no-client")]


def parametrize_clients(metafunc: pytest.Metafunc, kind: ClientKind, pythons: list[str]) -> None:
    """A test taking ``journey_client`` runs once per client release its journey (named after
    its clause) applies to; each client's release was checked at the run's start
    (``unusable_clients``)."""
    if "journey_client" not in metafunc.fixturenames:
        return
    clauses = [c for mark in metafunc.definition.iter_markers("clause") for c in mark.args]
    parameters = client_parameters(kind, pythons, clauses)
    metafunc.parametrize("journey_client", parameters, scope="session")


# ---- recording an expectation ------------------------------------------------------------------


def record(
    kind: ClientKind, python: str, destination: Destination, how: str, path: Path | None = None
) -> dict:
    """Run every journey against the destination in a fresh namespace, write the expectation
    file (by default the client release's own; a journey that does not apply to the release is
    left out, with why), and delete what the journeys left."""
    version = client_version(kind, python)
    if version is None:
        raise SystemExit(f"{python} has no {kind.package} installed")
    path = path or kind.expectation_path(version)
    namespace = f"conf-{secrets.token_hex(4)}-"
    destination = Destination(destination.url, destination.headers, namespace, destination.extras)
    journeys, not_applicable = {}, {}
    with tempfile.TemporaryDirectory() as folder:
        for name in kind.journey_names():
            run = run_journey(kind, python, name, destination, Path(folder))
            if run.result is None:
                raise SystemExit(f"journey {name} failed:\n{run.output_tail()}")
            if run.not_applicable:
                not_applicable[name] = run.not_applicable
                continue
            journeys[name] = {
                "digest": kind.script_digest(name),
                "steps": comparable_steps(run, namespace, destination.url),
            }
    leftovers = swept(kind, destination)
    recorded = {f"{kind.module}_version": version, "how": how.format(version=version)}
    if not_applicable:
        recorded["not_applicable"] = not_applicable
    recorded["journeys"] = journeys
    path.write_text(json.dumps(recorded, indent=2) + "\n")
    if leftovers:
        raise SystemExit(f"recorded, but clean-up could not delete: {leftovers}")
    return recorded


def swept(kind: ClientKind, destination: Destination) -> list[str]:
    """Delete what the journeys left in their namespace (the profile's sweep)."""
    from . import profiles
    from .cleanup import clean_up
    from .options import Settings
    from .run import Run
    from .target import client_of

    run = Run(profiles.get(kind.profile), Settings.of(target_url=destination.url))
    client = client_of(run, destination.url, dict(destination.headers), 30.0)
    try:
        return clean_up(client, run.profile.cleanup, destination.namespace)
    finally:
        client.close()
