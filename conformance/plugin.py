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
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from . import hookspecs, profiles
from .options import Settings, add_general_options, add_profile_options, header_problems

if TYPE_CHECKING:
    from .client import ApiClient
    from .profiles import Profile
    from .run import Run
    from .target import Target

PACKAGE_DIR = Path(__file__).resolve().parent
RUN_PLUGIN = "blocks-conformance-run"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_general_options(parser, profiles.installed())
    for name, package in installed_packages().items():
        add_profile_options(parser, name, package)


def installed_packages() -> dict[str, str]:
    """The package of each installed profile (``conformance.prefect``), not imported."""
    return {
        name: target.split(":")[0].rpartition(".")[0]
        for name, target in profiles.installed().items()
    }


# ---- which profile, and whether this session is a conformance run ---------------------------


def package_dir(package: str) -> Path | None:
    """The folder of a package, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def registered(config: pytest.Config) -> list[Profile]:
    """The profiles plugins of this session provide (``pytest_blocks_conformance_profiles``)."""
    return [
        profile for found in config.hook.pytest_blocks_conformance_profiles() for profile in found
    ]


@cache
def installed_suite_dirs() -> dict[str, Path]:
    """The test folders of the installed profiles, found without importing them."""
    found = {name: package_dir(package) for name, package in installed_packages().items()}
    return {name: folder for name, folder in found.items() if folder is not None}


def suite_dirs(config: pytest.Config) -> dict[str, Path]:
    return {
        **installed_suite_dirs(),
        **{profile.name: profile.catalogue.folder for profile in registered(config)},
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


def inferred_profile_name(config: pytest.Config) -> str:
    """The profile whose test folder a command-line argument names, else the default."""
    folders = suite_dirs(config)
    for path in argument_paths(config):
        for name, folder in folders.items():
            if path == folder or folder in path.parents:
                return name
    return profiles.DEFAULT_PROFILE


def chosen_profile(config: pytest.Config) -> Profile:
    name = config.getoption("blocks_profile") or inferred_profile_name(config)
    try:
        return profiles.get(name, registered(config))
    except KeyError as error:
        raise pytest.UsageError(f"--blocks-profile: {error.args[0]}") from None


def active_run(config: pytest.Config) -> Run | None:
    """The conformance run of this session, or None while it is not a conformance run."""
    session = config.pluginmanager.get_plugin(RUN_PLUGIN)
    return session.run if session is not None else None


def active_profile(config: pytest.Config) -> Profile | None:
    run = active_run(config)
    return run.profile if run is not None else None


def activate(config: pytest.Config) -> None:
    """Switch the conformance run on: the run object, the profile's markers, the short
    traceback style and the session plugin (target, clean-up, expected failures, summary and
    reports)."""
    if active_run(config) is not None:
        return
    profile = chosen_profile(config)
    part = profile.catalogue
    markers = [
        "clause(id, ...): the conformance clause(s) a test checks",
        "generated: a test whose cases Hypothesis generates (skip with -m 'not generated')",
        "needs(option, why, unmet=False): runs only when the option is given (and, with "
        "unmet=True, never: none of its values serves the test); otherwise its clauses are "
        "reported not covered, with why",
        *(f"level{level}: tests of level-{level} clauses" for level in part.level_names),
        *(f"{area}: tests of the {area} clauses" for area in sorted(set(part.areas.values()))),
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
    from .run import Run
    from .selection import Selection
    from .session import ConformanceSession, TestHooks
    from .stopping import StopOnSigterm

    settings = Settings.from_config(config, profile.server.options)
    if problem := header_problems(settings, profile.credentials, profile.name):
        raise pytest.UsageError(problem)
    run = Run(profile, settings)
    session = ConformanceSession(config, run)
    config.pluginmanager.register(session, RUN_PLUGIN)
    config.pluginmanager.register(Selection(run, session.record), f"{RUN_PLUGIN}-selection")
    config.pluginmanager.register(TestHooks(session), f"{RUN_PLUGIN}-tests")
    stopping = StopOnSigterm(controller=is_xdist_controller(config))
    config.pluginmanager.register(stopping, f"{RUN_PLUGIN}-stopping")
    stopping.install()  # SIGTERM cleans up, as Ctrl-C does (conformance/stopping.py)
    # the short fixture names (target, api, ns) exist in conformance runs only
    config.pluginmanager.import_plugin("conformance.fixtures")


def is_xdist_controller(config: pytest.Config) -> bool:
    """This process hands the tests to pytest-xdist workers (which run them)."""
    return config.getoption("dist", "no") != "no" and not hasattr(config, "workerinput")


def wanted_from_the_start(config: pytest.Config) -> bool:
    """A catalogue option, or a command line that names a folder of a profile's tests."""
    if config.getoption("blocks_list_clauses") or config.getoption("blocks_clauses_doc"):
        return True
    if config.getoption("blocks_profile"):
        return True
    folders = [PACKAGE_DIR, *suite_dirs(config).values()]
    return any(
        path == folder or folder in path.parents
        for path in argument_paths(config)
        for folder in folders
    )


def pytest_configure(config: pytest.Config) -> None:
    if wanted_from_the_start(config):
        activate(config)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave out the test folders of the installed profiles that are not active."""
    path = collection_path.resolve()
    for name, folder in installed_suite_dirs().items():
        if path == folder or folder in path.parents:
            activate(config)
            if active_profile(config).name != name:
                return True
    return None


# ---- fixtures (names no other project is likely to use) -------------------------------------


@pytest.fixture(scope="session")
def conformance_run(pytestconfig: pytest.Config) -> Run:
    """The run: profile, settings, target, oracle, the test being run."""
    run = active_run(pytestconfig)
    if run is None or run.target is None:
        pytest.fail("the conformance target was not opened (run the suite through pytest)")
    return run


@pytest.fixture(scope="session")
def conformance_target(conformance_run: Run) -> Target:
    """The server under test: URL, client, and this run's namespace prefix."""
    return conformance_run.target


@pytest.fixture
def conformance_api(conformance_target: Target) -> ApiClient:
    """The HTTP client of the run; objects created through it are deleted at session end."""
    return conformance_target.client


@pytest.fixture(scope="session")
def conformance_namespace(conformance_target: Target) -> str:
    """This run's namespace prefix (``conf-<8 hex>-``) for every name and slug it creates."""
    return conformance_target.namespace
