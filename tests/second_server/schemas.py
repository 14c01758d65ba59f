"""Creating block schemas, nested ones included.

A schema's ``fields`` may name, in ``block_schema_references``, the schemas of its nested block
fields: ``{"field": {"block_schema_checksum": ..., "block_type_slug": ...}}`` (a list of those
for a union of block types). Each referenced block type must exist. A referenced schema the
server does not have is made from the definition the field's ``$ref`` points to (in the
top-level ``definitions``, as the client sends them), with the definitions it reaches in turn,
as version ``non-versioned`` of the referenced type: children first, all or nothing. The
fields are kept and shown as they were sent.
"""

import copy
from dataclasses import dataclass, field

from .checksum import references_in, schema_checksum
from .errors import Invalid, Problem, Refused
from .store import BlockSchema, BlockType, Store

UNVERSIONED = "non-versioned"
REFERENCES = "block_schema_references"
WHERE = ["body", "fields", REFERENCES]


@dataclass(frozen=True)
class Reference:
    field: str
    checksum: str
    slug: str


def references_of(fields: dict, where: list) -> list[Reference]:
    """The references ``fields`` declares, or Invalid when they are not references."""
    declared = fields.get(REFERENCES, {})
    if not isinstance(declared, dict):
        raise Invalid([Problem(where, "expected an object of references", "wrong_type")])
    found = []
    for name, value in declared.items():
        entries = value if isinstance(value, list) else [value]
        for index, entry in enumerate(entries):
            at = [*where, name, index] if isinstance(value, list) else [*where, name]
            if not (
                isinstance(entry, dict)
                and isinstance(entry.get("block_schema_checksum"), str)
                and isinstance(entry.get("block_type_slug"), str)
            ):
                problem = "expected {block_schema_checksum: text, block_type_slug: text}"
                raise Invalid([Problem(at, problem, "bad_reference")])
            found.append(Reference(name, entry["block_schema_checksum"], entry["block_type_slug"]))
    return found


def definition_key(reference: object) -> str | None:
    if isinstance(reference, str) and reference.startswith("#/definitions/"):
        return reference.removeprefix("#/definitions/")
    return None


def definition_of(fields: dict, reference: Reference, definitions: dict) -> dict | None:
    """The definition a referencing field's ``$ref`` points to: for a union, the one of the
    referenced block type."""
    prop = (fields.get("properties") or {}).get(reference.field)
    keys = [definition_key(found) for found in references_in(prop)]
    candidates = [definitions[k] for k in keys if k in definitions]
    candidates = [c for c in candidates if isinstance(c, dict)]
    for candidate in candidates:
        if candidate.get("block_type_slug") == reference.slug:
            return candidate
    return candidates[0] if len(candidates) == 1 else None


def definitions_reached(start: object, definitions: dict, reached: dict) -> dict:
    """Every definition ``start`` reaches through ``$ref``, transitively."""
    for key in map(definition_key, references_in(start)):
        if key in definitions and key not in reached and isinstance(definitions[key], dict):
            reached[key] = definitions[key]
            definitions_reached(definitions[key], definitions, reached)
    return reached


def standalone(definition: dict, definitions: dict) -> dict:
    """A nested block's definition as its own schema's fields: with the definitions it
    reaches, as the client sends that block's schema."""
    fields = copy.deepcopy(definition)
    reached = definitions_reached(definition, definitions, {})
    if reached and "definitions" not in fields:
        fields["definitions"] = copy.deepcopy(reached)
    return fields


@dataclass
class Plan:
    """The child schemas a create makes, children before parents."""

    store: Store
    definitions: dict
    children: list[tuple[BlockType, dict]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def add_children_of(self, fields: dict, where: list) -> None:
        for reference in references_of(fields, where):
            block_type = self.store.type_by_slug(reference.slug)
            if block_type is None:
                raise Refused(
                    409,
                    f"block_schema_references names the block type '{reference.slug}', which "
                    "is not registered: register it first.",
                )
            if reference.checksum in self.seen or self.store.schemas_with(reference.checksum):
                continue
            self.seen.add(reference.checksum)
            definition = definition_of(fields, reference, self.definitions)
            if definition is None:
                raise Invalid(
                    [
                        Problem(
                            [*where, reference.field],
                            "the referenced schema is neither registered nor defined in "
                            "fields.definitions",
                            "undefined_reference",
                        )
                    ]
                )
            child = standalone(definition, self.definitions)
            self.add_children_of(child, [*where, reference.field])
            self.children.append((block_type, child))

    def apply(self) -> None:
        for block_type, child in self.children:
            checksum = schema_checksum(child)
            if self.store.schema_with(checksum, UNVERSIONED) is None:
                schema = BlockSchema(checksum, child, block_type.id, [], UNVERSIONED)
                self.store.schemas[schema.id] = schema


def create_schema(store: Store, body: dict) -> tuple[BlockSchema, bool]:
    """The schema ``body`` asks for, and whether it is new (else the one with its checksum and
    version)."""
    block_type = store.types.get(body["block_type_id"].lower())
    if block_type is None:
        raise Refused(404, f"There is no block type with the id {body['block_type_id']}.")
    fields = body.get("fields", {})
    checksum = schema_checksum(fields)
    version = body.get("version", UNVERSIONED)
    existing = store.schema_with(checksum, version)
    if existing is not None:
        return existing, False
    definitions = fields.get("definitions")
    plan = Plan(store, definitions if isinstance(definitions, dict) else {})
    plan.add_children_of(fields, WHERE)
    plan.apply()
    kept_fields = {**copy.deepcopy(fields), REFERENCES: fields.get(REFERENCES, {})}
    capabilities = list(dict.fromkeys(body.get("capabilities", [])))
    schema = BlockSchema(checksum, kept_fields, block_type.id, capabilities, version)
    store.schemas[schema.id] = schema
    return schema, True
