"""SQLite storage for block types, block schemas and block documents.

One connection guarded by a lock: SQLite serialises writers anyway, and unique indexes (not
read-then-write checks) decide every uniqueness question, so concurrent duplicates have exactly
one winner.
"""

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet

SCHEMA = """
CREATE TABLE IF NOT EXISTS block_type (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    logo_url TEXT,
    documentation_url TEXT,
    description TEXT,
    code_example TEXT,
    is_protected INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ix_block_type_name ON block_type (name);
CREATE TABLE IF NOT EXISTS block_schema (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    checksum TEXT NOT NULL,
    fields TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    version TEXT NOT NULL,
    block_type_id TEXT NOT NULL REFERENCES block_type (id) ON DELETE CASCADE,
    UNIQUE (checksum, version)
);
CREATE INDEX IF NOT EXISTS ix_block_schema_type ON block_schema (block_type_id);
CREATE TABLE IF NOT EXISTS block_document (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    name TEXT NOT NULL,
    data TEXT NOT NULL,
    is_anonymous INTEGER NOT NULL DEFAULT 0,
    block_type_name TEXT,
    block_type_id TEXT NOT NULL REFERENCES block_type (id) ON DELETE CASCADE,
    block_schema_id TEXT NOT NULL REFERENCES block_schema (id) ON DELETE CASCADE,
    UNIQUE (block_type_id, name)
);
CREATE INDEX IF NOT EXISTS ix_block_document_name ON block_document (name);
CREATE INDEX IF NOT EXISTS ix_block_document_schema ON block_document (block_schema_id);
CREATE TABLE IF NOT EXISTS block_schema_reference (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent_block_schema_id TEXT NOT NULL REFERENCES block_schema (id) ON DELETE CASCADE,
    reference_block_schema_id TEXT NOT NULL REFERENCES block_schema (id) ON DELETE CASCADE,
    UNIQUE (parent_block_schema_id, name, reference_block_schema_id)
);
CREATE TABLE IF NOT EXISTS block_document_reference (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent_block_document_id TEXT NOT NULL REFERENCES block_document (id) ON DELETE CASCADE,
    reference_block_document_id TEXT NOT NULL REFERENCES block_document (id) ON DELETE CASCADE,
    CHECK (parent_block_document_id != reference_block_document_id),
    UNIQUE (parent_block_document_id, name)
);
CREATE INDEX IF NOT EXISTS ix_block_document_reference_child
    ON block_document_reference (reference_block_document_id);
"""

BLOCK_TYPE_TEXT_FIELDS = ("logo_url", "documentation_url", "description", "code_example")


class NotFound(Exception):
    """The object does not exist."""


class Conflict(Exception):
    """A unique or foreign-key constraint refused the write."""


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id() -> str:
    return str(uuid.uuid4())


def _type_row(row: sqlite3.Row) -> dict:
    record = dict(row)
    record["is_protected"] = bool(record["is_protected"])
    return record


def _schema_row(row: sqlite3.Row) -> dict:
    record = dict(row)
    record["fields"] = json.loads(record["fields"])
    record["capabilities"] = json.loads(record["capabilities"])
    return record


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


