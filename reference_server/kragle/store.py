"""SQLite tables of the Kragle profile: users (seeded test users), sessions and block types."""

import hashlib
import hmac
import json
import secrets
from typing import Any

from ..store import Conflict, NotFound, Parts, SqliteStore, column, now, table

__all__ = ["PARTS", "Conflict", "NotFound", "Store", "TEST_USERS", "schema"]

# The parts of the tables that broken variants change (tests/variants): each by name.
PARTS = Parts(block_name_unique="UNIQUE")


def schema() -> str:
    """The SQL that creates the tables, with the parts as ``PARTS`` holds them now."""
    return "\n".join(
        [
            table(
                "kragle_user",
                "id INTEGER PRIMARY KEY",
                "username TEXT NOT NULL UNIQUE",
                "email TEXT NOT NULL UNIQUE",
                "salt TEXT NOT NULL",
                "password_hash TEXT NOT NULL",
            ),
            table(
                "kragle_session",
                "token TEXT PRIMARY KEY",
                "user_id INTEGER NOT NULL REFERENCES kragle_user (id)",
                "created TEXT NOT NULL",
            ),
            table(
                "kragle_blocktype",
                "id INTEGER PRIMARY KEY AUTOINCREMENT",
                "owner INTEGER NOT NULL REFERENCES kragle_user (id)",
                column("name TEXT NOT NULL", PARTS["block_name_unique"]),
                "definition TEXT NOT NULL",
                "resolved TEXT NOT NULL",
                "is_remote INTEGER NOT NULL",
                "needs_approval INTEGER NOT NULL",
                "is_approved INTEGER NOT NULL DEFAULT 0",
            ),
        ]
    )


# The documented test users (docs/profiles/kragle.md): the suite's defaults.
TEST_USERS = (
    (1001, "conformance-a", "conformance-a@kragle.test", "conformance-a-password"),
    (1002, "conformance-b", "conformance-b@kragle.test", "conformance-b-password"),
)
PAGE_SIZE = 10
HASH_ROUNDS = 20_000
FLAGS = ("is_remote", "needs_approval", "is_approved")


def password_hash(password: str, salt: str) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), HASH_ROUNDS)
    return digest.hex()


class Store(SqliteStore):
    def __init__(self, path: str) -> None:
        super().__init__(path, schema())

    def seed_test_users(self) -> None:
        for user_id, username, email, password in TEST_USERS:
            salt = secrets.token_hex(8)
            row = {"username": username, "email": email, "salt": salt}
            self.write(
                "INSERT OR IGNORE INTO kragle_user (id, username, email, salt, password_hash) "
                "VALUES (?, ?, ?, ?, ?)",
                [user_id, *row.values(), password_hash(password, salt)],
            )

    # ---- users and sessions ---------------------------------------------------------------

    def check_password(self, login: str, by: str, password: str) -> int | None:
        """The user id when ``login`` (a username or email, as ``by`` says) has ``password``."""
        column = "username" if by == "username" else "email"
        sql = f"SELECT id, salt, password_hash FROM kragle_user WHERE {column} = ?"
        rows = self.query(sql, [login])
        if not rows:
            return None
        user_id, salt, stored = rows[0]
        return user_id if hmac.compare_digest(password_hash(password, salt), stored) else None

    def open_session(self, user_id: int) -> str:
        token = secrets.token_urlsafe(24)
        self.insert("kragle_session", {"token": token, "user_id": user_id, "created": now()})
        return token

    def session_user(self, token: str) -> int | None:
        rows = self.query("SELECT user_id FROM kragle_session WHERE token = ?", [token])
        return rows[0][0] if rows else None

    # ---- block types ----------------------------------------------------------------------

    def create(self, owner: int, block: dict) -> int:
        """Raises Conflict when the name is taken."""
        record = {"owner": owner, **self._columns(block), "is_approved": 0}
        with self.transaction() as db:
            self.insert("kragle_blocktype", record)
            return db.execute("SELECT last_insert_rowid()").fetchone()[0]

    def update(self, block_id: int, changes: dict) -> None:
        """Raises Conflict when a new name is taken."""
        columns = self._columns(changes)
        if columns:
            assignments = ", ".join(f"{column} = ?" for column in columns)
            sql = f"UPDATE kragle_blocktype SET {assignments} WHERE id = ?"
            self.write(sql, [*columns.values(), block_id])

    def approve(self, block_id: int) -> bool:
        sql = "UPDATE kragle_blocktype SET is_approved = 1, needs_approval = 0 WHERE id = ?"
        return self.write(sql, [block_id]) == 1

    def delete(self, block_id: int) -> bool:
        return self.write("DELETE FROM kragle_blocktype WHERE id = ?", [block_id]) == 1

    def by_id(self, block_id: int) -> dict:
        row = self.one("SELECT * FROM kragle_blocktype WHERE id = ?", [block_id], "no such block")
        return self.block_of(row)

    def by_name(self, name: str) -> dict:
        row = self.one("SELECT * FROM kragle_blocktype WHERE name = ?", [name], "no such block")
        return self.block_of(row)

    def page(self, viewer: int | None, public_only: bool, page: int) -> tuple[int, list[dict]]:
        """(count of every block the viewer sees, the blocks of the 1-based page), by id."""
        where, params = "is_approved = 1", []
        if viewer is not None and not public_only:
            where, params = "(is_approved = 1 OR owner = ?)", [viewer]
        count = self.query(f"SELECT COUNT(*) FROM kragle_blocktype WHERE {where}", params)[0][0]
        rows = self.query(
            f"SELECT * FROM kragle_blocktype WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
            [*params, PAGE_SIZE, (page - 1) * PAGE_SIZE],
        )
        return count, [self.block_of(row) for row in rows]

    @staticmethod
    def _columns(block: dict) -> dict[str, Any]:
        columns: dict[str, Any] = {}
        for key, value in block.items():
            if key in ("definition", "resolved"):
                columns[key] = json.dumps(value)
            elif key in FLAGS:
                columns[key] = int(bool(value))
            elif key == "name":
                columns[key] = value
        return columns

    @staticmethod
    def block_of(row) -> dict:
        block = dict(row)
        block["definition"] = json.loads(block["definition"])
        block["resolved"] = json.loads(block["resolved"])
        for flag in FLAGS:
            block[flag] = bool(block[flag])
        return block
