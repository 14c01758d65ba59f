"""Real-client journeys: scripts in ``journeys/`` drive the Prefect client and CLI against the
target in another interpreter (``--blocks-prefect-python``, one per client release); their
results are compared with those recorded with that client release against its own real server
(``fixtures/prefect/journeys-<release>.json``).

Record a client release's expectation against its real server with::

    python -m conformance.prefect.client_journeys --python PREFECT_VENV/bin/python \\
        --target-url http://127.0.0.1:4200/api

(the file is named after the client's release; ``--record PATH`` writes elsewhere).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import subprocess
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import fixtures_dir
from ..checks import fail

JOURNEYS_DIR = Path(__file__).resolve().parent / "journeys"
KIT = "journey_kit"
TIMEOUT = 300.0
SHOWN_ERROR_LINES = 12
# variables of the calling environment that would point the other interpreter elsewhere
FOREIGN_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CHECKSUM = re.compile(r"sha256:[0-9a-f]{64}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def journey_names() -> list[str]:
    return sorted(path.stem for path in JOURNEYS_DIR.glob("*.py") if path.stem != KIT)


def script_digest(name: str) -> str:
    """What a recorded expectation was made by: the journey's script and the shared kit."""
    digest = hashlib.sha256()
    for stem in (name, KIT):
        digest.update((JOURNEYS_DIR / f"{stem}.py").read_bytes())
    return digest.hexdigest()


def client_settings(headers: dict[str, str]) -> dict[str, str]:
    """The target's headers as the Prefect client takes them: Basic credentials as its auth
    string, a Bearer token as its API key, anything else as custom headers."""
    settings: dict[str, str] = {}
    custom: dict[str, str] = {}
    for name, value in headers.items():
        scheme, _, credential = value.partition(" ")
        if name.lower() == "authorization" and scheme.lower() == "basic":
            settings["PREFECT_API_AUTH_STRING"] = base64.b64decode(credential).decode()
        elif name.lower() == "authorization" and scheme.lower() == "bearer":
            settings["PREFECT_API_KEY"] = credential
        else:
            custom[name] = value
    if custom:
        settings["PREFECT_CLIENT_CUSTOM_HEADERS"] = json.dumps(custom)
    return settings


