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
    add(
        "--blocks-prefect-ui",
        action="append",
        nargs="?",
        const="default",
        choices=("default", "v1", "v2"),
        default=[],
        metavar="UI",
        help="also drive the real Prefect UI shipped with each --blocks-prefect-python "
        "client (its wheel's prefect/server/ui is v1, prefect/server/ui-v2 of 3.8 and newer "
        "is v2; alone, or 'default', the UI that release opens by default: v2 for 3.8 and "
        "3.9), repeatable. The suite serves the UI itself on loopback and forwards its blocks "
        "API calls to the target; in headless Chromium (Playwright for Python, "
        "--blocks-prefect-chromium), the level-5 PF-JRN-ui clauses go through the Blocks "
        "page, the catalog, the Secret form, a block's page, its edit form and Delete, each "
        "judged by what the page shows and what the Python client then reads. Without it they "
        "are reported not covered; without Playwright or Chromium the run stops (exit 4).",
    )
    add(
        "--blocks-prefect-chromium",
        metavar="PATH",
        help="the Chromium that --blocks-prefect-ui drives (default: chromium on the PATH, "
        "else /usr/bin/chromium, Debian's package); nothing downloads a browser.",
    )
