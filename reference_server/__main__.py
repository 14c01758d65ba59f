"""Command line: ``python -m reference_server --host 127.0.0.1 --port 4200 --db blocks.db``."""

import argparse

import uvicorn

from .app import DEFAULT_MAX_BODY_BYTES, create_app, profile_modules


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    profiles = profile_modules()
    parser = argparse.ArgumentParser(
        prog="blocks-reference-server",
        description="Run the bundled blocks API reference server on SQLite: every profile's API "
        f"under its own base path ({'; '.join(module.DESCRIPTION for module in profiles)}). "
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
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="uvicorn log level (default warning)",
    )
    for module in profiles:
        if hasattr(module, "add_arguments"):
            module.add_arguments(parser.add_argument_group(module.DESCRIPTION.split(":")[0]))
    return parser.parse_args(argv)


SERVER_OPTIONS = ("host", "port", "db", "max_body_bytes", "log_level")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    options = {k: v for k, v in vars(args).items() if k not in SERVER_OPTIONS}
    app = create_app(args.db, args.max_body_bytes, **options)
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
