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
        metavar="X.Y",
        help="the Prefect release line the target follows (e.g. 3.9, 3.8 or 3.4; default the "
        "newest ground-truth line): where releases differ (the Secret schema's checksum, a "
        "release's own bugs), the clauses take what that release does, and the embedded "
        "reference server plays it.",
    )
