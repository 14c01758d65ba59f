"""Real-client journeys of the Peak Press profile: scripts in ``journeys/`` drive peak-sdk
(``peak.press.blocks``) against the target in another interpreter (``--blocks-peak-press-python``,
one per SDK release); their results are compared with those recorded with that release against
the reference server (``fixtures/peak_press/journeys-<release>.json``), whose behaviour is the
suite's reading of Peak's documents. The machinery is shared by every profile
(``conformance/journeys.py``); this module says what is peak-sdk's own.

Record an SDK release's expectation (the embedded reference server is started for it) with::

    python -m conformance.peak_press.client_journeys --python PEAK_VENV/bin/python

(the file is named after the SDK's release; ``--record PATH`` writes elsewhere).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..journeys import record as record_journeys
from ..real_clients import ClientKind, Destination, client_version

RECORD_COMMAND = "python -m conformance.peak_press.client_journeys --python PY"
# peak-sdk raises one class per status (peak/exceptions.py), and a plain Exception for a status
# it has no class for; each carries the server's answer as it is (peak/handler.py
# handle_response: `raise BaseHttpException.REGISTRY[response.status_code](error_response)`)
SERVER_ERRORS = frozenset(
    {
        "BadRequestException",
        "UnauthorizedException",
        "ForbiddenException",
        "NotFoundException",
        "ConflictException",
        "PayloadTooLargeException",
        "UnprocessableEntityException",
        "InternalServerErrorException",
        "Exception",
    }
)


def sdk_environment(destination: Destination, workdir: Path) -> dict[str, str]:
    """Where the journey kit points the SDK: the target (its press host), the token the SDK
    sends raw, the other headers, and the test hook."""
    token, others = "", {}
    for name, value in destination.headers.items():
        if name.lower() == "authorization":
            token = value
        else:
            others[name] = value
    return {
        "BLOCKS_PEAK_URL": destination.url,
        "BLOCKS_PEAK_TOKEN": token,
        "BLOCKS_PEAK_HEADERS": json.dumps(others),
        "BLOCKS_PEAK_HOOK": destination.extras.get("hook", ""),
        "HOME": str(workdir),  # nothing of the user's own configuration is read
    }


PEAK = ClientKind(
    profile="peak-press",
    client="peak-sdk",
    package="peak-sdk",
    module="peak",
    option="--blocks-peak-press-python",
    scripts=Path(__file__).resolve().parent / "journeys",
    expectations="peak_press",
    recorded_against="the reference server",
    ground_truth="the reference server (fixtures/peak_press/journeys-{version}.json)",
    record_command=RECORD_COMMAND,
    point_at=sdk_environment,
    # the SDK's own settings (token, stage, deployment id) and what would point it elsewhere
    foreign=("PEAK_", "PRESS_", "API_KEY", "STAGE"),
    passed_through=SERVER_ERRORS,
)


def hook_url(url: str, hook: str | None) -> str:
    """The test hook's URL: a path is taken below the target's URL."""
    if not hook:
        return ""
    return hook if "://" in hook else f"{url.rstrip('/')}{hook}"


def record_on_the_reference_server(python: str, path: Path | None = None) -> dict:
    """Start the embedded reference server and record the journeys of ``python``'s SDK."""
    from .. import profiles
    from ..embedded import EmbeddedServer
    from .options import EMBEDDED_HOOK, REFERENCE_TOKEN

    if client_version(PEAK, python) is None:
        raise SystemExit(f"{python} has no peak-sdk installed")
    profile = profiles.get("peak-press")
    server = EmbeddedServer(profile.server, profile.probe)
    try:
        server.wait_until_healthy()
        destination = Destination(
            server.url,
            {"Authorization": REFERENCE_TOKEN},
            "",
            {"hook": hook_url(server.url, EMBEDDED_HOOK)},
        )
        how = f"{RECORD_COMMAND}: peak-sdk {{version}} against the embedded reference server"
        return record_journeys(PEAK, python, destination, how, path)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Record an SDK release's journeys against the embedded reference server."
    )
    parser.add_argument("--python", required=True, help="a Python with peak-sdk installed")
    parser.add_argument(
        "--record",
        type=Path,
        metavar="PATH",
        help="where to write (default fixtures/peak_press/journeys-<SDK release>.json)",
    )
    arguments = parser.parse_args(argv)
    recorded = record_on_the_reference_server(arguments.python, arguments.record)
    print(f"recorded peak-sdk {recorded['peak_version']}: review git diff")


if __name__ == "__main__":
    main()
