"""The pytest plugin: options, the active profile, and a conformance run that switches itself on
only when the session collects tests of the suite.

Installed, this is a ``pytest11`` plugin loaded into every pytest run of the environment, so it
stays a guest: its options are ``--target-*`` or ``--blocks-*``, its fixtures are
``conformance_*``, and until a test of the active profile is collected it registers no marker,
changes no setting, writes no summary and imports nothing heavy (see ``activate``).
"""

from __future__ import annotations

import importlib.util
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from . import profiles

if TYPE_CHECKING:
    from .client import ApiClient
    from .profiles import Profile
    from .target import Target

PACKAGE_DIR = Path(__file__).resolve().parent
RUN_PLUGIN = "blocks-conformance-run"
PROBE_TIMEOUT_CAP = 5.0  # the reachability probe at start waits at most this long
ACTIVE_PROFILE = pytest.StashKey["Profile"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("blocks-conformance", "blocks API conformance suite")
    add = group.addoption
    add(
        "--target-url",
        help="base URL of the server under test, e.g. http://127.0.0.1:4200/api for the prefect "
        "profile. Without it the bundled reference server is started on a free 127.0.0.1 port "
        "with a temporary SQLite file (one per xdist worker).",
    )
    add(
        "--target-header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="header sent with every request to the target, e.g. for auth; repeatable.",
    )
    add(
        "--target-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="timeout per request to the target (default 10). The reachability probe at start "
        f"waits at most {PROBE_TIMEOUT_CAP:.0f} s.",
    )
    add(
        "--blocks-profile",
        metavar="NAME",
        help="which blocks API the target implements (built in: "
        f"{', '.join(sorted(profiles.BUILT_IN))}). Default: the profile whose test folder the "
        f"command line names, else {profiles.DEFAULT_PROFILE}.",
    )
    add(
        "--blocks-level",
        type=int,
        metavar="N",
        help="run only the clauses of levels 1 to N (prefect: 1 save, 2 load, 3 filter, 4 nested, "
        "5 clients; peak-press: 1 specs, 2 releases, 3 deployments, 4 parameters; kragle: see "
        "--blocks-list-clauses).",
    )
    add(
        "--blocks-clause",
        action="append",
        default=[],
        metavar="ID",
        help="run only the tests of this clause; repeatable; a trailing * matches a prefix "
        "(e.g. --blocks-clause 'PF-FLT-*').",
    )
    add(
        "--blocks-expect-fail",
        action="append",
        default=[],
        metavar="FILE",
        help="file of clause ids or test ids known to fail (one a line, '# reason' allowed). "
        "Their failures are reported as expected and do not fail the run; any that now pass "
        "are listed for removal. Repeatable.",
    )
    add(
        "--blocks-fail-on-skip",
        action="store_true",
        help="exit non-zero when any conformance test was skipped (a skipped clause is a gap, "
        "not a pass).",
    )
    add(
        "--blocks-report",
        metavar="PATH",
        help="write per-clause results as JSON to PATH (status, tests, first failure with "
        "request and response) and a Markdown summary next to it (PATH with .md).",
    )
    add(
        "--blocks-examples",
        type=int,
        default=10,
        metavar="N",
        help="budget of generated (Hypothesis) examples per generated test (default 10).",
    )
    add(
        "--blocks-seed",
        type=int,
        metavar="S",
        help="seed of the generated tests, to reproduce a run (default: random, printed in the "
        "summary).",
    )
    add(
        "--blocks-oracle-url",
        metavar="URL",
        help="differential mode: send every request also to this server of the same API (e.g. "
        "the real Prefect server) and compare the answers; ids and timestamps are paired, "
        "everything else must be equal. A run with differences fails.",
    )
    add(
        "--blocks-oracle-header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="header sent with every request to the oracle; repeatable.",
    )
    add(
        "--blocks-oracle-transcript",
        metavar="FILE",
        help="differential mode against a recorded run (a --blocks-record-exchanges file, "
        "optionally .gz, made with the same --blocks-seed) instead of a live oracle.",
    )
    add(
        "--blocks-oracle-ignore",
        action="append",
        default=[],
        metavar="FILE",
        help='differences that do not fail the run: clause or test ids with expect="TEXT" '
        "pins on the difference and a '# reason', as in --blocks-expect-fail files. Repeatable.",
    )
    add(
        "--blocks-no-shrink",
        action="store_true",
        help="report the first failing generated case as drawn, without shrinking it to its "
        "smallest form (faster when only pass or fail matters).",
    )
    add(
        "--blocks-record-exchanges",
        metavar="PATH",
        help="append every request the suite sends and the answer to PATH, one JSON object a "
        "line (method, path below the base URL, status, content type, body).",
    )
    add(
        "--blocks-list-clauses",
        action="store_true",
        help="print the clause catalogue of the profile (id, level, MUST/SHOULD, text) with the "
        "tests that cover each clause, and exit.",
    )
    add(
        "--blocks-clauses-doc",
        metavar="PATH",
        help="write the clause catalogue of the profile as Markdown (docs/clauses/) to PATH, "
        "and exit.",
    )
    for name, package in built_in_packages().items():
        add_profile_options(parser, name, package)


def built_in_packages() -> dict[str, str]:
    """The package of each built-in profile (``conformance.prefect``), not imported."""
    return {
        name: target.split(":")[0].rpartition(".")[0] for name, target in profiles.BUILT_IN.items()
    }


def add_profile_options(parser: pytest.Parser, name: str, package: str) -> None:
    """A profile's own options, from ``<package>/options.py`` (``add_options(add)``), each
    named ``--blocks-<profile>-...`` so that no two profiles and no other plugin collide."""
    if importlib.util.find_spec(f"{package}.options") is None:
        return
    module = importlib.import_module(f"{package}.options")
    group = parser.getgroup(f"blocks-conformance-{name}", f"blocks conformance: {name} profile")
    prefix = f"--blocks-{name}-"

    def add(option: str, **kwargs) -> None:
        if not option.startswith(prefix):
            raise ValueError(f"profile {name}: option {option} must start with {prefix}")
        group.addoption(option, **kwargs)

    module.add_options(add)


# ---- which profile, and whether this session is a conformance run ---------------------------


def built_in_suite_dirs() -> dict[str, Path]:
    """The test folders of the built-in profiles, found without importing them."""
    return {
        name: PACKAGE_DIR / package.split(".")[1] for name, package in built_in_packages().items()
    }


def argument_paths(config: pytest.Config) -> list[Path]:
    """The paths the command line names (module names too, under --pyargs)."""
    paths = []
    for argument in config.args:
        argument = argument.split("::")[0]
        if config.option.pyargs and not Path(config.invocation_params.dir, argument).exists():
            try:
                spec = importlib.util.find_spec(argument)
            except (ImportError, ValueError):
                spec = None
            if spec is not None and spec.origin:
                origin = Path(spec.origin)
                paths.append(origin.parent if origin.name == "__init__.py" else origin)
                continue
        paths.append(Path(config.invocation_params.dir, argument).resolve())
    return paths


def suite_dirs() -> dict[str, Path]:
    return {
        **built_in_suite_dirs(),
        **{name: found.suite_dir for name, found in registered_objects().items()},
    }


def inferred_profile_name(config: pytest.Config) -> str:
    """The profile whose test folder a command-line argument names, else the default."""
    for path in argument_paths(config):
        for name, folder in suite_dirs().items():
            if path == folder or folder in path.parents:
                return name
    return profiles.DEFAULT_PROFILE


def registered_objects() -> dict[str, Profile]:
    return {
        name: found
        for name, found in profiles._registered.items()
        if isinstance(found, profiles.Profile)
    }


def chosen_profile(config: pytest.Config) -> Profile:
    name = config.getoption("blocks_profile") or inferred_profile_name(config)
    try:
        return profiles.get(name)
    except KeyError as error:
        raise pytest.UsageError(f"--blocks-profile: {error.args[0]}") from None


def is_active(config: pytest.Config) -> bool:
    return config.pluginmanager.has_plugin(RUN_PLUGIN)


def activate(config: pytest.Config) -> None:
    """Switch the conformance run on: the profile, its markers, the short traceback style and
    the run plugin (target, clean-up, expected failures, summary and reports)."""
    if is_active(config):
        return
    profile = chosen_profile(config)
    config.stash[ACTIVE_PROFILE] = profile
    profiles.activate(profile)
    markers = [
        "clause(id, ...): the conformance clause(s) a test checks",
        "generated: a test whose cases Hypothesis generates (skip with -m 'not generated')",
        "needs(option, why): runs only when the option is given; otherwise its clauses are "
        "reported not covered, with why",
        *(f"level{level}: tests of level-{level} clauses" for level in profile.level_names),
        *(f"{area}: tests of the {area} clauses" for area in sorted(set(profile.areas.values()))),
    ]
    for marker in markers:
        config.addinivalue_line("markers", marker)
    if config.getoption("blocks_seed") is None:
        # Picked here rather than inside Hypothesis so the summary can print it; xdist workers
        # take the controller's (see pytest_configure_node).
        handed = getattr(config, "workerinput", {}).get("blocks_conformance_seed")
        config.option.blocks_seed = handed if handed is not None else secrets.randbelow(2**32)
    if getattr(config.option, "tbstyle", None) == "auto":
        # The failure message already shows clause, request and response; pytest's long
        # tracebacks would bury it under fixture reprs.
        config.option.tbstyle = "short"
    from .run import ConformanceRun

    config.pluginmanager.register(ConformanceRun(config, profile), RUN_PLUGIN)


def wanted_from_the_start(config: pytest.Config) -> bool:
    """A catalogue option, or a command line that names a folder of a profile's tests."""
    if config.getoption("blocks_list_clauses") or config.getoption("blocks_clauses_doc"):
        return True
    if config.getoption("blocks_profile"):
        return True
    folders = [PACKAGE_DIR, *suite_dirs().values()]
    return any(
        path == folder or folder in path.parents
        for path in argument_paths(config)
        for folder in folders
    )


def pytest_configure(config: pytest.Config) -> None:
    if wanted_from_the_start(config):
        activate(config)


def active_suite_dir(config: pytest.Config) -> Path | None:
    profile = config.stash.get(ACTIVE_PROFILE, None)
    return profile.suite_dir if profile is not None else None


def in_suite(path: Path, config: pytest.Config) -> bool:
    folder = active_suite_dir(config)
    return folder is not None and folder in Path(path).resolve().parents


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave out the test folders of the built-in profiles that are not active."""
    path = collection_path.resolve()
    if path != PACKAGE_DIR and PACKAGE_DIR not in path.parents:
        return None
    for name, folder in built_in_suite_dirs().items():
        if path == folder or folder in path.parents:
            if not is_active(config):
                activate(config)
            if config.stash[ACTIVE_PROFILE].name != name:
                return True
    return None


# ---- fixtures (names no other project is likely to use) -------------------------------------


def current_target(config: pytest.Config) -> Target:
    run = config.pluginmanager.get_plugin(RUN_PLUGIN)
    if run is None or run.target is None:
        pytest.fail("the conformance target was not opened (run the suite through pytest)")
    return run.target


@pytest.fixture(scope="session")
def conformance_target(pytestconfig: pytest.Config) -> Target:
    """The server under test: URL, client, and this run's namespace prefix."""
    return current_target(pytestconfig)


@pytest.fixture
def conformance_api(conformance_target: Target) -> ApiClient:
    """The HTTP client of the run; objects created through it are deleted at session end."""
    return conformance_target.client


@pytest.fixture(scope="session")
def conformance_namespace(conformance_target: Target) -> str:
    """This run's namespace prefix (``conf-<8 hex>-``) for every name and slug it creates."""
    return conformance_target.namespace
