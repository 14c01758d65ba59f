"""The real Prefect releases the server can play, and what its answers take from the one it plays:
read from the suite's timeline of releases (``fixtures/prefect/releases.toml`` in a checkout,
``conformance/_fixtures/prefect/releases.toml`` in an installed wheel), which lists every known
release and each behaviour that changed between them with the first release that has it. Only
the facts (``sets``) matter here: the real servers' bugs are the suite's business."""

import functools
import tomllib
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
_PLACES = (
    _ROOT / "fixtures" / "prefect" / "releases.toml",
    _ROOT / "conformance" / "_fixtures" / "prefect" / "releases.toml",
)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@functools.cache
def _table() -> dict:
    for place in _PLACES:
        if place.exists():
            return tomllib.loads(place.read_text())
    raise FileNotFoundError(f"no timeline of Prefect releases at {' or '.join(map(str, _PLACES))}")


def versions() -> list[str]:
    """Every release the server can play, oldest first."""
    lines = sorted(_table()["lines"].items(), key=lambda item: version_key(item[0]))
    return [
        f"{line}.{patch}" for line, newest in lines for patch in range(version_key(newest)[2] + 1)
    ]


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
    for change in sorted(_table()["change"], key=lambda change: version_key(change["since"])):
        if version_key(change["since"]) <= version_key(version):
            found.update(change.get("sets", {}))
    return found
