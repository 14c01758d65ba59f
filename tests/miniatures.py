"""Deliberately broken variants of the reference server, one wrong behaviour each.

Each function patches the reference server before it is built and may return a wrapper for the
finished ASGI app. Run one with ``python tests/miniatures.py NAME --port P --db PATH``; the
tests in ``test_mutants.py`` start them and check that the suite catches each one.
"""

import json
import sys
from collections.abc import Callable

MUTANTS: dict[str, Callable] = {}
CAUGHT_BY: dict[str, str] = {}


def mutant(clause: str) -> Callable:
    """Register a broken variant and the clause that must fail against it."""

    def register(build: Callable) -> Callable:
        MUTANTS[build.__name__] = build
        CAUGHT_BY[build.__name__] = clause
        return build

    return register


def rewrite_responses(change: Callable) -> Callable:
    """An app wrapper that passes each (method, path, status, JSON body) through ``change``,
    which returns a new (status, body) or None to keep the answer."""
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import JSONResponse, Response

    async def dispatch(request, call_next):
        response = await call_next(request)
        raw = b"".join([chunk async for chunk in response.body_iterator])
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        replaced = change(request.method, request.url.path, response.status_code, body)
        if replaced is None:
            headers = {k: v for k, v in response.headers.items() if k != "content-length"}
            return Response(raw, status_code=response.status_code, headers=headers)
        status, new_body = replaced
        return JSONResponse(new_body, status_code=status)

    def wrap(app):
        return BaseHTTPMiddleware(app, dispatch=dispatch)

    return wrap


@mutant("PF-BD-409-name")
def accepts_duplicate_names():
    """Answers 201 to a second document with the same name in the same block type."""
    from reference_server import store

    store.SCHEMA = store.SCHEMA.replace(",\n    UNIQUE (block_type_id, name)", "")
    store.Store.document_name_taken = lambda self, type_id, name: False


@mutant("PF-BD-create")
def omits_block_type_in_documents():
    """Documents come back without their nested block_type."""

    def drop(method, path, status, body):
        documents = body if isinstance(body, list) else [body]
        touched = False
        for document in documents:
            if isinstance(document, dict) and "block_document_references" in document:
                document.pop("block_type", None)
                touched = True
        return (status, body) if touched else None

    return rewrite_responses(drop)


@mutant("PF-BD-409-concurrent")
def checks_names_against_a_stale_cache():
    """No unique index; the name check reads a per-type cache of names refreshed every 200 ms,
    so a second create soon after the first (or 32 at once) slips through."""
    import time

    from reference_server import store

    store.SCHEMA = store.SCHEMA.replace(",\n    UNIQUE (block_type_id, name)", "")
    cache: dict[str, tuple[float, set[str]]] = {}

    def document_name_taken(self, type_id, name):
        read_at, names = cache.get(type_id, (0.0, set()))
        if time.monotonic() - read_at > 0.2:
            rows = self._query("SELECT name FROM block_document WHERE block_type_id = ?", [type_id])
            read_at, names = time.monotonic(), {row[0] for row in rows}
            cache[type_id] = (read_at, names)
        return name in names

    store.Store.document_name_taken = document_name_taken


@mutant("PF-NEST-schema-missing-definition")
def fails_on_undefined_schema_references():
    """A schema referencing a schema neither registered nor defined gets 500, as on the real
    server, instead of a 4xx."""

    def crash(method, path, status, body):
        if method == "POST" and path == "/api/block_schemas/" and status == 400:
            return 500, {"exception_message": "Internal Server Error"}
        return None

    return rewrite_responses(crash)


@mutant("PF-BD-create")
def answers_200_on_document_create():
    """Creates documents but answers 200 instead of 201 (so clean-up cannot rely on 201s)."""

    def ok(method, path, status, body):
        if method == "POST" and path == "/api/block_documents/" and status == 201:
            return 200, body
        return None

    return rewrite_responses(ok)


