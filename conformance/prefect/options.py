"""The Prefect profile's own options (``--blocks-prefect-...``)."""

from collections.abc import Callable


def add_options(add: Callable[..., None]) -> None:
    add(
        "--blocks-prefect-python",
        action="append",
        default=[],
        metavar="PATH",
        help="a Python with a prefect client installed (e.g. another virtualenv's bin/python); "
        "repeatable, one per client release. With it, the level-5 clauses (clients) run "
        "scripted journeys of that real Prefect client and CLI against the target and compare "
        "their results with what that client gives against its own real server (each journey "
        "named with the client release, e.g. [3.9.1]); a client release with no recorded "
        "expectation is a usage error. Without it they are reported not covered.",
    )
    add(
        "--blocks-prefect-release",
        metavar="X.Y[.Z]",
        help="the Prefect release the target follows: a line (3.6, meaning its newest known "
        "release) or a release (3.4.7), any from 3.0.0 to the newest the suite knows (default "
        "the newest). Where releases differ (fixtures/prefect/releases.toml: the Secret "
        "schema's checksum, malformed path ids, a release's own bugs), the clauses take what "
        "that release does, and the embedded reference server plays it. An unknown release is "
        "a usage error.",
    )
