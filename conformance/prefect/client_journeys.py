"""Real-client journeys of the Prefect profile: scripts in ``journeys/`` drive the Prefect client
and CLI against the target in another interpreter (``--blocks-prefect-python``, one per client
release); their results are compared with those recorded with that client release against its
own real server (``fixtures/prefect/journeys-<release>.json``). The machinery is shared by every
profile (``conformance/journeys.py``); this module says what is Prefect's own.

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
from pathlib import Path
from typing import Any

from ..journeys import SHOWN_ERROR_LINES
from ..journeys import record as record_journeys
from ..real_clients import ClientKind, Destination, client_version

RECORD_COMMAND = "python -m conformance.prefect.client_journeys --python PY --target-url URL"


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


def client_environment(destination: Destination, workdir: Path) -> dict[str, str]:
    """The client pointed at the target with a home of its own (no profile or setting of the
    user's leaks in: the calling environment's PREFECT_ variables are dropped)."""
    return {
        "PREFECT_API_URL": destination.url,
        "PREFECT_HOME": str(workdir / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_CLI_COLORS": "false",
        "PREFECT_CLI_WRAP_LINES": "false",
        "COLUMNS": "200",
        **client_settings(dict(destination.headers)),
    }


def failed_commands(outcome: dict) -> list[str]:
    """The output of CLI commands that did not exit 0 (a CLI step's errors are its output)."""
    value = outcome.get("value")
    commands = value if isinstance(value, list) else [value]
    found = []
    for command in commands:
        if isinstance(command, dict) and command.get("exit_code") not in (0, None):
            lines = command.get("output", [])[-SHOWN_ERROR_LINES:]
            output = "\n".join(f"      {line}" for line in lines)
            found.append(f"the command's output ends with:\n{output}")
    return found


def cli_namespace(run_namespace: str, version: str) -> str:
    """A namespace as long as the run's (the CLI's tables are as wide as the names in them),
    derived from it, and sorting before the run's: `prefect block type ls` shows the first page
    of the types by name, which the run's own types (deleted only at its end) would otherwise
    push the journey's off."""
    digest = hashlib.sha256(f"{run_namespace}{version}".encode()).hexdigest()
    return f"conf-0000{digest[:4]}-"


PREFECT = ClientKind(
    profile="prefect",
    client="Prefect",
    package="prefect",
    module="prefect",
    option="--blocks-prefect-python",
    scripts=Path(__file__).resolve().parent / "journeys",
    expectations="prefect",
    recorded_against="its own real server",
    ground_truth="the real Prefect {version} server",
    record_command=RECORD_COMMAND,
    point_at=client_environment,
    foreign=("PREFECT_",),
    # PrefectHTTPStatusError embeds the response body: the client only passes the server's
    # words through
    passed_through=frozenset({"PrefectHTTPStatusError", "HTTPStatusError"}),
    detail=failed_commands,
    namespace_of=cli_namespace,
)


def clean_environment() -> dict[str, str]:
    return PREFECT.clean_environment()


def prefect_version(python: str) -> str | None:
    """The prefect release installed for ``python`` (None: no prefect, or no such Python)."""
    return client_version(PREFECT, python)


def record(python: str, url: str, headers: dict[str, str], path: Path | None = None) -> Any:
    """Record the journeys against ``url``, the real Prefect server of the client's release."""
    how = (
        f"{RECORD_COMMAND}, against prefect server {{version}} with the prefect=={{version}} client"
    )
    return record_journeys(PREFECT, python, Destination(url, headers, ""), how, path)


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
