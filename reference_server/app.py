"""Application factory: one ASGI app serving every profile's API under its own base path, on
one SQLite file, behind one request size limit.

Each profile is a package of this one (``prefect/`` serves ``/api``, ``kragle/`` serves
``/kragle/api/v1`` and its test hooks under ``/kragle/_hooks``, ``peak_press/`` serves
``/peak``); adding a profile adds a package and a line to ``profile_apps``, not a second server.
"""

from contextlib import AsyncExitStack

from .guards import BodyLimit
from .kragle.app import MOUNT_PATH as KRAGLE_MOUNT_PATH
from .kragle.app import create_app as kragle_app
from .peak_press.app import BASE_PATH as PEAK_PRESS_BASE_PATH
from .peak_press.app import create_app as peak_press_app
from .prefect.app import BASE_PATH as PREFECT_BASE_PATH
from .prefect.app import create_app as prefect_app

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


def profile_apps(db_path: str, auth_string: str | None) -> list[tuple[str, object]]:
    """(base path, ASGI app) of every profile; the last one also answers unknown paths."""
    return [
        (KRAGLE_MOUNT_PATH, kragle_app(db_path)),
        (PEAK_PRESS_BASE_PATH, peak_press_app(db_path)),
        (PREFECT_BASE_PATH, prefect_app(db_path, auth_string)),
    ]


class ProfileRouter:
    """Sends each request to the app whose base path starts its path (unknown paths go to the
    last app, for its 404), and runs every app's lifespan."""

    def __init__(self, apps: list[tuple[str, object]]) -> None:
        self.apps = apps
        self.fallback = apps[-1][1]

    def app_for(self, path: str):
        for base, app in self.apps:
            if path == base or path.startswith(base + "/"):
                return app
        return self.fallback

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self.lifespan(receive, send)
        return await self.app_for(scope["path"])(scope, receive, send)

    async def lifespan(self, receive, send) -> None:
        async with AsyncExitStack() as stack:
            await receive()  # lifespan.startup
            try:
                for _, app in self.apps:
                    inner = getattr(unwrapped(app), "router", None)
                    if inner is not None:
                        await stack.enter_async_context(inner.lifespan_context(unwrapped(app)))
            except Exception as error:
                await send({"type": "lifespan.startup.failed", "message": repr(error)})
                raise
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})


def unwrapped(app):
    """The app inside the guards a profile put around it."""
    while hasattr(app, "app"):
        app = app.app
    return app


def create_app(
    db_path: str, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, auth_string: str | None = None
):
    """Every profile's API, behind the size limit (and, for Prefect, the optional auth string)."""
    return BodyLimit(ProfileRouter(profile_apps(db_path, auth_string)), max_body_bytes)