class Store:
    """Rows in, plain dicts out. Raises NotFound and Conflict; knows nothing about HTTP.

    Block document ``data`` is encrypted at rest with ``cipher`` (a Fernet key), as the real
    server does; nothing else is secret."""

    def __init__(self, path: str, cipher: Fernet | None = None) -> None:
        self._cipher = cipher
        self._lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)

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

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def _insert(self, table: str, record: dict) -> None:
        columns = ", ".join(record)
        marks = ", ".join("?" for _ in record)
        self._write(f"INSERT INTO {table} ({columns}) VALUES ({marks})", record.values())

    def _one(self, sql: str, params: Iterable[Any], missing: str) -> sqlite3.Row:
        rows = self._query(sql, params)
        if not rows:
            raise NotFound(missing)
        return rows[0]

    def _write(self, sql: str, params: Iterable[Any] = ()) -> int:
        try:
            with self._lock:
                if self._depth:
                    return self._db.execute(sql, tuple(params)).rowcount
                with self.transaction() as db:
                    return db.execute(sql, tuple(params)).rowcount
        except sqlite3.IntegrityError as error:
            raise Conflict(str(error)) from error

    def _seal(self, data: dict) -> str:
        text = json.dumps(data)
        return self._cipher.encrypt(text.encode()).decode() if self._cipher else text

    def _open_row(self, row: sqlite3.Row) -> dict:
        record = dict(row)
        text = record["data"]
        if self._cipher is not None:
            text = self._cipher.decrypt(text.encode()).decode()
        record["data"] = json.loads(text)
        record["is_anonymous"] = bool(record["is_anonymous"])
        return record

    # block types

    def create_block_type(self, values: dict, is_protected: bool = False) -> dict:
        stamp = now()
        record = {"id": new_id(), "created": stamp, "updated": stamp, **values}
        record["is_protected"] = int(is_protected)
        self._insert("block_type", record)
        return self.block_type(record["id"])

    def block_type(self, type_id: str) -> dict:
        return _type_row(
            self._one("SELECT * FROM block_type WHERE id = ?", [type_id], "Block type not found")
        )

    def block_type_by_slug(self, slug: str) -> dict:
        return _type_row(
            self._one("SELECT * FROM block_type WHERE slug = ?", [slug], "Block type not found")
        )

    def update_block_type(self, type_id: str, values: dict) -> None:
        assignments = "".join(f"{column} = ?, " for column in values)
        changed = self._write(
            f"UPDATE block_type SET {assignments}updated = ? WHERE id = ?",
            [*values.values(), now(), type_id],
        )
        if not changed:
            raise NotFound("Block type not found")

    def upsert_protected_block_type(self, values: dict) -> dict:
        try:
            existing = self.block_type_by_slug(values["slug"])
        except NotFound:
            return self.create_block_type(values, is_protected=True)
        texts = {key: values[key] for key in ("name", *BLOCK_TYPE_TEXT_FIELDS)}
        self.update_block_type(existing["id"], {**texts, "is_protected": 1})
        return self.block_type(existing["id"])

    def delete_block_type(self, type_id: str) -> None:
        if not self._write("DELETE FROM block_type WHERE id = ?", [type_id]):
            raise NotFound("Block type not found")

    def filter_block_types(self, where: str, params: list, limit: int, offset: int) -> list[dict]:
        rows = self._query(
            f"SELECT * FROM block_type WHERE {where} ORDER BY name ASC, rowid ASC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_type_row(row) for row in rows]

    # block schemas

    def create_block_schema(
        self, fields: dict, checksum: str, capabilities: list, version: str, type_id: str
    ) -> dict:
        stamp = now()
        schema_id = new_id()
        self._write(
            "INSERT INTO block_schema (id, created, updated, checksum, fields, capabilities,"
            " version, block_type_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                schema_id,
                stamp,
                stamp,
                checksum,
                json.dumps(fields),
                json.dumps(capabilities),
                version,
                type_id,
            ],
        )
        return self.block_schema(schema_id)

    def block_schema(self, schema_id: str) -> dict:
        return _schema_row(
            self._one(
                "SELECT * FROM block_schema WHERE id = ?", [schema_id], "Block schema not found"
            )
        )

    def block_schema_by_checksum(self, checksum: str, version: str | None = None) -> dict:
        if version is None:
            rows = self._query(
                "SELECT * FROM block_schema WHERE checksum = ? ORDER BY created DESC, rowid DESC"
                " LIMIT 1",
                [checksum],
            )
        else:
            rows = self._query(
                "SELECT * FROM block_schema WHERE checksum = ? AND version = ?",
                [checksum, version],
            )
        if not rows:
            raise NotFound("Block schema not found")
        return _schema_row(rows[0])

    def delete_block_schema(self, schema_id: str) -> None:
        if not self._write("DELETE FROM block_schema WHERE id = ?", [schema_id]):
            raise NotFound("Block schema not found")

    def filter_block_schemas(self, where: str, params: list, limit: int, offset: int) -> list[dict]:
        rows = self._query(
            f"SELECT * FROM block_schema WHERE {where}"
            " ORDER BY created DESC, rowid DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_schema_row(row) for row in rows]

    def capabilities(self) -> list[str]:
        rows = self._query(
            "SELECT DISTINCT value FROM block_schema, json_each(block_schema.capabilities)"
        )
        return [row[0] for row in rows]

    # block documents

    def create_block_document(self, values: dict) -> dict:
        stamp = now()
        record = {"id": new_id(), "created": stamp, "updated": stamp, **values}
        record["data"] = self._seal(record["data"])
        record["is_anonymous"] = int(record["is_anonymous"])
        self._insert("block_document", record)
        return self.block_document(record["id"])

    def block_document(self, document_id: str) -> dict:
        return self._open_row(
            self._one(
                "SELECT * FROM block_document WHERE id = ?",
                [document_id],
                "Block document not found",
            )
        )

    def block_document_by_name(self, slug: str, name: str) -> dict:
        row = self._one(
            "SELECT block_document.* FROM block_document"
            " JOIN block_type ON block_type.id = block_document.block_type_id"
            " WHERE block_type.slug = ? AND block_document.name = ?",
            [slug, name],
            "Block document not found",
        )
        return self._open_row(row)

    def document_name_taken(self, type_id: str, name: str) -> bool:
        return bool(
            self._query(
                "SELECT 1 FROM block_document WHERE block_type_id = ? AND name = ?",
                [type_id, name],
            )
        )

    def update_block_document(self, document_id: str, data: dict, schema_id: str) -> None:
        changed = self._write(
            "UPDATE block_document SET data = ?, block_schema_id = ?, updated = ? WHERE id = ?",
            [self._seal(data), schema_id, now(), document_id],
        )
        if not changed:
            raise NotFound("Block document not found")

    def delete_block_document(self, document_id: str) -> None:
        if not self._write("DELETE FROM block_document WHERE id = ?", [document_id]):
            raise NotFound("Block document not found")

    def filter_block_documents(
        self, where: str, params: list, order_by: str, limit: int | None, offset: int
    ) -> list[dict]:
        sql = f"SELECT * FROM block_document WHERE {where} ORDER BY {order_by}"
        bounds: list = []
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            bounds = [limit, offset]
        rows = self._query(sql, [*params, *bounds])
        return [self._open_row(row) for row in rows]

    def count_block_documents(self, where: str, params: list) -> int:
        return self._query(f"SELECT COUNT(*) FROM block_document WHERE {where}", params)[0][0]

    # references between schemas and between documents

    def add_schema_reference(self, parent_id: str, name: str, child_id: str) -> None:
        self._write(
            "INSERT OR IGNORE INTO block_schema_reference"
            " (id, name, parent_block_schema_id, reference_block_schema_id) VALUES (?, ?, ?, ?)",
            [new_id(), name, parent_id, child_id],
        )

    def schema_references(self, parent_id: str) -> list[tuple[str, dict]]:
        """(field name, child schema) pairs of a schema, in insertion order."""
        rows = self._query(
            "SELECT reference.name AS reference_name, block_schema.*"
            " FROM block_schema_reference AS reference"
            " JOIN block_schema ON block_schema.id = reference.reference_block_schema_id"
            " WHERE reference.parent_block_schema_id = ? ORDER BY reference.rowid",
            [parent_id],
        )
        pairs = []
        for row in rows:
            record = dict(row)
            name = record.pop("reference_name")
            pairs.append((name, _schema_row(record)))
        return pairs

    def set_document_references(self, parent_id: str, references: dict[str, str]) -> None:
        self._write(
            "DELETE FROM block_document_reference WHERE parent_block_document_id = ?", [parent_id]
        )
        for name, child_id in references.items():
            self._write(
                "INSERT INTO block_document_reference (id, name, parent_block_document_id,"
                " reference_block_document_id) VALUES (?, ?, ?, ?)",
                [new_id(), name, parent_id, child_id],
            )

    def document_references(self, parent_id: str) -> list[tuple[str, str]]:
        rows = self._query(
            "SELECT name, reference_block_document_id FROM block_document_reference"
            " WHERE parent_block_document_id = ? ORDER BY rowid",
            [parent_id],
        )
        return [(row[0], row[1]) for row in rows]

    def reaches(self, start_id: str, target_id: str) -> bool:
        """Whether ``target_id`` is ``start_id`` or reachable from it along references."""
        rows = self._query(
            "WITH RECURSIVE reachable(id) AS (SELECT ? UNION SELECT reference_block_document_id"
            " FROM block_document_reference JOIN reachable"
            " ON parent_block_document_id = reachable.id)"
            " SELECT 1 FROM reachable WHERE id = ? LIMIT 1",
            [start_id, target_id],
        )
        return bool(rows)
