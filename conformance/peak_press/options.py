"""The Peak Press profile's own options (``--blocks-peak-press-...``); imported by the plugin in
every pytest run, so it imports nothing."""

# The reference server's documented test token (reference_server/peak_press/app.py).
REFERENCE_TOKEN = "peak-conformance-token"
HOOK_OPTION = "blocks_peak_press_hook_url"
PYTHON_OPTION = "blocks_peak_press_python"
EMBEDDED_HOOK = "/_conformance"  # below the target URL: the reference server's test hook
SWEEP_OPTIONS = ("--blocks-peak-press-token",)  # what ``blocks-conformance sweep`` reads


def add_options(add) -> None:
    add(
        "--blocks-peak-press-token",
        default=REFERENCE_TOKEN,
        metavar="TOKEN",
        help="token sent raw as the Authorization header (as peak-sdk does) unless "
        f"--target-header sets one (default: the reference server's test token "
        f"{REFERENCE_TOKEN}).",
    )
    add(
        "--blocks-peak-press-hook-url",
        metavar="URL",
        help="test hook that sets a deployment's status: the suite sends POST "
        'URL/deployments/{id}/status with {"status": "failed"} (or "warning") to try redeploys. '
        "A path is taken below --target-url. Default: the reference server's hook "
        f"({EMBEDDED_HOOK}) when the suite starts it; without a hook the redeploy-from-failed "
        "clauses are reported not covered.",
    )
    add(
        "--blocks-peak-press-python",
        action="append",
        default=[],
        metavar="PATH",
        help="a Python with peak-sdk installed (e.g. another virtualenv's bin/python); "
        "repeatable, one per SDK release. With it, the level-5 clauses (clients) run scripted "
        "journeys of that real peak-sdk against the target and compare what the SDK returns or "
        "raises with what that release gives against the reference server (each journey named "
        "with the SDK release, e.g. [1.29.0]); an SDK release with no recorded expectation is a "
        "usage error. Without it they are reported not covered (and the deployment journey "
        "without a hook, as the redeploy clauses are).",
    )
