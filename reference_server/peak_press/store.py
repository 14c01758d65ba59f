"""SQLite tables and queries of the Peak Press profile: block specs and their releases, block
deployments and their revisions.

Each row keeps the columns that lists filter and sort on, and the rest of the object as JSON in
``document``. ``seq`` (AUTOINCREMENT, never reused) breaks ties between equal sort keys, so
every listing has one stable total order and pages never repeat or skip an item.
"""

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from ..store import Conflict, NotFound, Parts, SqliteStore, column, new_id, now, table

LARGEST = 2**62
__all__ = ["PARTS", "Conflict", "NotFound", "Page", "Query", "Store", "new_id", "now", "schema"]

# The parts of the tables that broken variants change (tests/variants): each by name.
PARTS = Parts(
    spec_name_per_kind="UNIQUE (kind, name)",
    release_spec_reference="REFERENCES peak_spec (id) ON DELETE CASCADE",
    release_version_per_spec="UNIQUE (spec_id, version)",
    deployment_name_per_kind="UNIQUE (kind, name)",
    revision_number_per_deployment="UNIQUE (deployment_id, revision)",
)
OBJECT_COLUMNS = ("created_at TEXT NOT NULL", "created_by TEXT NOT NULL", "document TEXT NOT NULL")


def schema() -> str:
    """The SQL that creates the tables, with the parts as ``PARTS`` holds them now."""
    sequence = "seq INTEGER PRIMARY KEY AUTOINCREMENT"
    named = ("id TEXT NOT NULL UNIQUE", "kind TEXT NOT NULL", "name TEXT NOT NULL")
    return "\n".join(
        [
            table(
                "peak_spec",
                sequence,
                *named,
                "title TEXT NOT NULL",
                "status TEXT NOT NULL",
                "featured INTEGER NOT NULL",
                "scope TEXT NOT NULL",
                *OBJECT_COLUMNS,
                PARTS["spec_name_per_kind"],
            ),
            table(
                "peak_release",
                sequence,
                column("spec_id TEXT NOT NULL", PARTS["release_spec_reference"]),
                "version TEXT NOT NULL",
                *OBJECT_COLUMNS,
                PARTS["release_version_per_spec"],
            ),
            table(
                "peak_deployment",
                sequence,
                *named,
                "title TEXT NOT NULL",
                "status TEXT NOT NULL",
                *OBJECT_COLUMNS,
                PARTS["deployment_name_per_kind"],
            ),
            table(
                "peak_revision",
                sequence,
                "id TEXT NOT NULL UNIQUE",
                "deployment_id TEXT NOT NULL REFERENCES peak_deployment (id) ON DELETE CASCADE",
                "revision INTEGER NOT NULL",
                "status TEXT NOT NULL",
                *OBJECT_COLUMNS,
                PARTS["revision_number_per_deployment"],
            ),
        ]
    )


@dataclass(frozen=True)
class Query:
    """A listing: equality and prefix filters, an ORDER BY of checked columns, and a page."""

    where: Sequence[tuple[str, Sequence]] = ()  # (SQL condition with ?, its parameters)
    order: Sequence[tuple[str, bool]] = (("created_at", True),)  # (column, descending)
    page_size: int = 25
    page_number: int = 1


@dataclass(frozen=True)
class Page:
    items: list[dict]
    total: int


def document_of(row: sqlite3.Row) -> dict:
    return json.loads(row["document"])


