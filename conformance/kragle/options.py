"""The Kragle profile's options: two test users (visibility between users needs two), the
out-of-band test hook (approving and deleting blocks) and where the suite serves remote
definitions from."""

from collections.abc import Callable

# The reference server's seeded test users (docs/profiles/kragle.md).
DEFAULT_USERS = (
    ("conformance-a", "conformance-a-password"),
    ("conformance-b", "conformance-b-password"),
)

# what ``blocks-conformance sweep`` reads: the test users (it lists what they see and own) and
# the hook that deletes blocks
SWEEP_OPTIONS = (
    "--blocks-kragle-user",
    "--blocks-kragle-password",
    "--blocks-kragle-second-user",
    "--blocks-kragle-second-password",
    "--blocks-kragle-hook-url",
)


def add_options(add: Callable[..., None]) -> None:
    (first, first_password), (second, second_password) = DEFAULT_USERS
    login = "a username, or an email address (anything with an @)"
    add(
        "--blocks-kragle-user",
        default=first,
        help=f"the first test user's login, {login} (default {first}, the reference server's).",
    )
    add(
        "--blocks-kragle-password",
        default=first_password,
        help="the first test user's password (default the reference server's).",
    )
    add(
        "--blocks-kragle-second-user",
        default=second,
        help=f"a second test user, not the first, for visibility between users; {login} "
        f"(default {second}).",
    )
    add(
        "--blocks-kragle-second-password",
        default=second_password,
        help="the second test user's password (default the reference server's).",
    )
    add(
        "--blocks-kragle-hook-url",
        metavar="URL",
        help="base URL of an out-of-band test hook, not part of the Kragle API: POST "
        "URL/blocktypes/<id>/approve makes a block public, DELETE URL/blocktypes/<id> deletes "
        "one (both 204; 404 when there is no such block). Enables the clauses that need an "
        "approved block and deletion at clean-up. Default: the embedded reference server's "
        "hook when no --target-url is given; otherwise none, and those clauses are reported "
        "not covered and the run's blocks left behind (Kragle has no DELETE).",
    )
    add(
        "--blocks-kragle-serve-host",
        default="127.0.0.1",
        metavar="HOST",
        help="address the suite binds its small HTTP server of remote definitions to, and "
        "names in their URLs; the target must reach it (default 127.0.0.1: a target on "
        "this machine).",
    )
