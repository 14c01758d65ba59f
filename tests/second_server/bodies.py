"""Request bodies and query values, checked as JSON Schema reads them and never converted: an
integer is a JSON integer (not a boolean, not a numeric string), a boolean is true or false.

The schemas follow the request components of Prefect's published OpenAPI (``BlockTypeCreate``,
``BlockSchemaCreate``, ``BlockDocumentCreate``, the ``/filter`` bodies, ...), with the rules the
API states outside the schema written in: a block type slug and a document name are lower-case
letters, digits and dashes (the client's own models refuse other names), and an offset fits in
64 bits. Where the OpenAPI allows ``null`` for an object or a list, the type lists ``null``.
"""

import re
import uuid
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .errors import Invalid, Problem, invalid

FORMATS = FormatChecker(formats=())
LOWER_DASHED = re.compile(r"[a-z0-9-]+")


@FORMATS.checks("uuid")
def is_uuid(value: object) -> bool:
    """The 8-4-4-4-12 hexadecimal form (other JSON types are the ``type`` keyword's matter)."""
    if not isinstance(value, str):
        return True
    if len(value) != 36 or any(value[at] != "-" for at in (8, 13, 18, 23)):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@FORMATS.checks("lower-dashed")
def is_lower_dashed(value: object) -> bool:
    return not isinstance(value, str) or LOWER_DASHED.fullmatch(value) is not None


def strict(properties: dict, required: tuple[str, ...] = (), nullable: bool = False) -> dict:
    schema = {
        "type": ["object", "null"] if nullable else "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    return schema


def any_of(items: dict) -> dict:
    """A ``{"any_": [...]}`` sub-filter (or null)."""
    return strict({"any_": {"type": ["array", "null"], "items": items}}, nullable=True)


TEXT = {"type": "string"}
TEXT_OR_NULL = {"type": ["string", "null"]}
UUID = {"type": "string", "format": "uuid"}
TYPE_NAME = {"type": "string", "pattern": "^[^/%&><]+$"}
SLUG = {"type": "string", "format": "lower-dashed"}
DOCUMENT_NAME = {"type": ["string", "null"], "format": "lower-dashed"}
OFFSET = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}
TYPE_TEXTS = {
    key: TEXT_OR_NULL for key in ("logo_url", "documentation_url", "description", "code_example")
}

TYPE_FILTER = strict(
    {"name": strict({"like_": TEXT_OR_NULL}, nullable=True), "slug": any_of(TEXT)}, nullable=True
)
SCHEMA_FILTER = strict(
    {
        "operator": {"enum": ["and_", "or_"]},
        "block_type_id": any_of(UUID),
        "block_capabilities": strict(
            {"all_": {"type": ["array", "null"], "items": TEXT}}, nullable=True
        ),
        "id": any_of(UUID),
        "version": any_of(TEXT),
    },
    nullable=True,
)
DOCUMENT_FILTER = strict(
    {
        "operator": {"enum": ["and_", "or_"]},
        "id": any_of(UUID),
        "is_anonymous": strict({"eq_": {"type": ["boolean", "null"]}}, nullable=True),
        "block_type_id": any_of(UUID),
        "name": strict(
            {"any_": {"type": ["array", "null"], "items": TEXT}, "like_": TEXT_OR_NULL},
            nullable=True,
        ),
    },
    nullable=True,
)


def query_body(properties: dict) -> dict:
    """A /filter or /count body: its keys are separate parameters, so unknown ones are ignored."""
    return {"type": "object", "properties": properties}