class Store(SqliteStore):
    """The Peak Press objects; ``schema()`` is read when a store opens (so a broken variant in
    tests/ can change it first)."""

    def __init__(self, path: str) -> None:
        super().__init__(path, schema())

    # listings

    def page(self, table: str, query: Query) -> Page:
        conditions = " AND ".join(condition for condition, _ in query.where) or "1"
        params = [value for _, values in query.where for value in values]
        ordering = ", ".join(
            f"{column} {'DESC' if descending else 'ASC'}" for column, descending in query.order
        )
        last_descending = query.order[-1][1] if query.order else False
        ordering += f", seq {'DESC' if last_descending else 'ASC'}"
        total = self.query(f"SELECT COUNT(*) FROM {table} WHERE {conditions}", params)[0][0]
        # SQLite integers are 64-bit: a page that far out is empty anyway
        offset = min((query.page_number - 1) * query.page_size, LARGEST)
        rows = self.query(
            f"SELECT document FROM {table} WHERE {conditions} ORDER BY {ordering} LIMIT ? OFFSET ?",
            [*params, min(query.page_size, LARGEST), offset],
        )
        return Page([document_of(row) for row in rows], total)

    # specs

    def create_spec(self, spec: dict, release: dict) -> None:
        """A spec and its first release, in one transaction."""
        with self.transaction():
            self.insert("peak_spec", self._spec_columns(spec))
            self.create_release(spec["id"], release)

    def _spec_columns(self, spec: dict) -> dict:
        metadata = spec["metadata"]
        return {
            "id": spec["id"],
            "kind": spec["kind"],
            "name": metadata["name"],
            "title": metadata.get("title") or "",
            "status": metadata["status"],
            "featured": int(spec["featured"]),
            "scope": spec["scope"],
            "created_at": spec["createdAt"],
            "created_by": spec["createdBy"],
            "document": json.dumps(spec),
        }

    def spec(self, spec_id: str) -> dict:
        row = self.one("SELECT document FROM peak_spec WHERE id = ?", [spec_id], "spec")
        return document_of(row)

    def replace_spec(self, spec: dict) -> None:
        columns = self._spec_columns(spec)
        assignments = ", ".join(f"{column} = ?" for column in columns)
        self.write(
            f"UPDATE peak_spec SET {assignments} WHERE id = ?", [*columns.values(), spec["id"]]
        )

    def delete_spec(self, spec_id: str) -> None:
        if not self.write("DELETE FROM peak_spec WHERE id = ?", [spec_id]):
            raise NotFound("spec")

    # releases

    def create_release(self, spec_id: str, release: dict) -> None:
        self.insert(
            "peak_release",
            {
                "spec_id": spec_id,
                "version": release["version"],
                "created_at": release["createdAt"],
                "created_by": release["createdBy"],
                "document": json.dumps(release),
            },
        )

    def release(self, spec_id: str, version: str) -> dict:
        row = self.one(
            "SELECT document FROM peak_release WHERE spec_id = ? AND version = ?",
            [spec_id, version],
            "release",
        )
        return document_of(row)

    def latest_release(self, spec_id: str) -> dict:
        row = self.one(
            "SELECT document FROM peak_release WHERE spec_id = ? ORDER BY seq DESC LIMIT 1",
            [spec_id],
            "release",
        )
        return document_of(row)

    # deployments

    def _deployment_columns(self, deployment: dict) -> dict:
        metadata = deployment["metadata"]
        return {
            "id": deployment["id"],
            "kind": deployment["kind"],
            "name": metadata["name"],
            "title": metadata.get("title") or "",
            "status": deployment["status"],
            "created_at": deployment["createdAt"],
            "created_by": deployment["createdBy"],
            "document": json.dumps(deployment),
        }

    def create_deployment(self, deployment: dict, revision: dict) -> None:
        with self.transaction():
            self.insert("peak_deployment", self._deployment_columns(deployment))
            self.insert_revision(deployment["id"], revision)

    def deployment(self, deployment_id: str) -> dict:
        row = self.one(
            "SELECT document FROM peak_deployment WHERE id = ?", [deployment_id], "deployment"
        )
        return document_of(row)

    def replace_deployment(self, deployment: dict) -> None:
        columns = self._deployment_columns(deployment)
        assignments = ", ".join(f"{column} = ?" for column in columns)
        self.write(
            f"UPDATE peak_deployment SET {assignments} WHERE id = ?",
            [*columns.values(), deployment["id"]],
        )

    def delete_deployment(self, deployment_id: str) -> None:
        if not self.write("DELETE FROM peak_deployment WHERE id = ?", [deployment_id]):
            raise NotFound("deployment")

    # revisions

    def insert_revision(self, deployment_id: str, revision: dict) -> None:
        self.insert(
            "peak_revision",
            {
                "id": revision["id"],
                "deployment_id": deployment_id,
                "revision": revision["revision"],
                "status": revision["status"],
                "created_at": revision["createdAt"],
                "created_by": revision["createdBy"],
                "document": json.dumps(revision),
            },
        )

    def add_revision(self, deployment: dict, revision: dict) -> None:
        """A new latest revision: the ones before it become ``superseded``, and the deployment
        (its status and ``latestRevision``) follows it, all in one transaction."""
        with self.transaction():
            for older in self.revisions_of(deployment["id"]):
                if older["status"] != "superseded":
                    self.replace_revision(deployment["id"], {**older, "status": "superseded"})
            self.insert_revision(deployment["id"], revision)
            self.replace_deployment(deployment)

    def next_revision_number(self, deployment_id: str) -> int:
        rows = self.query(
            "SELECT MAX(revision) FROM peak_revision WHERE deployment_id = ?", [deployment_id]
        )
        return (rows[0][0] or 0) + 1

    def revisions_of(self, deployment_id: str) -> list[dict]:
        rows = self.query(
            "SELECT document FROM peak_revision WHERE deployment_id = ? ORDER BY revision",
            [deployment_id],
        )
        return [document_of(row) for row in rows]

    def revision(self, deployment_id: str, number: int) -> dict:
        row = self.one(
            "SELECT document FROM peak_revision WHERE deployment_id = ? AND revision = ?",
            [deployment_id, number],
            "revision",
        )
        return document_of(row)

    def replace_revision(self, deployment_id: str, revision: dict) -> None:
        self.write(
            "UPDATE peak_revision SET status = ?, document = ? "
            "WHERE deployment_id = ? AND revision = ?",
            [revision["status"], json.dumps(revision), deployment_id, revision["revision"]],
        )
