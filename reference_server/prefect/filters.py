"""Translation of filter bodies into SQL WHERE clauses (parameterised, never interpolated)."""

from dataclasses import dataclass, field

from .models import BlockDocumentFilter, BlockSchemaFilter, BlockTypeFilter

TRUE = "1=1"


@dataclass
class Condition:
    """SQL text plus its parameters; combined with ``and_`` / ``or_``."""

    parts: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)

    def add(self, sql: str, *params: object) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    def any_of(self, column: str, values: list | None) -> None:
        if values is None:
            return
        marks = ", ".join("?" for _ in values)
        self.add(f"{column} IN ({marks})", *(str(value) for value in values))

    def like(self, column: str, pattern: str | None) -> None:
        if pattern:
            self.add(f"{column} LIKE '%' || ? || '%'", pattern)

    def join(self, operator: str = "and_") -> tuple[str, list]:
        if not self.parts:
            return TRUE, []
        glue = " OR " if operator == "or_" else " AND "
        return "(" + glue.join(f"({part})" for part in self.parts) + ")", self.params


def block_type_condition(spec: BlockTypeFilter | None, table: str = "block_type") -> tuple:
    condition = Condition()
    if spec is not None:
        if spec.name is not None:
            condition.like(f"{table}.name", spec.name.like_)
        if spec.slug is not None:
            condition.any_of(f"{table}.slug", spec.slug.any_)
    return condition.join()


def block_schema_condition(spec: BlockSchemaFilter | None, table: str = "block_schema") -> tuple:
    condition = Condition()
    if spec is None:
        return condition.join()
    if spec.block_type_id is not None:
        condition.any_of(f"{table}.block_type_id", spec.block_type_id.any_)
    if spec.block_capabilities is not None and spec.block_capabilities.all_:
        wanted = spec.block_capabilities.all_
        marks = ", ".join("?" for _ in wanted)
        condition.add(
            f"(SELECT COUNT(DISTINCT value) FROM json_each({table}.capabilities)"
            f" WHERE value IN ({marks})) = ?",
            *wanted,
            len(set(wanted)),
        )
    if spec.id is not None:
        condition.any_of(f"{table}.id", spec.id.any_)
    if spec.version is not None:
        condition.any_of(f"{table}.version", spec.version.any_)
    return condition.join(spec.operator)


def block_document_condition(spec: BlockDocumentFilter | None) -> tuple:
    condition = Condition()
    if spec is None:
        spec = BlockDocumentFilter()
    if spec.id is not None:
        condition.any_of("block_document.id", spec.id.any_)
    if spec.is_anonymous is not None and spec.is_anonymous.eq_ is not None:
        condition.add("block_document.is_anonymous = ?", int(spec.is_anonymous.eq_))
    if spec.block_type_id is not None:
        condition.any_of("block_document.block_type_id", spec.block_type_id.any_)
    if spec.name is not None:
        condition.any_of("block_document.name", spec.name.any_)
        condition.like("block_document.name", spec.name.like_)
    return condition.join(spec.operator)


def exists(table: str, link: str, inner: tuple) -> tuple:
    sql, params = inner
    if sql == TRUE:
        return TRUE, []
    return f"EXISTS (SELECT 1 FROM {table} WHERE {link} AND {sql})", params


def all_of(*conditions: tuple) -> tuple[str, list]:
    parts = [sql for sql, _ in conditions if sql != TRUE]
    params = [param for sql, params in conditions if sql != TRUE for param in params]
    return (" AND ".join(parts) if parts else TRUE), params


def documents_where(
    documents: BlockDocumentFilter | None,
    types: BlockTypeFilter | None,
    schemas: BlockSchemaFilter | None,
) -> tuple[str, list]:
    return all_of(
        block_document_condition(documents),
        exists(
            "block_type",
            "block_type.id = block_document.block_type_id",
            block_type_condition(types),
        ),
        exists(
            "block_schema",
            "block_schema.id = block_document.block_schema_id",
            block_schema_condition(schemas),
        ),
    )


def types_where(types: BlockTypeFilter | None, schemas: BlockSchemaFilter | None) -> tuple:
    return all_of(
        block_type_condition(types),
        exists(
            "block_schema",
            "block_schema.block_type_id = block_type.id",
            block_schema_condition(schemas),
        ),
    )
