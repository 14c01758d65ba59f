"""Translation of filter bodies into SQL WHERE clauses (parameterised, never interpolated).

Semantics (facts of the real server): every sub-filter that is present, e.g. ``name`` or
``is_anonymous``, contributes one condition, the AND of its own operators, which is TRUE when it
has none (``name: {}``, ``like_: ""``, ``is_anonymous: {"eq_": null}``); an object combines its
sub-filters with AND, or with OR when its ``operator`` is ``or_``.
"""

from .models import BlockDocumentFilter, BlockSchemaFilter, BlockTypeFilter

TRUE = "1=1"
Sql = tuple[str, list]


def combine(conditions: list[Sql], operator: str = "and_") -> Sql:
    if not conditions:
        return TRUE, []
    glue = " OR " if operator == "or_" else " AND "
    sql = "(" + glue.join(f"({text})" for text, _ in conditions) + ")"
    return sql, [param for _, params in conditions for param in params]


def any_of(column: str, values: list | None) -> list[Sql]:
    if values is None:
        return []
    marks = ", ".join("?" for _ in values)
    return [(f"{column} IN ({marks})", [str(value) for value in values])]


def like(column: str, pattern: str | None) -> list[Sql]:
    return [(f"{column} LIKE '%' || ? || '%'", [pattern])] if pattern else []


def has_all(column: str, wanted: list[str] | None) -> list[Sql]:
    if not wanted:
        return []
    marks = ", ".join("?" for _ in wanted)
    sql = f"(SELECT COUNT(DISTINCT value) FROM json_each({column}) WHERE value IN ({marks})) = ?"
    return [(sql, [*wanted, len(set(wanted))])]


def block_type_condition(spec: BlockTypeFilter | None) -> Sql:
    subs = []
    if spec is not None:
        if spec.name is not None:
            subs.append(combine(like("block_type.name", spec.name.like_)))
        if spec.slug is not None:
            subs.append(combine(any_of("block_type.slug", spec.slug.any_)))
    return combine(subs)


def block_schema_condition(spec: BlockSchemaFilter | None) -> Sql:
    if spec is None:
        return TRUE, []
    subs = []
    if spec.block_type_id is not None:
        subs.append(combine(any_of("block_schema.block_type_id", spec.block_type_id.any_)))
    if spec.block_capabilities is not None:
        subs.append(combine(has_all("block_schema.capabilities", spec.block_capabilities.all_)))
    if spec.id is not None:
        subs.append(combine(any_of("block_schema.id", spec.id.any_)))
    if spec.version is not None:
        subs.append(combine(any_of("block_schema.version", spec.version.any_)))
    return combine(subs, spec.operator)


def block_document_condition(spec: BlockDocumentFilter | None) -> Sql:
    spec = spec if spec is not None else BlockDocumentFilter()
    subs = []
    if spec.id is not None:
        subs.append(combine(any_of("block_document.id", spec.id.any_)))
    if spec.is_anonymous is not None:
        eq = spec.is_anonymous.eq_
        subs.append(
            ("block_document.is_anonymous = ?", [int(eq)]) if eq is not None else (TRUE, [])
        )
    if spec.block_type_id is not None:
        subs.append(combine(any_of("block_document.block_type_id", spec.block_type_id.any_)))
    if spec.name is not None:
        name = spec.name
        subs.append(
            combine(
                any_of("block_document.name", name.any_) + like("block_document.name", name.like_)
            )
        )
    return combine(subs, spec.operator)


def linked(column: str, table: str, key: str, inner: Sql, always: bool = False) -> Sql:
    """``column`` names a row of ``table`` (by its ``key``) meeting ``inner``; TRUE when
    ``inner`` is and a linked row always exists (a document's type and schema), unless
    ``always``. An IN over a subquery rather than a correlated EXISTS, so that SQLite looks the
    rows up through the index on ``column`` instead of testing every row."""
    sql, params = inner
    if sql == TRUE and not always:
        return TRUE, []
    return f"{column} IN (SELECT {table}.{key} FROM {table} WHERE {sql})", params


def documents_where(
    documents: BlockDocumentFilter | None,
    types: BlockTypeFilter | None,
    schemas: BlockSchemaFilter | None,
) -> Sql:
    return combine(
        [
            block_document_condition(documents),
            linked("block_document.block_type_id", "block_type", "id", block_type_condition(types)),
            linked(
                "block_document.block_schema_id",
                "block_schema",
                "id",
                block_schema_condition(schemas),
            ),
        ]
    )


def types_where(types: BlockTypeFilter | None, schemas: BlockSchemaFilter | None) -> Sql:
    return combine(
        [
            block_type_condition(types),
            # Any block_schemas filter, even an empty one, keeps only types with a schema that
            # matches it, as on the real server (a type need not have a schema).
            linked(
                "block_type.id",
                "block_schema",
                "block_type_id",
                block_schema_condition(schemas),
                always=schemas is not None,
            ),
        ]
    )
