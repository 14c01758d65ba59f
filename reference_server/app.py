"""Application factory: one ASGI app serving every profile's API under its own base path, on
one SQLite file, behind one request size limit.

Each profile is a subpackage of this one whose ``app`` module defines ``MOUNT_PATH`` (the path
prefix it is routed under), ``DESCRIPTION`` (its part of ``--help``) and ``create_app(db_path,
...)``, whose keyword parameters are its own settings; it may add their command-line options with
``add_arguments(parser)``. The profiles are found, not listed, and each gets only its own
settings. The one whose ``app`` module sets ``ANSWERS_UNKNOWN_PATHS`` also answers paths no
profile owns.

Seams for test variants (``tests/variants``, broken and allowed variants alike): a variant
changes a profile's server only through the modules its package names in ``SEAMS``, by replacing
one of their public names (a function, a model, a method of ``store.Store``) before the app is
built, or by wrapping the finished app (``profile_app(app, name)`` finds a profile's app and its
``state.store`` inside it). Names starting with ``_`` are not part of a seam.
``tests/test_seams.py`` checks that every name a variant touches exists, so renaming one fails
there, naming the variant, instead of silently leaving a variant without effect.
"""

import importlib
import inspect
import pkgutil
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .guards import BodyLimit

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Mounted:
    name: str  # the package's name: prefect, kragle, peak_press
    mount_path: str
    app: Any
    answers_unknown_paths: bool = False


def profile_modules() -> list[Any]:
    """The ``app`` module of every profile package of the reference server."""
    modules = []
    here = Path(__file__).resolve().parent
    for found in pkgutil.iter_modules([str(here)]):
        if not found.ispkg or not (here / found.name / "app.py").is_file():
            continue  # a package without an app is no profile (a helper package)
        name = f"{__package__}.{found.name}.app"
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            # a profile whose app does not import must not vanish from the server unnoticed
            raise ImportError(
                f"the reference server's profile app {name} failed to import: {error}"
            ) from error
        if not (hasattr(module, "MOUNT_PATH") and hasattr(module, "create_app")):
            raise ImportError(f"{name} must define MOUNT_PATH and create_app")
        modules.append(module)
    return modules


def own_settings(module: Any, options: dict[str, Any]) -> dict[str, Any]:
    """The settings a profile's ``create_app`` takes (its keyword parameters) from ``options``."""
    accepted = list(inspect.signature(module.create_app).parameters)[1:]
    return {name: options[name] for name in accepted if options.get(name) is not None}


def profile_apps(db_path: str, **options: Any) -> list[Mounted]:
    """Every profile's app, made with its own settings; the one that answers unknown paths comes
    last."""
    mounted = [
        Mounted(
            module.__name__.split(".")[-2],
            module.MOUNT_PATH,
            module.create_app(db_path, **own_settings(module, options)),
            getattr(module, "ANSWERS_UNKNOWN_PATHS", False),
        )
        for module in profile_modules()
    ]
    return sorted(mounted, key=lambda entry: entry.answers_unknown_paths)


class ProfileRouter:
    """Sends each request to the app whose mount path starts its path (unknown paths go to the
    last app, for its 404), and runs every app's lifespan."""

    def __init__(self, apps: list[Mounted]) -> None:
        self.apps = apps
        self.fallback = apps[-1].app

    def app_for(self, path: str):
        for entry in self.apps:
            if path == entry.mount_path or path.startswith(entry.mount_path + "/"):
                return entry.app
        return self.fallback

    def app_named(self, name: str):
        for entry in self.apps:
            if entry.name == name:
                return entry.app
        raise LookupError(f"no profile app called {name!r}")

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self.lifespan(receive, send)
        return await self.app_for(scope["path"])(scope, receive, send)

    async def lifespan(self, receive, send) -> None:
        async with AsyncExitStack() as stack:
            await receive()  # lifespan.startup
            try:
                for entry in self.apps:
                    inner = getattr(unwrapped(entry.app), "router", None)
                    if inner is not None:
                        await stack.enter_async_context(
                            inner.lifespan_context(unwrapped(entry.app))
                        )
            except Exception as error:
                await send({"type": "lifespan.startup.failed", "message": repr(error)})
                raise
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})


def unwrapped(app):
    """The app inside the guards and middleware around it."""
    while hasattr(app, "app"):
        app = app.app
    return app


def profile_app(app, name: str):
    """The app of the profile package ``name`` inside a finished app (with its guards
    removed): a seam for test variants, e.g. ``profile_app(app, "prefect").state.store``."""
    while not isinstance(app, ProfileRouter):
        app = app.app
    return unwrapped(app.app_named(name))


def create_app(db_path: str, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, **settings: Any):
    """Every profile's API, behind the size limit; each profile takes its own ``settings``
    (Prefect: ``auth_string``, ``prefect_release``)."""
    apps = profile_apps(db_path, **settings)
    return BodyLimit(ProfileRouter(apps), max_body_bytes)
