"""SQLite tables and queries of the Prefect profile: block types, block schemas, block documents
and the references between schemas and between documents.

Block document ``data`` is encrypted at rest, as the real server does; nothing else is secret.
"""

import json
import sqlite3

from cryptography.fernet import Fernet

from ..store import Conflict, NotFound, Parts, SqliteStore, column, new_id, now, table

__all__ = ["PARTS", "Conflict", "NotFound", "Store", "schema"]


def cascading(table_name: str) -> str:
    return f"REFERENCES {table_name} (id) ON DELETE CASCADE"


# The parts of the tables that broken variants change (tests/variants): each by name.
PARTS = Parts(
    document_name_per_type="UNIQUE (block_type_id, name)",
    document_type_reference=cascading("block_type"),
    document_schema_reference=cascading("block_schema"),
    referenced_document_reference=cascading("block_document"),
)
STAMPS = ("id TEXT PRIMARY KEY", "created TEXT NOT NULL", "updated TEXT NOT NULL")
INDEXES = {
    "block_type": ["CREATE INDEX IF NOT EXISTS ix_block_type_name ON block_type (name);"],
    "block_schema": [
        "CREATE INDEX IF NOT EXISTS ix_block_schema_type ON block_schema (block_type_id);"
    ],
    "block_document": [
        "CREATE INDEX IF NOT EXISTS ix_block_document_name ON block_document (name);",
        "-- counts a type's documents from the index alone",
        "CREATE INDEX IF NOT EXISTS ix_block_document_type_anonymous\n"
        "    ON block_document (block_type_id, is_anonymous, name);",
        "CREATE INDEX IF NOT EXISTS ix_block_document_schema ON block_document (block_schema_id);",
    ],
    "block_document_reference": [
        "CREATE INDEX IF NOT EXISTS ix_block_document_reference_child\n"
        "    ON block_document_reference (reference_block_document_id);"
    ],
}


def tables() -> dict[str, str]:
    """Each table's CREATE statement, with the parts as ``PARTS`` holds them now."""
    return {
        "block_type": table(
            "block_type",
            *STAMPS,
            "name TEXT NOT NULL",
            "slug TEXT NOT NULL UNIQUE",
            "logo_url TEXT",
            "documentation_url TEXT",
            "description TEXT",
            "code_example TEXT",
            "is_protected INTEGER NOT NULL DEFAULT 0",
        ),
        "block_schema": table(
            "block_schema",
            *STAMPS,
            "checksum TEXT NOT NULL",
            "fields TEXT NOT NULL",
            "capabilities TEXT NOT NULL",
            "version TEXT NOT NULL",
            f"block_type_id TEXT NOT NULL {cascading('block_type')}",
            "UNIQUE (checksum, version)",
        ),
        "block_document": table(
            "block_document",
            *STAMPS,
            "name TEXT NOT NULL",
            "data TEXT NOT NULL",
            "is_anonymous INTEGER NOT NULL DEFAULT 0",
            "block_type_name TEXT",
            column("block_type_id TEXT NOT NULL", PARTS["document_type_reference"]),
            column("block_schema_id TEXT NOT NULL", PARTS["document_schema_reference"]),
            PARTS["document_name_per_type"],
        ),
        "block_schema_reference": table(
            "block_schema_reference",
            "id TEXT PRIMARY KEY",
            "name TEXT NOT NULL",
            f"parent_block_schema_id TEXT NOT NULL {cascading('block_schema')}",
            f"reference_block_schema_id TEXT NOT NULL {cascading('block_schema')}",
            "UNIQUE (parent_block_schema_id, name, reference_block_schema_id)",
        ),
        "block_document_reference": table(
            "block_document_reference",
            "id TEXT PRIMARY KEY",
            "name TEXT NOT NULL",
            f"parent_block_document_id TEXT NOT NULL {cascading('block_document')}",
            column(
                "reference_block_document_id TEXT NOT NULL", PARTS["referenced_document_reference"]
            ),
            "CHECK (parent_block_document_id != reference_block_document_id)",
            "UNIQUE (parent_block_document_id, name)",
        ),
    }


def schema() -> str:
    """The SQL that creates the tables and their indexes, with the parts as ``PARTS`` holds
    them now."""
    return "\n".join(
        line for name, create in tables().items() for line in (create, *INDEXES.get(name, ()))
    )


BLOCK_TYPE_TEXT_FIELDS = ("logo_url", "documentation_url", "description", "code_example")


def type_row(row: sqlite3.Row) -> dict:
    record = dict(row)
    record["is_protected"] = bool(record["is_protected"])
    for url in ("logo_url", "documentation_url"):  # the real server answers them stripped
        if record[url] is not None:
            record[url] = record[url].strip()
    return record


