"""The suite's command-line options and the settings of a run read from them once.

Imported by the plugin in every pytest run of the environment (the plugin is a guest), so it
imports nothing but pytest. Every option is ``--target-*`` or ``--blocks-*``; a profile's own
options come from its ``options.py`` (``add_options(add)``) and are named
``--blocks-<profile>-...``.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

PROBE_TIMEOUT_CAP = 5.0  # the reachability probe at start waits at most this long
# a failing default run against a target 50 ms away stays within 3 minutes (benchmarks/README.md)
DEFAULT_SHRINK_SECONDS = 20.0
DEFAULT_EXAMPLES = 10  # generated cases per generated test
GROUP = "blocks-conformance"


# Every option but the profiles' own (theirs come from their ``options.py``), as data: each
# name with what ``parser.addoption`` takes. ``{profiles}`` in a help text is the list of
# installed profiles.
GENERAL_OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "--target-url",
        {
            "help": "base URL of the server under test, e.g. http://127.0.0.1:4200/api for the "
            "prefect profile. Without it the bundled reference server is started on a "
            "free 127.0.0.1 port with a temporary SQLite file (one per xdist worker).",
        },
    ),
    (
        "--target-header",
        {
            "action": "append",
            "default": [],
            "metavar": "'NAME: VALUE'",
            "help": "header sent with every request to the target, e.g. for auth; repeatable. "
            "No message or report shows its value (a malformed one is a usage error that "
            "says why).",
        },
    ),
    (
        "--target-timeout",
        {
            "type": float,
            "default": 10.0,
            "metavar": "SECONDS",
            "help": "timeout per request to the target (default 10). The reachability probe at "
            f"start waits at most {PROBE_TIMEOUT_CAP:.0f} s.",
        },
    ),
    (
        "--blocks-profile",
        {
            "metavar": "NAME",
            "help": "which blocks API the target implements (installed: {profiles}). Default: the"
            " profile whose test folder the command line names, else prefect.",
        },
    ),
    (
        "--blocks-level",
        {
            "type": int,
            "metavar": "N",
            "help": "run only the clauses of levels 1 to N of the run's profile (each profile's "
            "levels: --blocks-list-clauses, or docs/options.md); a level the profile does not "
            "have ends the run with exit code 4.",
        },
    ),
    (
        "--blocks-clause",
        {
            "action": "append",
            "default": [],
            "metavar": "ID",
            "help": "run only the tests of this clause; repeatable; a trailing * matches a prefix"
            " (e.g. --blocks-clause 'PF-FLT-*').",
        },
    ),
    (
        "--blocks-expect-fail",
        {
            "action": "append",
            "default": [],
            "metavar": "FILE",
            "help": "file of clause ids or test ids known to fail (one a line, '# reason' "
            "allowed). Their failures are reported as expected and do not fail the run; "
            "any that now pass are listed for removal. Repeatable.",
        },
    ),
    (
        "--blocks-fail-on-skip",
        {
            "action": "store_true",
            "help": "exit non-zero when any conformance test was skipped (a skipped clause is a "
            "gap, not a pass).",
        },
    ),
    (
        "--blocks-report",
        {
            "metavar": "PATH",
            "help": "write per-clause results as JSON to PATH (status, source, tests, each "
            "failure with its request and response; the run's facts), a Markdown summary "
            "(PATH with .md) and a self-contained HTML page (PATH with .html) next to it."
            " No header value, cookie, password or token appears in them. "
            "'blocks-conformance matrix' compares several runs' reports.",
        },
    ),
    (
        "--blocks-examples",
        {
            "type": int,
            "default": DEFAULT_EXAMPLES,
            "metavar": "N",
            "help": "budget of generated (Hypothesis) examples per generated test "
            f"(default {DEFAULT_EXAMPLES}).",
        },
    ),
    (
        "--blocks-seed",
        {
            "type": int,
            "metavar": "S",
            "help": "seed of the generated tests, to reproduce a run (default: random, printed in"
            " the summary).",
        },
    ),
    (
        "--blocks-oracle-url",
        {
            "metavar": "URL",
            "help": "differential mode: send every request also to this server of the same API "
            "(e.g. the real Prefect server, or a second reference server) and compare the"
            " answers; ids and timestamps are paired, everything else must be equal. A "
            "run with differences fails.",
        },
    ),
    (
        "--blocks-oracle-header",
        {
            "action": "append",
            "default": [],
            "metavar": "'NAME: VALUE'",
            "help": "header sent with every request to the oracle; repeatable.",
        },
    ),
    (
        "--blocks-oracle-transcript",
        {
            "metavar": "FILE",
            "help": "differential mode against a recorded run (a --blocks-record-exchanges file, "
            "optionally .gz, made with the same --blocks-seed) instead of a live oracle.",
        },
    ),
    (
        "--blocks-oracle-ignore",
        {
            "action": "append",
            "default": [],
            "metavar": "FILE",
            "help": 'differences that do not fail the run: clause or test ids with expect="TEXT" '
            "pins on the difference and a '# reason', as in --blocks-expect-fail files; the id "
            "'*' stands for every clause. Repeatable.",
        },
    ),
    (
        "--blocks-no-shrink",
        {
            "action": "store_true",
            "help": "report the first failing generated case as drawn, without shrinking it to "
            "its smallest form (faster when only pass or fail matters).",
        },
    ),
    (
        "--blocks-shrink-seconds",
        {
            "type": float,
            "default": DEFAULT_SHRINK_SECONDS,
            "metavar": "SECONDS",
            "help": "time a generated test may spend shrinking a failing case to its smallest "
            f"form (default {DEFAULT_SHRINK_SECONDS:.0f}); past it, the smallest case found so "
            "far is reported, with a note. Bounds a failing run against a slow target.",
        },
    ),
    (
        "--blocks-example-db",
        {
            "metavar": "PATH|redis://HOST:PORT/N",
            "help": "where generated tests keep the failures they find, to replay them first in "
            "the next run (against this or another target): a folder, or a Redis server "
            "that a CI fleet shares (needs blocks-conformance[redis]), or :memory: to "
            "keep nothing. Default: a folder in pytest's cache (.pytest_cache), else in "
            "~/.cache/blocks-conformance.",
        },
    ),
    (
        "--blocks-record-exchanges",
        {
            "metavar": "PATH",
            "help": "append every request the suite sends and the answer to PATH, one JSON object"
            " a line (method, path below the base URL, status, content type, body).",
        },
    ),
    (
        "--blocks-list-clauses",
        {
            "action": "store_true",
            "help": "print the clause catalogue of the profile (id, level, MUST/SHOULD, text, the"
            " source it rests on) with the tests that cover each clause, and exit.",
        },
    ),
    (
        "--blocks-clauses-doc",
        {
            "metavar": "PATH",
            "help": "write the clause catalogue of the profile as Markdown (docs/clauses/) to "
            "PATH, and exit.",
        },
    ),
)


def add_general_options(parser: pytest.Parser, profile_names: Iterable[str]) -> None:
    group = parser.getgroup(GROUP, "blocks API conformance suite")
    profiles = ", ".join(sorted(profile_names))
    for name, spec in GENERAL_OPTIONS:
        if "help" in spec:
            spec = {**spec, "help": spec["help"].replace("{profiles}", profiles)}
        group.addoption(name, **spec)


def add_profile_options(parser: pytest.Parser, name: str, package: str) -> None:
    """A profile's own options, from ``<package>/options.py`` (``add_options(add)``), each
    named ``--blocks-<profile>-...`` so that no two profiles and no other plugin collide."""
    if importlib.util.find_spec(f"{package}.options") is None:
        return
    group = parser.getgroup(f"{GROUP}-{name}", f"blocks conformance: {name} profile")
    add_option_arguments(group.addoption, name, package)


def add_option_arguments(add_to: Callable[..., Any], name: str, package: str) -> None:
    """Hand a profile's own options to ``add_to`` (pytest's ``addoption``, or argparse's
    ``add_argument`` for ``blocks-conformance sweep``)."""
    if importlib.util.find_spec(f"{package}.options") is None:
        return
    module = importlib.import_module(f"{package}.options")
    prefix = f"--blocks-{name}-"

    def add(option: str, **kwargs) -> None:
        if not option.startswith(prefix):
            raise ValueError(f"profile {name}: option {option} must start with {prefix}")
        add_to(option, **kwargs)

    module.add_options(add)


# An HTTP header name (RFC 9110's token); a value may not hold a line break or another control
# character but the tab.
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
NOT_SHOWN = "it is not shown: it may be a credential"


def header_problem(entry: str, option: str) -> str | None:
    """Why ``entry`` is not a ``'Name: value'`` header, naming the header but never showing
    its value (nor a name that may be a credential put in the wrong place), or None."""
    name, colon, value = entry.partition(":")
    name = name.strip()
    if not colon:
        return f"a {option} has no ':' (it must look like 'Name: value'; {NOT_SHOWN})"
    if not name:
        return f"a {option} has no name before its ':' (it must look like 'Name: value')"
    if not HEADER_NAME.fullmatch(name):
        return (
            f"a {option} has a name that is not a header name, with spaces or other characters"
            f" a name cannot hold ({NOT_SHOWN}); it must look like 'Name: value'"
        )
    if CONTROL.search(value.strip()):
        return (
            f"{option} '{name}: ...' has a line break or another control character in its "
            f"value (a secret read from a file with its newline?); the value is not shown"
        )
    return None


def parse_headers(raw: Iterable[str], option: str = "--target-header") -> dict[str, str]:
    headers = {}
    for entry in raw:
        problem = header_problem(entry, option)
        if problem:
            raise pytest.UsageError(problem)
        name, _, value = entry.partition(":")
        headers[name.strip()] = value.strip()
    return headers


def option_name(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def header_problems(settings: Settings, credentials: Credentials, profile: str) -> str | None:
    """The first malformed header a run would send: one given (``--target-header``,
    ``--blocks-oracle-header``) or one the profile makes from its options (a token), named by
    the options it comes from; no value is shown."""
    for dest, option in (
        ("target_header", "--target-header"),
        ("blocks_oracle_header", "--blocks-oracle-header"),
    ):
        for entry in settings.value(dest) or []:
            if problem := header_problem(entry, option):
                return problem
    made = credentials.headers(settings)
    for name, value in made.items():
        if CONTROL.search(value):  # sent as made
            given = [
                option_name(dest)
                for dest, option_value in settings.values.items()
                if isinstance(option_value, str)
                and option_value.strip()
                and option_value.strip() in value
            ]
            source = ", ".join(given) or "its options"
            return (
                f"the {name} header the {profile} profile makes from {source} has a line "
                "break or another control character in its value (a secret read from a file "
                "with its newline?); the value is not shown"
            )
    return None


def level_problem(
    level: int | None, profile_name: str, level_names: Mapping[int, str]
) -> str | None:
    """Why ``--blocks-level`` names no level of the profile, naming the range, or None."""
    if level is None or level in level_names:
        return None
    levels = ", ".join(f"{number} {name}" for number, name in sorted(level_names.items()))
    return (
        f"--blocks-level {level} is not a level of the {profile_name} profile: its levels are "
        f"{min(level_names)} to {max(level_names)} ({levels}). Nothing was tested."
    )


@dataclass(frozen=True)
class Settings:
    """Every option of the suite as given for one run (``--target-*`` and ``--blocks-*``,
    the profile's own included), read once. A profile's reference server's ``options`` fill in its
    options when the run tests the embedded reference server and the option was not given."""

    values: Mapping[str, Any]

    @classmethod
    def from_config(cls, config: pytest.Config, embedded: Mapping[str, Any]) -> Settings:
        values = {
            dest: value
            for dest, value in vars(config.option).items()
            if dest.startswith(("blocks_", "target_"))
        }
        if values.get("target_url") is None:
            for dest, value in embedded.items():
                if not values.get(dest):
                    values[dest] = value
        return cls(values)

    @classmethod
    def of(cls, **values: Any) -> Settings:
        """Settings outside pytest (a script that uses the suite's client)."""
        return cls({"target_header": [], "target_timeout": 30.0, **values})

    def value(self, dest: str) -> Any:
        """The value of the option whose ``dest`` is given (``blocks_kragle_hook_url``)."""
        return self.values.get(dest)

    @property
    def target_url(self) -> str | None:
        return self.values.get("target_url")

    @property
    def headers(self) -> dict[str, str]:
        return parse_headers(self.values.get("target_header") or [])

    @property
    def timeout(self) -> float:
        return self.values.get("target_timeout") or 10.0

    @property
    def seed(self) -> int:
        return self.values.get("blocks_seed") or 0

    @property
    def examples(self) -> int:
        return self.values.get("blocks_examples") or DEFAULT_EXAMPLES

    @property
    def no_shrink(self) -> bool:
        return bool(self.values.get("blocks_no_shrink"))

    @property
    def shrink_seconds(self) -> float:
        given = self.values.get("blocks_shrink_seconds")
        return DEFAULT_SHRINK_SECONDS if given is None else given

    @property
    def example_db(self) -> str | None:
        return self.values.get("blocks_example_db")

    @property
    def level(self) -> int | None:
        return self.values.get("blocks_level")

    @property
    def clause_patterns(self) -> list[str]:
        return list(self.values.get("blocks_clause") or [])

    @property
    def record_exchanges(self) -> str | None:
        return self.values.get("blocks_record_exchanges")

    @property
    def oracle_url(self) -> str | None:
        return self.values.get("blocks_oracle_url")

    @property
    def oracle_transcript(self) -> str | None:
        return self.values.get("blocks_oracle_transcript")

    @property
    def oracle_headers(self) -> dict[str, str]:
        return parse_headers(
            self.values.get("blocks_oracle_header") or [], "--blocks-oracle-header"
        )

    @property
    def catalogue_only(self) -> bool:
        """--blocks-list-clauses or --blocks-clauses-doc: report the catalogue, run no test."""
        return bool(self.values.get("blocks_list_clauses") or self.values.get("blocks_clauses_doc"))


OptionAdder = Callable[..., None]


def no_headers(settings: Settings) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class Credentials:
    """How a profile's requests carry credentials, read when the run's clients are made and
    its secrets gathered for redaction. ``headers(settings)``: headers every request sends
    unless --target-header names them (a token taken from the profile's own options).
    ``options``: the profile's options that carry credentials, named when a target refuses the
    run's credentials, with ``hint``: what a server of the API usually asks for."""

    headers: Callable[[Settings], dict[str, str]] = no_headers
    options: tuple[str, ...] = ()
    hint: str = ""
