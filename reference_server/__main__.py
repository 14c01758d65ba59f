"""Command line: ``python -m reference_server --host 127.0.0.1 --port 4200 --db blocks.db``."""

import argparse

import uvicorn

from .app import create_app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="blocks-reference-server",
        description="Run the bundled blocks API reference server (Prefect profile) on SQLite. "
        "The API is served under /api, e.g. http://127.0.0.1:4200/api/health.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4200, help="port to bind (default 4200)")
    parser.add_argument(
        "--db",
        default="blocks.db",
        help="SQLite database file, created if missing (default ./blocks.db)",
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
    uvicorn.run(create_app(args.db), host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
