"""The real Prefect releases the server can play, and what its answers take from the one it plays:
read from the suite's timeline of releases, which lists every known release and each behaviour
that changed between them with the first release that has it. Only the facts (``sets``) matter
here: the real servers' bugs are the suite's business.

The timeline is data the suite and its reference server share: the server finds it through the
one interface the suite's package offers for its data, ``conformance.fixtures_dir()`` (a light
import: the package's ``__init__`` and nothing of the suite itself).
"""

import functools
import tomllib

from packaging.version import Version

from conformance import fixtures_dir

TIMELINE = ("prefect", "releases.toml")


@functools.cache
def _table() -> dict:
    return tomllib.loads(fixtures_dir().joinpath(*TIMELINE).read_text())


def versions() -> list[str]:
    """Every release the server can play, oldest first."""
    lines = sorted(_table()["lines"].items(), key=lambda item: Version(item[0]))
    return [f"{line}.{patch}" for line, newest in lines for patch in patches(newest)]


def patches(newest: str) -> range:
    """The patch numbers of a line, up to its newest known release's."""
    return range(Version(newest).micro + 1)


def resolved(name: str | None) -> str:
    """The release ``name`` names: a version, or a line (3.6) for its newest; None for the
    newest known. ValueError names the range."""
    known = versions()
    if name is None:
        return known[-1]
    lines = _table()["lines"]
    if name in lines:
        return lines[name]
    if name in known:
        return name
    raise ValueError(
        f"no Prefect release {name!r}; known: every release from {known[0]} to {known[-1]}"
    )


@functools.cache
def facts(version: str) -> dict:
    """What the release does where releases differ (the changes up to it, applied in order)."""
    found: dict = {}
    for change in sorted(_table()["change"], key=lambda change: Version(change["since"])):
        if Version(change["since"]) <= Version(version):
            found.update(change.get("sets", {}))
    return found
