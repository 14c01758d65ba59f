"""Request bodies of the Prefect blocks API, with the real server's validation rules.

The rules and messages are facts about the real API (see shared/spec); pydantic produces the
error objects, so 422 bodies carry the same types, locations and messages as the real server's.
"""

import re
import uuid
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

NAME_PATTERN = r"^[^/%&><]+$"
LOWER_DASH = re.compile(r"^[a-z0-9-]*$")


def _slug_rule(value: str) -> str:
    # Unlike the real server, the empty slug is refused (PF-BT-422-empty-slug).
    if not value or not LOWER_DASH.match(value):
        raise ValueError(
            "Block type slug must only contain lowercase letters, numbers, and dashes."
        )
    return value


def _document_name_rule(value: str) -> str:
    if not LOWER_DASH.match(value):
        raise ValueError(
            "Block document name must only contain lowercase letters, numbers, and dashes."
        )
    return value


Name = Annotated[str, Field(pattern=NAME_PATTERN)]
BlockTypeSlug = Annotated[str, AfterValidator(_slug_rule)]
BlockDocumentName = Annotated[str, Field(pattern=NAME_PATTERN), AfterValidator(_document_name_rule)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BlockTypeCreate(Strict):
    name: Name
    slug: BlockTypeSlug
    logo_url: str | None = None
    documentation_url: str | None = None
    description: str | None = None
    code_example: str | None = None


class BlockTypeUpdate(Strict):
    logo_url: str | None = None
    documentation_url: str | None = None
    description: str | None = None
    code_example: str | None = None


class BlockSchemaCreate(Strict):
    fields: dict[str, Any] = Field(default_factory=dict)
    block_type_id: uuid.UUID
    capabilities: list[str] = Field(default_factory=list)
    version: str = "non-versioned"


class BlockDocumentCreate(Strict):
    name: BlockDocumentName | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    block_schema_id: uuid.UUID
    block_type_id: uuid.UUID
    is_anonymous: bool = False

    @model_validator(mode="before")
    @classmethod
    def _named_unless_anonymous(cls, values: Any) -> Any:
        if isinstance(values, dict) and not values.get("is_anonymous") and not values.get("name"):
            raise ValueError("Names must be provided for block documents.")
        return values


class BlockDocumentUpdate(Strict):
    block_schema_id: uuid.UUID | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    merge_existing_data: bool = True


# filters


class AnyText(Strict):
    any_: list[str] | None = None


class AnyId(Strict):
    any_: list[uuid.UUID] | None = None


class TextMatch(Strict):
    any_: list[str] | None = None
    like_: str | None = None


class TypeNameMatch(Strict):
    like_: str | None = None


class AllCapabilities(Strict):
    all_: list[str] | None = None


class IsAnonymous(Strict):
    eq_: bool | None = None


class Operator(StrEnum):
    """An enum, not a Literal: pydantic then names the error type "enum", as the real server."""

    and_ = "and_"
    or_ = "or_"


class BlockTypeFilter(Strict):
    name: TypeNameMatch | None = None
    slug: AnyText | None = None


class BlockSchemaFilter(Strict):
    operator: Operator = Operator.and_
    block_type_id: AnyId | None = None
    block_capabilities: AllCapabilities | None = None
    id: AnyId | None = None
    version: AnyText | None = None


class BlockDocumentFilter(Strict):
    operator: Operator = Operator.and_
    id: AnyId | None = None
    is_anonymous: IsAnonymous | None = Field(default_factory=lambda: IsAnonymous(eq_=False))
    block_type_id: AnyId | None = None
    name: TextMatch | None = None


class DocumentSort(StrEnum):
    NAME_DESC = "NAME_DESC"
    NAME_ASC = "NAME_ASC"
    BLOCK_TYPE_AND_NAME_ASC = "BLOCK_TYPE_AND_NAME_ASC"