def clean_environment() -> dict[str, str]:
    """The calling environment without Prefect settings or what points Python elsewhere."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PREFECT_") and name not in FOREIGN_VARIABLES
    }


def client_environment(
    url: str, headers: dict[str, str], namespace: str, workdir: Path
) -> dict[str, str]:
    """The calling environment without its Prefect settings, and the client pointed at the
    target with a home of its own (no profile or setting of the user's leaks in)."""
    return {
        **clean_environment(),
        "PREFECT_API_URL": url,
        "PREFECT_HOME": str(workdir / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_CLI_COLORS": "false",
        "PREFECT_CLI_WRAP_LINES": "false",
        "COLUMNS": "200",
        "BLOCKS_JOURNEY_NAMESPACE": namespace,
        "BLOCKS_JOURNEY_WORKDIR": str(workdir),
        **client_settings(headers),
    }


@dataclass
class JourneyRun:
    name: str
    returncode: int | None  # None: it ran over the time limit
    stdout: str
    stderr: str
    result: dict | None  # {"prefect_version": ..., "steps": {name: outcome}}
    seconds: float

    def output_tail(self, lines: int = 25) -> str:
        text = (self.stderr.strip() or self.stdout.strip() or "(no output)").splitlines()
        return "\n".join(text[-lines:])


def last_json_line(text: str) -> dict | None:
    """The results a journey prints as its last line."""
    lines = text.strip().splitlines()
    try:
        found = json.loads(lines[-1]) if lines else None
    except ValueError:
        return None
    return found if isinstance(found, dict) and "steps" in found else None


def run_journey(
    python: str,
    name: str,
    url: str,
    headers: dict[str, str],
    namespace: str,
    workdir: Path,
    timeout: float = TIMEOUT,
) -> JourneyRun:
    """The journey ``name`` run by ``python`` against ``url`` (one interpreter start)."""
    folder = workdir / name
    folder.mkdir(parents=True, exist_ok=True)
    env = client_environment(url, headers, namespace, folder)
    started = time.monotonic()
    command = [python, str(JOURNEYS_DIR / f"{name}.py")]
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
    """Replaces what differs between servers and runs (the run's namespace, the target's URL,
    ids, checksums that contain the namespace, timestamps) and keeps what is the same: one id
    is one placeholder wherever it appears, numbered in order of appearance."""

    def __init__(self, namespace: str, url: str) -> None:
        parts = urlsplit(url)
        self.fixed = {
            namespace: "<ns>",
            namespace.replace("-", "_"): "<ns_>",  # in Python names the client derives
            url.rstrip("/"): "<api>",
            f"{parts.scheme}://{parts.netloc}": "<origin>",
        }
        self.numbered: dict[str, str] = {}

    def number(self, kind: str, value: str) -> str:
        if value not in self.numbered:
            count = sum(v.startswith(f"<{kind}-") for v in self.numbered.values())
            self.numbered[value] = f"<{kind}-{count + 1}>"
        return self.numbered[value]

    def text(self, value: str) -> str:
        for found, placeholder in self.fixed.items():
            value = value.replace(found, placeholder)
        value = UUID.sub(lambda match: self.number("id", match.group()), value)
        value = CHECKSUM.sub(lambda match: self.number("checksum", match.group()), value)
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
    """The steps' outcomes in the order they ran, with placeholders (numbered in that order)
    and without tracebacks (their paths differ)."""
    placeholders = Placeholders(namespace, url)
    return {
        step: placeholders.apply({k: v for k, v in outcome.items() if k != "traceback"})
        for step, outcome in (run.result or {}).get("steps", {}).items()
    }


def expectation_path(version: str) -> Path:
    return fixtures_dir() / "prefect" / f"journeys-{version}.json"


@cache
def expectation(version: str) -> dict:
    return json.loads(expectation_path(version).read_text())


def recorded_versions() -> list[str]:
    """The client releases whose journeys have a recorded expectation."""
    found = (fixtures_dir() / "prefect").glob("journeys-*.json")
    return sorted(path.stem.removeprefix("journeys-") for path in found)


@cache
def client_version(python: str) -> str | None:
    """The prefect release installed for ``python`` (None: no prefect, or no such Python)."""
    try:
        found = subprocess.run(
            [python, "-c", "import prefect; print(prefect.__version__)"],
            capture_output=True,
            text=True,
            timeout=120,
            env=clean_environment(),
        )
    except OSError:
        return None
    return found.stdout.strip() if found.returncode == 0 and found.stdout.strip() else None


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


def expect_finished(run: JourneyRun, python: str) -> None:
    """The script ran to its end and printed its results."""
    __tracebackhide__ = True
    if run.returncode is None:
        fail(
            f"journey {run.name}: the Prefect client must finish within {TIMEOUT:.0f} s",
            f"it was still running; its output ends with:\n{run.output_tail()}",
        )
    if run.returncode != 0 or run.result is None:
        fail(
            f"journey {run.name}: the Prefect client ({python}) must run the journey to its end",
            f"it exited {run.returncode}; its output ends with:\n{run.output_tail()}",
        )


def client_error(outcome: dict) -> str:
    lines = outcome.get("traceback") or [f"{outcome.get('error')}: {outcome.get('message')}"]
    return "\n".join(f"      {line}" for line in lines[-SHOWN_ERROR_LINES:])


# Errors whose message quotes the server's answer (PrefectHTTPStatusError embeds the response
# body): the client only passes the server's words through, so such a step is compared as "an
# error of this class"; every other error's message is the client's own and compared whole.
PASSED_THROUGH = frozenset({"PrefectHTTPStatusError", "HTTPStatusError"})


def as_compared(steps: dict[str, Any]) -> dict[str, Any]:
    return {
        step: {k: v for k, v in outcome.items() if k != "message"}
        if isinstance(outcome, dict) and outcome.get("error") in PASSED_THROUGH
        else outcome
        for step, outcome in steps.items()
    }


def expect_same_as_real_server(run: JourneyRun, namespace: str, url: str, version: str) -> None:
    """Every step returned (or raised) what the client release ``version`` gives against its
    own real Prefect server."""
    __tracebackhide__ = True
    expected = as_compared(expectation(version)["journeys"][run.name]["steps"])
    actual = as_compared(comparable_steps(run, namespace, url))
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
    for command_output in failed_commands(raw.get("value")):
        observed += f"\n    the command's output ends with:\n{command_output}"
    if len(differing) > 1:
        observed += f"\n    other steps that differ: {', '.join(differing[1:])}"
    fail(
        f"journey {run.name}, step {first}: the Prefect {version} client must give what it gives "
        f"against the real Prefect {version} server: {described(wanted)} at {where}",
        observed,
    )


def failed_commands(value: Any) -> list[str]:
    """The output of CLI commands that did not exit 0 (a CLI step's errors are its output)."""
    commands = value if isinstance(value, list) else [value]
    found = []
    for command in commands:
        if isinstance(command, dict) and command.get("exit_code") not in (0, None):
            lines = command.get("output", [])[-SHOWN_ERROR_LINES:]
            found.append("\n".join(f"      {line}" for line in lines))
    return found


# ---- recording the expectation -----------------------------------------------------------------


def record(python: str, url: str, headers: dict[str, str], path: Path | None = None) -> dict:
    """Run every journey against ``url`` (the real Prefect server of the client's release) in a
    fresh namespace, write the expectation file (by default the client release's own), and
    delete what the journeys left."""
    version = client_version(python)
    if version is None:
        raise SystemExit(f"{python} has no prefect installed")
    path = path or expectation_path(version)
    from .. import profiles
    from ..client import ApiClient
    from ..options import Settings
    from ..run import Run

    namespace = f"conf-{secrets.token_hex(4)}-"
    journeys = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in journey_names():
            run = run_journey(python, name, url, headers, namespace, Path(folder))
            if run.result is None:
                raise SystemExit(f"journey {name} failed:\n{run.output_tail()}")
            journeys[name] = {
                "digest": script_digest(name),
                "steps": comparable_steps(run, namespace, url),
            }
    run = Run(profiles.get("prefect"), Settings.of(target_url=url))
    client = ApiClient(run, url, headers, 30.0)
    leftovers = client.clean_up(namespace)
    client.close()
    recorded = {
        "prefect_version": version,
        "how": "python -m conformance.prefect.client_journeys --python PY --target-url URL, "
        f"against prefect server {version} with the prefect=={version} client",
        "journeys": journeys,
    }
    path.write_text(json.dumps(recorded, indent=2) + "\n")
    if leftovers:
        raise SystemExit(f"recorded, but clean-up could not delete: {leftovers}")
    return recorded


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Record the journeys' results on a server.")
    parser.add_argument("--python", required=True, help="a Python with the prefect client")
    parser.add_argument("--target-url", required=True, help="the real server's API URL")
    parser.add_argument("--target-header", action="append", default=[], metavar="'NAME: VALUE'")
    parser.add_argument(
        "--record",
        type=Path,
        metavar="PATH",
        help="where to write (default fixtures/prefect/journeys-<client release>.json)",
    )
    arguments = parser.parse_args(argv)
    headers = dict(
        (part.strip() for part in header.split(":", 1)) for header in arguments.target_header
    )
    record(arguments.python, arguments.target_url, headers, arguments.record)


if __name__ == "__main__":
    main()
