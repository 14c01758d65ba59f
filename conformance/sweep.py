"""``blocks-conformance sweep``: delete what earlier runs left on a target.

A run deletes its objects at its end, also when it is stopped with Ctrl-C or SIGTERM; a run
killed outright (SIGKILL, a lost machine) cannot. Every object a run creates starts with its
namespace, ``conf-<8 hex>-``: the sweep asks the profile for the objects whose name starts with
``conf-``, keeps those whose name starts with a run's namespace (``namespaces.RUN_NAMESPACE``),
lists them by run and deletes them the way a run's clean-up does. Nothing else is touched;
``--dry-run`` only lists. The target's credentials are given as to a run (``--target-header``
and the profile's own options), and no value of them is printed.

Exit codes: 0 everything found was deleted (or listed, with --dry-run), 1 some object could not
be deleted, 2 a usage error, 4 the target is not usable.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
from collections import Counter
from collections.abc import Callable
from typing import Any

from . import profiles
from .cleanup import CleanUp, clean_up
from .client import ApiClient, Exchange, TargetUnreachable
from .namespaces import PREFIX, Swept, of_earlier_runs
from .options import Settings, add_option_arguments, header_problems
from .plugin import installed_packages
from .profiles import Profile
from .redaction import without_url_passwords
from .run import Run
from .target import EXIT_TARGET_UNUSABLE, client_of, request_headers

EXIT_NOT_ALL_DELETED = 1
EXIT_USAGE = 2
Write = Callable[[str], None]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options: the target as a run names it, and every installed profile's own
    options (a sweep reads the credentials among them)."""
    parser.add_argument(
        "--target-url",
        required=True,
        metavar="URL",
        help="base URL of the server, as given to the run (e.g. http://127.0.0.1:4200/api)",
    )
    parser.add_argument(
        "--blocks-profile",
        default=profiles.DEFAULT_PROFILE,
        metavar="NAME",
        help=f"which blocks API the target implements (installed: "
        f"{', '.join(profiles.names())}; default {profiles.DEFAULT_PROFILE})",
    )
    parser.add_argument(
        "--target-header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="header sent with every request, e.g. for auth; repeatable. No value is printed.",
    )
    parser.add_argument(
        "--target-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="timeout per request (default 10)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="list what earlier runs left; delete nothing"
    )
    for name, package in installed_packages().items():
        add_profile_arguments(parser, name, package)


def add_profile_arguments(parser: argparse.ArgumentParser, name: str, package: str) -> None:
    """A profile's own options: those its ``options.py`` names in ``SWEEP_OPTIONS`` (the
    credentials a sweep needs) shown, the others taken but not shown, so that the options of
    a run's command line can be given as they are."""
    if importlib.util.find_spec(f"{package}.options") is None:
        return
    module = importlib.import_module(f"{package}.options")
    shown = set(getattr(module, "SWEEP_OPTIONS", ()))
    group = parser.add_argument_group(f"the {name} profile's options a sweep reads")

    def add(option: str, **kwargs: Any) -> None:
        if option in shown:
            group.add_argument(option, **kwargs)
        else:
            parser.add_argument(option, **{**kwargs, "help": argparse.SUPPRESS})

    add_option_arguments(add, name, package)


def settings_of(arguments: argparse.Namespace) -> Settings:
    values = vars(arguments)
    return Settings({k: v for k, v in values.items() if k.startswith(("target_", "blocks_"))})


def main(arguments: argparse.Namespace, write: Write = print) -> int:
    try:
        profile = profiles.get(arguments.blocks_profile)
    except KeyError as error:
        write(f"blocks-conformance sweep: --blocks-profile: {error.args[0]}")
        return EXIT_USAGE
    settings = settings_of(arguments)
    problems = header_problems(settings, profile.credentials, profile.name)
    if problems:
        write(f"blocks-conformance sweep: {problems}")
        return EXIT_USAGE
    run = Run(profile, settings)
    client = client_of(
        run, settings.target_url, request_headers(run, settings.headers), settings.timeout
    )
    try:
        return sweep(client, profile, settings, arguments.dry_run, write)
    except TargetUnreachable as error:
        write(unusable(settings.target_url, run.redactor.text(str(error))))
        return EXIT_TARGET_UNUSABLE
    finally:
        client.close()


def unusable(url: str, what: str) -> str:
    return without_url_passwords(
        f"blocks-conformance sweep: the target {url} is not usable: {what}. Nothing was "
        "deleted. Check that the server is running and that --target-url is the base URL "
        "its runs were given."
    )


def sweep(
    client: ApiClient, profile: Profile, settings: Settings, dry_run: bool, write: Write
) -> int:
    probe = profile.probe
    probed = client.get(probe.path)
    if probed.response is None or not probe.alive(probed.response):
        what = f"GET {probed.url} answered {probed.status} instead of {probe.expectation}"
        write(unusable(client.base_url, what))
        return EXIT_TARGET_UNUSABLE
    problem = profile.cleanup.prepare_sweep(client, settings)
    if problem:
        write(unusable(client.base_url, problem))
        return EXIT_TARGET_UNUSABLE
    refused = Refusals()
    client.listen([refused])
    runs = of_earlier_runs(profile.cleanup.sweep(client, PREFIX))
    client.listeners.remove(refused)
    if refused.answers:
        write(unusable(client.base_url, refused.paragraph()))
        return EXIT_TARGET_UNUSABLE
    found = [item for items in runs.values() for item in items]
    verb = "would delete" if dry_run else "deleting"
    write(f"{client.base_url} ({profile.name}): {len(found)} object(s) of {len(runs)} run(s)")
    for namespace, items in runs.items():
        write(f"  {namespace}: {verb} {kinds(items)}")
        for item in items:
            write(f"    {item.kind} {item.id} {item.name}")
    if dry_run or not found:
        return 0
    return delete(client, profile.cleanup, found, write)


class Refusals:
    """A listener of the client: the answers that refused a listing (a sweep that cannot see
    everything must not say there is nothing left)."""

    def __init__(self) -> None:
        self.answers: list[str] = []

    def heard(self, path: str, exchange: Exchange) -> None:
        if exchange.status >= 400:
            self.answers.append(f"{exchange.method} {exchange.path} answered {exchange.status}")

    def paragraph(self) -> str:
        first = self.answers[0]
        return (
            f"{len(self.answers)} request(s) listing its objects were refused (first: {first}); "
            "give the credentials as to a run (--target-header, the profile's own options)"
        )


def kinds(items: list[Swept]) -> str:
    counted = Counter(item.kind for item in items)
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counted.items()))


def delete(client: ApiClient, part: CleanUp, found: list[Swept], write: Write) -> int:
    """Delete as a run's clean-up does (the profile's order of kinds, newest first)."""
    for item in found:
        client.created.add(item.kind, item.id)
    leftovers = clean_up(client, part)
    left_behind = client.created.left_behind
    for leftover in leftovers:
        write(f"could not delete {leftover}")
    for kept in left_behind:
        write(f"left behind (the API cannot delete it): {kept}")
    failed = len(leftovers) + len(left_behind)
    write(f"deleted {len(found) - failed} of {len(found)} object(s)")
    return EXIT_NOT_ALL_DELETED if failed else 0
