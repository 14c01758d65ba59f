"""Block documents: creating and updating them (names, references to other documents, secrets
sent back masked) and showing them (references filled in, secrets masked unless asked for)."""

import copy
import uuid

from .errors import Refused, invalid
from .secrets import keeping_secrets, masked
from .store import BlockDocument, BlockType, Store, now, reference_target
from .views import schema_json, type_json

MAX_DEPTH = 50


def anonymous_name() -> str:
    return f"anonymous-{uuid.uuid4().hex}"


def stored_references(store: Store, data: dict) -> dict:
    """``data`` with each top-level reference checked and written in its one stored form:
    400 for a reference without a document id, 409 for one to a document that does not exist."""
    result = {}
    for key, value in data.items():
        if not (isinstance(value, dict) and "$ref" in value):
            result[key] = value
            continue
        target = value["$ref"].get("block_document_id") if isinstance(value["$ref"], dict) else None
        try:
            target_id = str(uuid.UUID(target)) if isinstance(target, str) else None
        except ValueError:
            target_id = None
        if target_id is None:
            raise Refused(
                400,
                f"data.{key} is a reference: its $ref must be an object whose block_document_id "
                "is the id of a block document.",
            )
        if target_id not in store.documents:
            raise Refused(
                409, f"data.{key} refers to the block document {target_id}, which does not exist."
            )
        result[key] = {"$ref": {"block_document_id": target_id}}
    return result


def reaches(store: Store, start: str, wanted: str, depth: int = 0) -> bool:
    """Whether the document ``start`` refers to ``wanted``, directly or through others."""
    if start == wanted:
        return True
    document = store.documents.get(start)
    if document is None or depth > MAX_DEPTH:
        return False
    return any(
        reaches(store, target, wanted, depth + 1)
        for target in map(reference_target, document.data.values())
        if target is not None
    )


def create_document(store: Store, body: dict) -> BlockDocument:
    name, anonymous = body.get("name"), body.get("is_anonymous", False)
    if name is None and not anonymous:
        raise invalid(["body", "name"], "a document that is not anonymous needs a name", "missing")
    type_id, schema_id = body["block_type_id"].lower(), body["block_schema_id"].lower()
    if name is not None and store.document_named(type_id, name) is not None:
        raise Refused(409, f"The block type already has a document named '{name}'.")
    if type_id not in store.types:
        raise Refused(409, f"block_type_id {type_id} is the id of no block type.")
    schema = store.schemas.get(schema_id)
    if schema is None or schema.block_type_id != type_id:
        raise Refused(
            409, f"block_schema_id {schema_id} is the id of no schema of that block type."
        )
    data = stored_references(store, body.get("data", {}))
    document = BlockDocument(name or anonymous_name(), data, schema_id, type_id, anonymous)
    store.documents[document.id] = document
    return document


def update_document(store: Store, document: BlockDocument, body: dict) -> None:
    """A PATCH: ``data`` merged over the stored top-level keys (replacing them with
    ``merge_existing_data`` false), masks sent back kept as the secrets they hide."""
    schema = store.schemas[document.block_schema_id]
    if body.get("block_schema_id") is not None:
        new_id = body["block_schema_id"].lower()
        new_schema = store.schemas.get(new_id)
        if new_schema is None or new_schema.block_type_id != document.block_type_id:
            raise Refused(
                409,
                f"block_schema_id {new_id} is the id of no schema of this document's block type.",
            )
    merge = body.get("merge_existing_data", True)
    if "data" in body or not merge:
        sent = keeping_secrets(body.get("data", {}), document.data, schema.fields)
        data = stored_references(store, sent)
        for key, value in data.items():
            target = reference_target(value)
            if target is not None and reaches(store, target, document.id):
                raise Refused(
                    400,
                    f"data.{key} would make the document refer to itself, through {target}.",
                )
        document.data = {**document.data, **data} if merge else data
    if body.get("block_schema_id") is not None:
        document.block_schema_id = body["block_schema_id"].lower()
    document.updated = now()


def shown_data(
    store: Store, document: BlockDocument, secrets: bool, depth: int = 0
) -> tuple[dict, dict]:
    """A document's data as reads show it, and its block_document_references."""
    schema = store.schemas[document.block_schema_id]
    own = {k: v for k, v in document.data.items() if reference_target(v) is None}
    own = copy.deepcopy(own) if secrets else masked(own, schema.fields)
    data, references = {}, {}
    for key, value in document.data.items():
        target = reference_target(value)
        if target is None:
            data[key] = own[key]
            continue
        child = store.documents.get(target)
        if child is None or depth >= MAX_DEPTH:
            continue
        data[key], child_references = shown_data(store, child, secrets, depth + 1)
        references[key] = {
            "block_document": {
                "id": child.id,
                "name": child.name,
                "block_type": type_json(store.types[child.block_type_id]),
                "is_anonymous": child.is_anonymous,
                "block_document_references": child_references,
            }
        }
    return data, references


def named_documents(store: Store, block_type: BlockType) -> list[BlockDocument]:
    """A block type's documents that are not anonymous, by name."""
    documents = [
        d
        for d in store.documents.values()
        if d.block_type_id == block_type.id and not d.is_anonymous
    ]
    return sorted(documents, key=lambda document: document.name)


def document_json(store: Store, document: BlockDocument, secrets: bool) -> dict:
    data, references = shown_data(store, document, secrets)
    block_type = store.types[document.block_type_id]
    return {
        "id": document.id,
        "created": document.created,
        "updated": document.updated,
        "name": document.name,
        "data": data,
        "block_schema_id": document.block_schema_id,
        "block_schema": schema_json(store, store.schemas[document.block_schema_id]),
        "block_type_id": document.block_type_id,
        "block_type_name": block_type.name,
        "block_type": type_json(block_type),
        "block_document_references": references,
        "is_anonymous": document.is_anonymous,
    }
