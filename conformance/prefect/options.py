"""The Prefect profile's own options (``--blocks-prefect-...``)."""

from collections.abc import Callable


def add_options(add: Callable[..., None]) -> None:
    add(
        "--blocks-prefect-python",
        metavar="PATH",
        help="a Python that has prefect==3.8.8 installed (e.g. another virtualenv's "
        "bin/python). With it, the level-5 clauses (clients) run scripted journeys of the real "
        "Prefect client and CLI against the target and compare their results with the real "
        "server's; without it they are reported not covered.",
    )
