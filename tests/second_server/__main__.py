"""``python -m tests.second_server --host 127.0.0.1 --port 4600``: the second Prefect blocks
server, its API under ``/api``."""

import argparse

import uvicorn

from .app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.second_server",
        description="A second Prefect blocks API server, written to differ from the reference "
        "server wherever Prefect's documents leave room; everything is kept in memory.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=4600, help="port to listen on")
    parser.add_argument("--log-level", default="warning", help="uvicorn's log level")
    options = parser.parse_args()
    uvicorn.run(create_app(), host=options.host, port=options.port, log_level=options.log_level)


if __name__ == "__main__":
    main()
