"""The JSON of each object, with the keys of the response components of Prefect's published
OpenAPI (``BlockType``, ``BlockSchema``, ``BlockDocument``)."""

import copy

from .store import BlockSchema, BlockType, Store


def type_json(block_type: BlockType) -> dict:
    return {
        "id": block_type.id,
        "created": block_type.created,
        "updated": block_type.updated,
        "name": block_type.name,
        "slug": block_type.slug,
        "logo_url": block_type.logo_url,
        "documentation_url": block_type.documentation_url,
        "description": block_type.description,
        "code_example": block_type.code_example,
        "is_protected": block_type.is_protected,
    }


def schema_json(store: Store, schema: BlockSchema) -> dict:
    return {
        "id": schema.id,
        "created": schema.created,
        "updated": schema.updated,
        "checksum": schema.checksum,
        "fields": copy.deepcopy(schema.fields),
        "block_type_id": schema.block_type_id,
        "block_type": type_json(store.types[schema.block_type_id]),
        "capabilities": list(schema.capabilities),
        "version": schema.version,
    }
