"""Where generated tests keep the failures they find: Hypothesis's example database.

A failing case found by a generated test is saved (shrunk) under the test's key; the next run,
against this or another target, replays it before it generates anything new. The database is
a directory (by default in pytest's cache, ``.pytest_cache``, or the user's cache folder when
pytest has none) or, with ``--blocks-example-db redis://host:port/N``, a Redis server that every
runner of a CI fleet shares.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    ExampleDatabase,
    InMemoryExampleDatabase,
    ReadOnlyDatabase,
)

CACHE_FOLDER = "blocks-conformance/examples"  # in the user's cache folder
PYTEST_CACHE_NAME = "blocks-conformance-examples"  # in pytest's
# Hypothesis's keys beside a test's own: failures it met while shrinking, and targeting's
SIDE_KEYS = (b".secondary", b".pareto")
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
IN_MEMORY = ":memory:"  # where a database in memory is (nowhere to hand to another process)


@dataclass
class SavedExamples:
    """The run's example database: ``where`` it is, a ``note`` when it is not the place asked
    for (said once, in the summary), and how many saved failures this process ``replayed``."""

    database: ExampleDatabase
    where: str
    note: str | None = None
    replayed: int = 0

    def for_test(self, key: str) -> ExampleDatabase:
        return ScopedDatabase(self, f"blocks-conformance:{key}:".encode())


class ScopedDatabase(ExampleDatabase):
    """One test's part of the run's database: its keys carry the test's id (the generated
    tests of a contract share one Hypothesis function), and what it fetches to replay is
    counted."""

    def __init__(self, saved: SavedExamples, prefix: bytes) -> None:
        super().__init__()
        self.saved = saved
        self.prefix = prefix

    def fetch(self, key: bytes) -> Iterable[bytes]:
        values = list(self.saved.database.fetch(self.prefix + key))
        if not key.endswith(SIDE_KEYS):
            self.saved.replayed += len(values)
        return values

    def save(self, key: bytes, value: bytes) -> None:
        self.saved.database.save(self.prefix + key, value)

    def delete(self, key: bytes, value: bytes) -> None:
        self.saved.database.delete(self.prefix + key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self.saved.database.move(self.prefix + src, self.prefix + dest, value)


def writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def user_cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base, CACHE_FOLDER)


def pytest_cache_folder(config: pytest.Config) -> Path | None:
    """The folder in pytest's cache (``.pytest_cache/d/``), None when there is none or it
    cannot be made."""
    cache = getattr(config, "cache", None)  # None under -p no:cacheprovider
    if cache is None:
        return None
    try:
        return cache.mkdir(PYTEST_CACHE_NAME)
    except OSError:
        return None


def redis_database(url: str) -> SavedExamples:
    try:
        import redis
        from hypothesis.extra.redis import RedisExampleDatabase
    except ImportError:
        raise pytest.UsageError(
            f"--blocks-example-db {url} needs the redis package: "
            "pip install 'blocks-conformance[redis]'"
        ) from None
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
    try:
        client.ping()
    except redis.RedisError as error:
        problem = f"--blocks-example-db {url}: Redis did not answer: {error}"
        raise pytest.UsageError(problem) from None
    return SavedExamples(RedisExampleDatabase(client), url)


def directory_database(folder: Path) -> SavedExamples:
    """The folder given: read-only when it cannot be written (its failures are still
    replayed)."""
    if writable(folder):
        return SavedExamples(DirectoryBasedExampleDatabase(folder), str(folder))
    note = f"{folder} cannot be written: its saved failures are replayed, new ones are not kept"
    return SavedExamples(ReadOnlyDatabase(DirectoryBasedExampleDatabase(folder)), str(folder), note)


def default_database(config: pytest.Config) -> SavedExamples:
    """pytest's cache folder, else the user's cache folder, else memory, saying why."""
    folder = pytest_cache_folder(config)
    if folder is not None and writable(folder):
        return SavedExamples(DirectoryBasedExampleDatabase(folder), str(folder))
    if getattr(config, "cache", None) is None:
        note = "pytest has no cache (-p no:cacheprovider)"
    else:
        note = "pytest's cache cannot be written"
    fallback = user_cache_folder()
    if writable(fallback):
        return SavedExamples(
            DirectoryBasedExampleDatabase(fallback), str(fallback), f"{note}: kept in {fallback}"
        )
    note += f", nor {fallback}: found failures are kept in memory for this run only"
    return SavedExamples(InMemoryExampleDatabase(), IN_MEMORY, note)


def open_saved_examples(config: pytest.Config, given: str | None) -> SavedExamples:
    """The example database ``--blocks-example-db`` names (a folder or a Redis URL), or the
    default one."""
    if given is None:
        return default_database(config)
    if given == IN_MEMORY:
        return SavedExamples(InMemoryExampleDatabase(), IN_MEMORY)
    if given.startswith(REDIS_SCHEMES):
        return redis_database(given)
    return directory_database(Path(given).expanduser())
