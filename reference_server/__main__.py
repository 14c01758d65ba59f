"""Command line: ``python -m reference_server --host 127.0.0.1 --port 4200 --db blocks.db``."""

import argparse
import os

import uvicorn

from .app import DEFAULT_MAX_BODY_BYTES, create_app
from .prefect.timeline import resolved, versions


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="blocks-reference-server",
        description="Run the bundled blocks API reference server on SQLite: every profile's API "
        "under its own base path (prefect: /api, e.g. http://127.0.0.1:4200/api/health; kragle: "
        "/kragle/api/v1, with test users conformance-a and conformance-b and test hooks under "
        "/kragle/_hooks; peak-press: /peak, with the tokens of BLOCKS_REFERENCE_PEAK_TOKENS, "
        "comma-separated, default peak-conformance-token, and a test hook POST "
        "/peak/_conformance/deployments/{id}/status). "
        "Secret data is encrypted at rest with a key from BLOCKS_REFERENCE_ENCRYPTION_KEY or, "
        "by default, the file DB.key next to the database (created on first start).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4200, help="port to bind (default 4200)")
    parser.add_argument(
        "--db",
        default="blocks.db",
        help="SQLite database file, created if missing (default ./blocks.db)",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        help="largest request body accepted; larger ones get 413 "
        f"(default {DEFAULT_MAX_BODY_BYTES})",
    )
    parser.add_argument(
        "--auth-string",
        default=os.environ.get("PREFECT_SERVER_API_AUTH_STRING"),
        help="require HTTP Basic credentials 'user:password' on every Prefect path but "
        "/api/health, like the real server's PREFECT_SERVER_API_AUTH_STRING (default: that "
        "variable, else none)",
    )
    parser.add_argument(
        "--prefect-release",
        metavar="VERSION",
        help="the real Prefect release the Prefect API plays: its system block types and "
        "schemas, its /api/admin/version and what its answers took from it where releases "
        "differ (a version such as 3.4.7, or a line such as 3.6 for its newest; known: every "
        f"release from {versions()[0]} to {versions()[-1]}; default the newest)",
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="uvicorn log level (default warning)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        release = resolved(args.prefect_release)
    except ValueError as error:
        raise SystemExit(f"blocks-reference-server: --prefect-release: {error}") from None
    app = create_app(args.db, args.max_body_bytes, args.auth_string, release)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        # uvicorn formats an access log line for every answer before its logger drops it
        access_log=args.log_level in ("info", "debug"),
        proxy_headers=False,  # nothing stands between the client and this server
    )


if __name__ == "__main__":
    main()