def schema_row(row: sqlite3.Row) -> dict:
    record = dict(row)
    record["fields"] = json.loads(record["fields"])
    record["capabilities"] = json.loads(record["capabilities"])
    return record


class TypesAndSchemas(SqliteStore):
    """Block types and block schemas, and the capabilities of the schemas."""

    # block types

    def create_block_type(self, values: dict, is_protected: bool = False) -> dict:
        stamp = now()
        record = {"id": new_id(), "created": stamp, "updated": stamp, **values}
        record["is_protected"] = int(is_protected)
        self.insert("block_type", record)
        return self.block_type(record["id"])

    def block_type(self, type_id: str) -> dict:
        return type_row(
            self.one("SELECT * FROM block_type WHERE id = ?", [type_id], "Block type not found")
        )

    def block_type_by_slug(self, slug: str) -> dict:
        return type_row(
            self.one("SELECT * FROM block_type WHERE slug = ?", [slug], "Block type not found")
        )

    def update_block_type(self, type_id: str, values: dict) -> None:
        assignments = "".join(f"{column} = ?, " for column in values)
        changed = self.write(
            f"UPDATE block_type SET {assignments}updated = ? WHERE id = ?",
            [*values.values(), now(), type_id],
        )
        if not changed:
            raise NotFound("Block type not found")

    def upsert_protected_block_type(self, values: dict) -> dict:
        rows = self.query("SELECT * FROM block_type WHERE slug = ?", [values["slug"]])
        if not rows:
            return self.create_block_type(values, is_protected=True)
        existing = rows[0]
        # As on the real server, restoring a protected type's texts does not move `updated`.
        texts = {key: values[key] for key in ("name", *BLOCK_TYPE_TEXT_FIELDS)}
        if existing["is_protected"] and all(existing[key] == texts[key] for key in texts):
            return type_row(existing)  # stored exactly so: nothing to write
        assignments = ", ".join(f"{column} = ?" for column in texts)
        self.write(
            f"UPDATE block_type SET {assignments}, is_protected = 1 WHERE id = ?",
            [*texts.values(), existing["id"]],
        )
        return self.block_type(existing["id"])

    def delete_block_type(self, type_id: str) -> None:
        if not self.write("DELETE FROM block_type WHERE id = ?", [type_id]):
            raise NotFound("Block type not found")

    def filter_block_types(self, where: str, params: list, limit: int, offset: int) -> list[dict]:
        rows = self.query(
            f"SELECT * FROM block_type WHERE {where} ORDER BY name ASC, rowid ASC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [type_row(row) for row in rows]

    # block schemas

    def create_block_schema(
        self, fields: dict, checksum: str, capabilities: list, version: str, type_id: str
    ) -> dict:
        stamp = now()
        schema_id = new_id()
        self.write(
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
        return schema_row(
            self.one(
                "SELECT * FROM block_schema WHERE id = ?", [schema_id], "Block schema not found"
            )
        )

    def block_schema_by_checksum(self, checksum: str, version: str | None = None) -> dict:
        if version is None:
            rows = self.query(
                "SELECT * FROM block_schema WHERE checksum = ? ORDER BY created DESC, rowid DESC"
                " LIMIT 1",
                [checksum],
            )
        else:
            rows = self.query(
                "SELECT * FROM block_schema WHERE checksum = ? AND version = ?",
                [checksum, version],
            )
        if not rows:
            raise NotFound("Block schema not found")
        return schema_row(rows[0])

    def schema_versions(self) -> set[tuple[str, str]]:
        """(checksum, version) of every stored schema."""
        return {tuple(row) for row in self.query("SELECT checksum, version FROM block_schema")}

    def delete_block_schema(self, schema_id: str) -> None:
        if not self.write("DELETE FROM block_schema WHERE id = ?", [schema_id]):
            raise NotFound("Block schema not found")

    def filter_block_schemas(self, where: str, params: list, limit: int, offset: int) -> list[dict]:
        rows = self.query(
            f"SELECT * FROM block_schema WHERE {where}"
            " ORDER BY created DESC, rowid DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [schema_row(row) for row in rows]

    def capabilities(self) -> list[str]:
        """Distinct capabilities of every schema; read in Python, as SQLite's JSON functions
        cut strings at a NUL character."""
        found: dict[str, None] = {}
        for row in self.query("SELECT DISTINCT capabilities FROM block_schema"):
            found.update(dict.fromkeys(json.loads(row[0])))
        return list(found)


class Store(TypesAndSchemas):
    """The Prefect profile's objects: block types and schemas, block documents, and the
    references between schemas and between documents; ``schema()`` is read when a store opens
    (so a broken variant in tests/ can change it first)."""

    def __init__(self, path: str, cipher: Fernet | None = None) -> None:
        super().__init__(path, schema(), cipher)

    def _open_row(self, row: sqlite3.Row) -> dict:
        record = dict(row)
        record["data"] = self.unseal(record["data"])
        record["is_anonymous"] = bool(record["is_anonymous"])
        return record

    # block documents

    def create_block_document(self, values: dict) -> dict:
        stamp = now()
        record = {"id": new_id(), "created": stamp, "updated": stamp, **values}
        record["data"] = self.seal(record["data"])
        record["is_anonymous"] = int(record["is_anonymous"])
        self.insert("block_document", record)
        return self.block_document(record["id"])

    def block_document(self, document_id: str) -> dict:
        return self._open_row(
            self.one(
                "SELECT * FROM block_document WHERE id = ?",
                [document_id],
                "Block document not found",
            )
        )

    def block_document_by_name(self, slug: str, name: str) -> dict:
        row = self.one(
            "SELECT block_document.* FROM block_document"
            " JOIN block_type ON block_type.id = block_document.block_type_id"
            " WHERE block_type.slug = ? AND block_document.name = ?",
            [slug, name],
            "Block document not found",
        )
        return self._open_row(row)

    def document_name_taken(self, type_id: str, name: str) -> bool:
        return bool(
            self.query(
                "SELECT 1 FROM block_document WHERE block_type_id = ? AND name = ?",
                [type_id, name],
            )
        )

    def update_block_document(self, document_id: str, data: dict, schema_id: str) -> None:
        changed = self.write(
            "UPDATE block_document SET data = ?, block_schema_id = ?, updated = ? WHERE id = ?",
            [self.seal(data), schema_id, now(), document_id],
        )
        if not changed:
            raise NotFound("Block document not found")

    def delete_block_document(self, document_id: str) -> None:
        if not self.write("DELETE FROM block_document WHERE id = ?", [document_id]):
            raise NotFound("Block document not found")

    def filter_block_documents(
        self, where: str, params: list, order_by: str, limit: int | None, offset: int
    ) -> list[dict]:
        sql = f"SELECT * FROM block_document WHERE {where} ORDER BY {order_by}"
        bounds: list = []
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            bounds = [limit, offset]
        rows = self.query(sql, [*params, *bounds])
        return [self._open_row(row) for row in rows]

    def count_block_documents(self, where: str, params: list) -> int:
        return self.query(f"SELECT COUNT(*) FROM block_document WHERE {where}", params)[0][0]

    # references between schemas and between documents

    def add_schema_reference(self, parent_id: str, name: str, child_id: str) -> None:
        self.write(
            "INSERT OR IGNORE INTO block_schema_reference"
            " (id, name, parent_block_schema_id, reference_block_schema_id) VALUES (?, ?, ?, ?)",
            [new_id(), name, parent_id, child_id],
        )

    def schema_references(self, parent_id: str) -> list[tuple[str, dict]]:
        """(field name, child schema) pairs of a schema, in insertion order."""
        rows = self.query(
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
            pairs.append((name, schema_row(record)))
        return pairs

    def set_document_references(self, parent_id: str, references: dict[str, str]) -> None:
        self.write(
            "DELETE FROM block_document_reference WHERE parent_block_document_id = ?", [parent_id]
        )
        for name, child_id in references.items():
            self.write(
                "INSERT INTO block_document_reference (id, name, parent_block_document_id,"
                " reference_block_document_id) VALUES (?, ?, ?, ?)",
                [new_id(), name, parent_id, child_id],
            )

    def document_references(self, parent_id: str) -> list[tuple[str, str]]:
        rows = self.query(
            "SELECT name, reference_block_document_id FROM block_document_reference"
            " WHERE parent_block_document_id = ? ORDER BY rowid",
            [parent_id],
        )
        return [(row[0], row[1]) for row in rows]

    def reaches(self, start_id: str, target_id: str) -> bool:
        """Whether ``target_id`` is ``start_id`` or reachable from it along references."""
        rows = self.query(
            "WITH RECURSIVE reachable(id) AS (SELECT ? UNION SELECT reference_block_document_id"
            " FROM block_document_reference JOIN reachable"
            " ON parent_block_document_id = reachable.id)"
            " SELECT 1 FROM reachable WHERE id = ? LIMIT 1",
            [start_id, target_id],
        )
        return bool(rows)
