"""What the server holds: block types, block schemas and block documents in dicts kept in
insertion order (the order every list falls back on), with timestamps to the whole second."""

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def now() -> str:
    """The current time, UTC, to the whole second."""
    return datetime.now(UTC).strftime(TIMESTAMP_FORMAT)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class BlockType:
    name: str
    slug: str
    logo_url: str | None = None
    documentation_url: str | None = None
    description: str | None = None
    code_example: str | None = None
    is_protected: bool = False
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now)
    updated: str = ""

    def __post_init__(self) -> None:
        self.updated = self.updated or self.created


@dataclass
class BlockSchema:
    checksum: str
    fields: dict
    block_type_id: str
    capabilities: list[str]
    version: str
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now)
    updated: str = ""

    def __post_init__(self) -> None:
        self.updated = self.updated or self.created


@dataclass
class BlockDocument:
    """``data`` holds references where the client put them: ``{"$ref": {"block_document_id":
    id}}`` at a top-level key."""

    name: str
    data: dict
    block_schema_id: str
    block_type_id: str
    is_anonymous: bool
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now)
    updated: str = ""

    def __post_init__(self) -> None:
        self.updated = self.updated or self.created


def reference_target(value: object) -> str | None:
    """The document id a stored data value refers to, or None for plain data."""
    if isinstance(value, dict) and isinstance(value.get("$ref"), dict):
        target = value["$ref"].get("block_document_id")
        return target if isinstance(target, str) else None
    return None


class Store:
    """The three collections, and the deletes that take what depends on an object with it.
    Callers hold ``lock`` around every read-modify-write."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.types: dict[str, BlockType] = {}
        self.schemas: dict[str, BlockSchema] = {}
        self.documents: dict[str, BlockDocument] = {}

    def type_by_slug(self, slug: str) -> BlockType | None:
        return next((t for t in self.types.values() if t.slug == slug), None)

    def schemas_with(self, checksum: str) -> list[BlockSchema]:
        return [s for s in self.schemas.values() if s.checksum == checksum]

    def schema_with(self, checksum: str, version: str) -> BlockSchema | None:
        return next((s for s in self.schemas_with(checksum) if s.version == version), None)

    def document_named(self, type_id: str, name: str) -> BlockDocument | None:
        return next(
            (d for d in self.documents.values() if d.block_type_id == type_id and d.name == name),
            None,
        )

    def delete_type(self, block_type: BlockType) -> None:
        for schema in [s for s in self.schemas.values() if s.block_type_id == block_type.id]:
            self.delete_schema(schema)
        for document in [d for d in self.documents.values() if d.block_type_id == block_type.id]:
            self.delete_document(document)
        del self.types[block_type.id]

    def delete_schema(self, schema: BlockSchema) -> None:
        for document in [d for d in self.documents.values() if d.block_schema_id == schema.id]:
            self.delete_document(document)
        del self.schemas[schema.id]

    def delete_document(self, document: BlockDocument) -> None:
        """The document goes, and so does every reference to it: its parents keep the rest of
        their data."""
        del self.documents[document.id]
        for parent in self.documents.values():
            gone = [k for k, v in parent.data.items() if reference_target(v) == document.id]
            for key in gone:
                del parent.data[key]
