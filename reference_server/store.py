"""SQLite storage shared by the profiles of the reference server: one connection guarded by a
lock, transactions, small query helpers and encryption of secret data at rest.

SQLite serialises writers anyway, and unique indexes (not read-then-write checks) decide every
uniqueness question, so concurrent duplicates have exactly one winner. Each profile's package
defines its tables and a store class built on ``SqliteStore``.
"""

import json
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet

SQLITE_LARGEST_INTEGER = 2**63 - 1
ASCII_DIGITS = re.compile(r"[0-9]+")


def ascii_int(raw: str) -> int | None:
    """``raw`` as an integer when it is ASCII digits only, else None (``str.isdigit`` also
    accepts digits such as "²", which ``int`` refuses)."""
    return int(raw) if ASCII_DIGITS.fullmatch(raw) else None


def row_number(raw: str) -> int | None:
    """An id or number named in a request, as ``ascii_int``, or None beyond SQLite's integer
    range: no row can hold it (and SQLite would refuse it as a parameter)."""
    value = ascii_int(raw)
    return value if value is not None and value <= SQLITE_LARGEST_INTEGER else None


class NotFound(Exception):
    """The object does not exist."""


class Conflict(Exception):
    """A unique or foreign-key constraint refused the write."""


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id() -> str:
    return str(uuid.uuid4())


class Parts(dict):
    """The named parts of a profile's tables that variants change (a unique constraint, a
    column's reference): each by name, None to leave it out. Setting a name no table has is an
    error, never a change that silently does nothing."""

    def __setitem__(self, name: str, value: str | None) -> None:
        if name not in self:
            raise KeyError(f"no table part named {name!r}; known: {', '.join(self)}")
        super().__setitem__(name, value)


def table(name: str, *parts: str | None) -> str:
    """The CREATE TABLE statement of the parts (columns, constraints) that are not None."""
    body = ",\n    ".join(part for part in parts if part)
    return f"CREATE TABLE IF NOT EXISTS {name} (\n    {body}\n);"


def column(definition: str, *constraints: str | None) -> str:
    """A column definition with the constraints that are not None (a reference, say)."""
    return " ".join([definition, *(constraint for constraint in constraints if constraint)])


KEY_ENVIRONMENT = "BLOCKS_REFERENCE_ENCRYPTION_KEY"


def load_cipher(db_path: str) -> Fernet:
    """The data key: from the environment, else a key file next to the database (created, with
    mode 0600, on first use)."""
    if key := os.environ.get(KEY_ENVIRONMENT):
        return Fernet(key.encode())
    key_path = f"{db_path}.key"
    try:
        with open(key_path, "rb") as handle:
            return Fernet(handle.read().strip())
    except FileNotFoundError:
        key = Fernet.generate_key()
        descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        return Fernet(key)


class SqliteStore:
    """Rows in, plain dicts out. Raises NotFound and Conflict; knows nothing about HTTP.
    ``schema`` is the SQL script that creates the tables; ``seal``/``unseal`` encrypt secret
    data with ``cipher`` (a Fernet key)."""

    def __init__(self, path: str, schema: str, cipher: Fernet | None = None) -> None:
        self._cipher = cipher
        self._lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(schema)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit; nested uses join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._db
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def insert(self, table: str, record: dict) -> None:
        columns = ", ".join(record)
        marks = ", ".join("?" for _ in record)
        self.write(f"INSERT INTO {table} ({columns}) VALUES ({marks})", record.values())

    def one(self, sql: str, params: Iterable[Any], missing: str) -> sqlite3.Row:
        rows = self.query(sql, params)
        if not rows:
            raise NotFound(missing)
        return rows[0]

    def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        try:
            with self._lock:
                if self._depth:
                    return self._db.execute(sql, tuple(params)).rowcount
                with self.transaction() as db:
                    return db.execute(sql, tuple(params)).rowcount
        except sqlite3.IntegrityError as error:
            raise Conflict(str(error)) from error

    def seal(self, data: dict) -> str:
        text = json.dumps(data)
        return self._cipher.encrypt(text.encode()).decode() if self._cipher else text

    def unseal(self, text: str) -> Any:
        if self._cipher is not None:
            text = self._cipher.decrypt(text.encode()).decode()
        return json.loads(text)