@mutant("PF-BD-delete")
def keeps_deleted_documents():
    """DELETE of a document answers 204 but the document stays readable."""
    from reference_server import store

    store.Store.delete_block_document = lambda self, document_id: None


@mutant("PF-API-422-shape")
def default_fastapi_validation_errors():
    """422 bodies in FastAPI's default {"detail": [...]} shape instead of the real server's."""
    from fastapi.exception_handlers import request_validation_exception_handler

    from reference_server import app

    app.validation_error = request_validation_exception_handler


@mutant("PF-BS-dedup")
def conflicts_on_duplicate_schema():
    """A schema whose (checksum, version) exists gets 409 instead of 200 with the existing one."""

    def conflict(method, path, status, body):
        if method == "POST" and path == "/api/block_schemas/" and status == 200:
            return 409, {"detail": "Block schema already exists"}
        return None

    return rewrite_responses(conflict)


@mutant("PF-BS-checksum")
def hashes_secret_fields_too():
    """Computes schema checksums without dropping secret_fields first."""
    import hashlib

    from reference_server.prefect import nesting

    def checksum(fields):
        canonical = json.dumps([[fields], {}], sort_keys=True)
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()

    nesting.schema_checksum = checksum


@mutant("PF-BD-update")
def replaces_data_on_patch():
    """A document PATCH replaces the stored data even when merge_existing_data is left out."""
    from reference_server.prefect import models

    class ReplacingUpdate(models.BlockDocumentUpdate):
        merge_existing_data: bool = False

    models.BlockDocumentUpdate = ReplacingUpdate


@mutant("PF-API-csrf-probe")
def csrf_probe_fails():
    """The CSRF probe answers 500, which the client treats as a failed save."""

    def fail(method, path, status, body):
        if path == "/api/csrf-token":
            return 500, {"exception_message": "Internal Server Error"}
        return None

    return rewrite_responses(fail)


@mutant("PF-BS-read-checksum")
def ignores_version_in_checksum_lookup():
    """GET /block_schemas/checksum/{c}?version=v returns the newest schema whatever v is."""
    from reference_server import store

    original = store.Store.block_schema_by_checksum
    store.Store.block_schema_by_checksum = lambda self, checksum, version=None: original(
        self, checksum
    )


@mutant("PF-BT-protected-delete")
def deletes_protected_types():
    """DELETE of a protected block type answers 204 and deletes it."""
    from reference_server import store

    original = store.Store.block_type

    def unprotected(self, type_id):
        return {**original(self, type_id), "is_protected": False}

    store.Store.block_type = unprotected


# ---- level 3 ------------------------------------------------------------------------------


@mutant("PF-FLT-docs-fields")
def like_is_exact_match():
    """name.like_ compares the whole name instead of matching a substring with wildcards."""
    from reference_server.prefect import filters

    filters.like = lambda column, pattern: [(f"{column} = ?", [pattern])] if pattern else []


@mutant("PF-FLT-limit")
def ignores_offset():
    """offset is ignored on /block_documents/filter."""
    from reference_server import store

    original = store.Store.filter_block_documents
    store.Store.filter_block_documents = lambda self, where, params, order, limit, offset: original(
        self, where, params, order, limit, 0
    )


@mutant("PF-FLT-limit")
def accepts_any_limit():
    """A limit above 200 is accepted instead of refused with 422."""
    from reference_server.prefect import api

    api.checked_limit = lambda limit: 200 if limit is None else max(limit, 0)


@mutant("PF-FLT-docs-sort")
def name_desc_sorts_ascending():
    """sort NAME_DESC returns documents in ascending order."""
    from reference_server.prefect import api

    api.DOCUMENT_SORTS["NAME_DESC"] = api.DOCUMENT_SORTS["NAME_ASC"]


