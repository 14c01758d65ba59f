"""``python -m tests.toy_profile.reference_server_toy --port P [--keep-deleted]``: the toy app
alone, as the toy profile's plugin starts it."""

import argparse

import uvicorn

from .app import create_app

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--keep-deleted", action="store_true")
arguments = parser.parse_args()
app = create_app(":memory:", keep_deleted=arguments.keep_deleted)
uvicorn.run(app, host="127.0.0.1", port=arguments.port, log_level="warning")