SCHEMAS = {
    "block_type_create": strict({"name": TYPE_NAME, "slug": SLUG, **TYPE_TEXTS}, ("name", "slug")),
    "block_type_update": strict(TYPE_TEXTS),
    "block_schema_create": strict(
        {
            "fields": {"type": "object"},
            "block_type_id": UUID,
            "capabilities": {"type": "array", "items": TEXT},
            "version": TEXT,
        },
        ("block_type_id",),
    ),
    "block_document_create": strict(
        {
            "name": DOCUMENT_NAME,
            "data": {"type": "object"},
            "block_schema_id": UUID,
            "block_type_id": UUID,
            "is_anonymous": {"type": "boolean"},
        },
        ("block_schema_id", "block_type_id"),
    ),
    "block_document_update": strict(
        {
            "block_schema_id": {"type": ["string", "null"], "format": "uuid"},
            "data": {"type": "object"},
            "merge_existing_data": {"type": "boolean"},
        }
    ),
    "block_types_query": query_body(
        {
            "block_types": TYPE_FILTER,
            "block_schemas": SCHEMA_FILTER,
            "offset": OFFSET,
            "limit": {"type": "integer"},
        }
    ),
    "block_schemas_query": query_body(
        {"block_schemas": SCHEMA_FILTER, "offset": OFFSET, "limit": {"type": "integer"}}
    ),
    "block_documents_query": query_body(
        {
            "block_documents": DOCUMENT_FILTER,
            "block_types": TYPE_FILTER,
            "block_schemas": SCHEMA_FILTER,
            "include_secrets": {"type": "boolean"},
            "sort": {"enum": ["NAME_DESC", "NAME_ASC", "BLOCK_TYPE_AND_NAME_ASC"]},
            "offset": OFFSET,
            "limit": {"type": "integer"},
        }
    ),
    "block_documents_count": query_body(
        {
            "block_documents": DOCUMENT_FILTER,
            "block_types": TYPE_FILTER,
            "block_schemas": SCHEMA_FILTER,
        }
    ),
}
VALIDATORS = {
    name: Draft202012Validator(schema, format_checker=FORMATS) for name, schema in SCHEMAS.items()
}
TYPE_WORDS = {"object": "an object", "array": "a list", "string": "text", "null": "null"}
TYPE_WORDS |= {"integer": "a whole number", "boolean": "true or false", "number": "a number"}


def expected_types(expected: Any) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return " or ".join(TYPE_WORDS.get(name, name) for name in names)


def problems_of(error: ValidationError) -> list[Problem]:
    """What one JSON Schema error says, as problems located at the fields at fault."""
    at: list = ["body", *error.absolute_path]
    kind, instance, expected = error.validator, error.instance, error.validator_value
    if kind == "required":
        missing = [key for key in expected if key not in instance]
        return [Problem([*at, key], "this key is required here", "missing") for key in missing]
    if kind == "additionalProperties":
        known = error.schema.get("properties", {})
        extra = [key for key in instance if key not in known]
        return [
            Problem([*at, key], "this key is not part of the request", "unexpected_key")
            for key in extra
        ]
    if kind == "type":
        return [Problem(at, f"expected {expected_types(expected)}", "wrong_type")]
    if kind in ("pattern", "format"):
        what = {
            "lower-dashed": "only lower-case letters, digits and dashes",
            "uuid": "a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6",
        }.get(expected, f"text matching {expected}")
        return [Problem(at, f"expected {what}", "bad_text")]
    if kind == "enum":
        return [Problem(at, f"expected one of {', '.join(map(str, expected))}", "not_a_choice")]
    if kind in ("minimum", "maximum"):
        side = "at least" if kind == "minimum" else "at most"
        return [Problem(at, f"expected a number {side} {expected}", "out_of_range")]
    return [Problem(at, error.message, "invalid")]


def checked(name: str, body: Any) -> Any:
    """``body`` if it fits the request schema ``name``; else Invalid with every problem."""
    problems: list[Problem] = []
    for error in VALIDATORS[name].iter_errors(body):
        for problem in problems_of(error):
            if problem.loc not in [seen.loc for seen in problems]:
                problems.append(problem)
    if problems:
        raise Invalid(problems)
    return body


def query_flag(value: str | None, name: str) -> bool:
    """A boolean query parameter: absent is false, else exactly ``true`` or ``false``."""
    if value is None or value == "false":
        return False
    if value == "true":
        return True
    raise invalid(["query", name], "expected true or false", "wrong_type")