@mutant("PF-FLT-docs-sort")
def sorts_by_block_type_slug():
    """sort BLOCK_TYPE_AND_NAME_ASC orders documents by their type's slug, not its name."""
    from reference_server.prefect import api

    api.DOCUMENT_SORTS["BLOCK_TYPE_AND_NAME_ASC"] = (
        "(SELECT slug FROM block_type WHERE block_type.id = block_type_id) ASC, name ASC"
    )


@mutant("PF-FLT-limit")
def type_and_schema_lists_have_no_default_limit():
    """/block_types/filter and /block_schemas/filter return everything when limit is absent."""
    from reference_server import store

    for method in ("filter_block_types", "filter_block_schemas"):
        original = getattr(store.Store, method)

        def unbounded(self, where, params, limit, offset, original=original):
            return original(self, where, params, 10_000 if limit == 200 else limit, offset)

        setattr(store.Store, method, unbounded)


@mutant("PF-FLT-docs-anonymous")
def lists_anonymous_documents_by_default():
    """Document filters include anonymous documents unless told otherwise."""
    from reference_server.prefect import models

    class Unfiltered(models.BlockDocumentFilter):
        is_anonymous: models.IsAnonymous | None = None

    models.BlockDocumentFilter = Unfiltered


@mutant("PF-FLT-docs-operator-or")
def or_behaves_like_and():
    """operator or_ is ignored: sub-filters are always AND-ed."""
    from reference_server.prefect import filters

    original = filters.combine
    filters.combine = lambda conditions, operator="and_": original(conditions)


@mutant("PF-FLT-count")
def count_ignores_the_filter():
    """/block_documents/count counts every document on the server."""
    from reference_server import store

    original = store.Store.count_block_documents
    store.Store.count_block_documents = lambda self, where, params: original(self, "1=1", [])


@mutant("PF-FLT-schemas-order")
def schemas_oldest_first():
    """/block_schemas/filter returns the oldest schema first."""
    from reference_server import store

    original = store.Store.filter_block_schemas

    def oldest_first(self, where, params, limit, offset):
        everything = original(self, where, params, 10**6, 0)
        return list(reversed(everything))[offset : offset + limit]

    store.Store.filter_block_schemas = oldest_first


@mutant("PF-SEC-include-secrets")
def ignores_include_secrets():
    """include_secrets=true still answers masked values."""
    from reference_server.prefect import api

    original = api.document_view
    api.document_view = lambda store, document, include_secrets: original(store, document, False)


@mutant("PF-SEC-masked-reads")
def list_endpoints_leak_secrets():
    """The filter endpoint and the type's document list return secrets in clear."""
    from reference_server.prefect import api

    original = api.document_view
    api.document_list = lambda store, documents, include_secrets: [
        original(store, document, True) for document in documents
    ]


@mutant("PF-SEC-patch-keeps-secret")
def mask_overwrites_the_secret():
    """A PATCH that sends the mask back stores the mask in place of the secret."""
    from reference_server.prefect import api

    api.restore_masked_secrets = lambda incoming, stored, secret_fields: incoming


@mutant("PF-SEC-wildcard")
def ignores_wildcard_secret_entries():
    """Secret entries ending in .* are ignored (SecretDict values come back in clear)."""
    from reference_server.prefect import nesting

    original = nesting.mask_secrets
    nesting.mask_secrets = lambda data, fields: original(data, [f for f in fields if "*" not in f])


# ---- level 4 ------------------------------------------------------------------------------


@mutant("PF-NEST-hydrate")
def does_not_hydrate_references():
    """References are stored but reads never resolve them."""
    from reference_server import store

    store.Store.document_references = lambda self, parent_id: []


@mutant("PF-NEST-hydrate")
def hydrates_one_level_only():
    """Referenced documents are hydrated, but their own references are not."""
    from reference_server.prefect import nesting

    original = nesting.hydrate

    def shallow(store, document, include_secrets, depth=0):
        if depth < 1:
            return original(store, document, include_secrets, depth)
        schema = store.block_schema(document["block_schema_id"])
        secret_fields = [] if include_secrets else schema["fields"].get("secret_fields", [])
        return nesting.mask_secrets(document["data"], secret_fields), {}

    nesting.hydrate = shallow


@mutant("PF-NEST-patch-references")
def drops_references_on_update():
    """A document PATCH forgets every reference, re-sent ones included."""
    from reference_server.prefect import api

    api.check_acyclic = lambda store, parent_id, references: references.clear()


@mutant("PF-NEST-secrets")
def unmasks_nested_secrets():
    """Referenced documents come back with their secrets in clear."""
    from reference_server.prefect import nesting

    original = nesting.hydrate

    def leaky(store, document, include_secrets, depth=0):
        return original(store, document, include_secrets or depth > 0, depth)

    nesting.hydrate = leaky


# ---- caught by the generated tests only (by design, no hand-written test looks there) -----


def request_rewriter(check: Callable) -> Callable:
    """An app wrapper that answers ``check(method, path, body)`` when it returns (status,
    body) instead of passing the request on."""
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import JSONResponse

    async def dispatch(request, call_next):
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        answer = check(request.method, request.url.path, body)
        if answer is None:
            return await call_next(request)
        return JSONResponse(answer[1], status_code=answer[0])

    return lambda app: BaseHTTPMiddleware(app, dispatch=dispatch)


@mutant("PF-GEN-stateful")
def fails_on_long_names():
    """A 500 for documents whose name has 100 characters or more."""

    def long_name(method, path, body):
        name = body.get("name") if isinstance(body, dict) else None
        if method == "POST" and path == "/api/block_documents/" and len(name or "") >= 100:
            return 500, {"exception_message": "Internal Server Error"}
        return None

    return request_rewriter(long_name)


@mutant("PF-GEN-stateful")
def keeps_updated_on_patch():
    """A document PATCH leaves `updated` where it was."""
    from reference_server import store

    def update(self, document_id, data, schema_id):
        changed = self._write(
            "UPDATE block_document SET data = ?, block_schema_id = ? WHERE id = ?",
            [self._seal(data), schema_id, document_id],
        )
        if not changed:
            raise store.NotFound("Block document not found")

    store.Store.update_block_document = update


@mutant("PF-GEN-stateful")
def lists_drop_recreated_documents():
    """After a document is deleted and another is created with its name, lists leave it out."""
    from reference_server import store

    deleted_names: set[str] = set()
    original_delete = store.Store.delete_block_document
    original_filter = store.Store.filter_block_documents

    def delete(self, document_id):
        deleted_names.add(self.block_document(document_id)["name"])
        original_delete(self, document_id)

    def listing(self, where, params, order, limit, offset):
        found = original_filter(self, where, params, order, limit, offset)
        return [document for document in found if document["name"] not in deleted_names]

    store.Store.delete_block_document = delete
    store.Store.filter_block_documents = listing


@mutant("PF-GEN-invalid-rejected")
def coerces_schema_fields():
    """A block schema's version and capabilities accept any JSON, stored as text."""
    from pydantic import field_validator

    from reference_server.prefect import models

    class Lenient(models.BlockSchemaCreate):
        @field_validator("version", mode="before")
        @classmethod
        def any_version(cls, value):
            return value if isinstance(value, str) or value is None else json.dumps(value)

        @field_validator("capabilities", mode="before")
        @classmethod
        def any_capabilities(cls, value):
            items = value if isinstance(value, list) else [value]
            return [item if isinstance(item, str) else json.dumps(item) for item in items]

    models.BlockSchemaCreate = Lenient


def main(argv: list[str]) -> None:
    name, server_args = argv[0], argv[1:]
    wrap = MUTANTS[name]() or (lambda app: app)
    from reference_server import __main__ as cli

    build = cli.create_app
    cli.create_app = lambda *args, **kwargs: wrap(build(*args, **kwargs))
    cli.main(server_args)


if __name__ == "__main__":
    main(sys.argv[1:])
