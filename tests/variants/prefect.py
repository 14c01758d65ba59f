"""Broken variants of the Prefect profile's reference server (see ``tests/variants``).

Each is one wrong behaviour an implementer could plausibly ship, named for what it gets wrong.
Most patch the reference server's modules before the app is built; some wrap the finished app
(``intercept`` answers instead of the server, with its store at hand; ``rewrite_requests``
changes what the server sees).
"""

import json
import re
import uuid
from collections.abc import Callable
from functools import partial

from . import allowed as allowed_reading
from . import breaks as breaks_clause
from . import (
    classic_mistakes,
    is_block_document,
    is_block_type,
    request_rewriter,
    rewrite_each,
    rewrite_nested,
    rewrite_responses,
)
from . import differs as differs_from_reference

breaks = partial(breaks_clause, "prefect")


def prefect_store(app):
    """The Prefect store inside the finished app (size limit, profile router, guards)."""
    from reference_server.app import profile_app

    return profile_app(app, "prefect").state.store


def parsed(raw: bytes):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def response(status: int, body):
    """A JSON answer, or an empty one for ``body`` None (a 204)."""
    from starlette.responses import JSONResponse, Response

    return Response(status_code=status) if body is None else JSONResponse(body, status_code=status)


def status_instead(method: str, path: str, status: int, instead: int) -> Callable:
    """An app wrapper: the answers with ``status`` to ``method path`` come with ``instead``,
    their body kept."""

    def rewrite(answered_method, answered_path, answered_status, body):
        if (answered_method, answered_path, answered_status) == (method, path, status):
            return instead, body
        return None

    return rewrite_responses(rewrite)


def intercept(check: Callable) -> Callable:
    """An app wrapper: ``check(method, path, body, store)`` returns (status, body) to answer in
    the server's place (body None: empty), or None to let the server answer."""
    from starlette.middleware.base import BaseHTTPMiddleware

    def wrap(app):
        store = prefect_store(app)

        async def dispatch(request, call_next):
            answer = check(request.method, request.url.path, parsed(await request.body()), store)
            return await call_next(request) if answer is None else response(*answer)

        return BaseHTTPMiddleware(app, dispatch=dispatch)

    return wrap


def rewrite_requests(change: Callable) -> Callable:
    """An app wrapper: ``change(method, path, query, body)`` returns the (query, body) the server
    sees instead (``body`` is the parsed JSON; return it unchanged to keep the raw bytes)."""

    def wrap(app):
        async def asgi(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            raw = b""
            while True:
                message = await receive()
                raw += message.get("body", b"")
                if not message.get("more_body"):
                    break
            body = parsed(raw)
            query, new_body = change(
                scope["method"], scope["path"], scope["query_string"].decode(), body
            )
            payload = raw if new_body is body else json.dumps(new_body).encode()
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(payload)).encode()))
            scope = {**scope, "query_string": query.encode(), "headers": headers}
            replayed = False

            async def replay():
                nonlocal replayed
                if replayed:
                    return await receive()
                replayed = True
                return {"type": "http.request", "body": payload, "more_body": False}

            return await app(scope, replay, send)

        return asgi

    return wrap


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@breaks("PF-BD-409-name", "must answer 409", "answered 201")
def accepts_duplicate_names():
    """Answers 201 to a second document with the same name in the same block type."""
    from reference_server.prefect import store

    store.PARTS["document_name_per_type"] = None
    store.Store.document_name_taken = lambda self, type_id, name: False


@breaks("PF-BD-create", "'block_type' is a required property")
def omits_block_type_in_documents():
    """Documents come back without their nested block_type."""
    return rewrite_each(is_block_document, lambda document: document.pop("block_type", None))


@breaks("PF-BD-create", "'is_anonymous' is a required property")
def omits_is_anonymous_in_documents():
    """Documents come back without is_anonymous (the first run of a server that leaves out one
    field: its document create is the root cause, the tests that needed a document are
    blocked)."""
    return rewrite_each(is_block_document, lambda document: document.pop("is_anonymous", None))


@breaks("PF-BD-409-concurrent", "must get exactly one 201 and 31 409s")
def checks_names_against_a_stale_cache():
    """No unique index; the name check reads a per-type cache of names refreshed every 200 ms,
    so a second create soon after the first (or 32 at once) slips through."""
    import time

    from reference_server.prefect import store

    store.PARTS["document_name_per_type"] = None
    cache: dict[str, tuple[float, set[str]]] = {}

    def document_name_taken(self, type_id, name):
        read_at, names = cache.get(type_id, (0.0, set()))
        if time.monotonic() - read_at > 0.2:
            rows = self.query("SELECT name FROM block_document WHERE block_type_id = ?", [type_id])
            read_at, names = time.monotonic(), {row[0] for row in rows}
            cache[type_id] = (read_at, names)
        return name in names

    store.Store.document_name_taken = document_name_taken


@breaks("PF-NEST-schema-missing-definition", "must get a 4xx", "answered 500")
def fails_on_undefined_schema_references():
    """A schema referencing a schema neither registered nor defined gets 500, as on the real
    server, instead of a 4xx."""

    def crash(method, path, status, body):
        if method == "POST" and path == "/api/block_schemas/" and status == 400:
            return 500, {"exception_message": "Internal Server Error"}
        return None

    return rewrite_responses(crash)


@breaks("PF-BD-create", "POST /api/block_documents/ must answer 201", "answered 200")
def answers_200_on_document_create():
    """Creates documents but answers 200 instead of 201 (so clean-up cannot rely on 201s)."""

    return status_instead("POST", "/api/block_documents/", 201, 200)


@breaks("PF-BD-delete", "must answer 404", "answered 200")
def keeps_deleted_documents():
    """DELETE of a document answers 204 but the document stays readable."""
    from reference_server.prefect import store

    store.Store.delete_block_document = lambda self, document_id: None


@breaks("PF-BS-dedup", "must get a 2xx", "answered 409")
def conflicts_on_duplicate_schema():
    """A schema whose (checksum, version) exists gets 409 instead of 200 with the existing one."""

    def conflict(method, path, status, body):
        if method == "POST" and path == "/api/block_schemas/" and status == 200:
            return 409, {"detail": "Block schema already exists"}
        return None

    return rewrite_responses(conflict)


@breaks(
    "PF-BS-checksum",
    "the checksum of client class with positions; secret_fields is not hashed must be",
)
def hashes_secret_fields_too():
    """Computes schema checksums without dropping secret_fields first."""
    import hashlib

    from reference_server.prefect import nesting

    def checksum(fields):
        canonical = json.dumps([[fields], {}], sort_keys=True)
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()

    nesting.checksum_of = checksum


@breaks("PF-BD-update", "data after a merging PATCH must be", 'gave {"host": "new.example"}')
def replaces_data_on_patch():
    """A document PATCH replaces the stored data even when merge_existing_data is left out."""
    from reference_server.prefect import models

    class ReplacingUpdate(models.BlockDocumentUpdate):
        merge_existing_data: bool = False

    models.BlockDocumentUpdate = ReplacingUpdate


@breaks("PF-API-csrf-probe", "must answer 404 or 422", "answered 500")
def csrf_probe_fails():
    """The CSRF probe answers 500, which the client treats as a failed save."""

    def fail(method, path, status, body):
        if path == "/api/csrf-token":
            return 500, {"exception_message": "Internal Server Error"}
        return None

    return rewrite_responses(fail)


@breaks("PF-BS-read-checksum", "the schema for version=1.0.1 must be")
def ignores_version_in_checksum_lookup():
    """GET /block_schemas/checksum/{c}?version=v returns the newest schema whatever v is
    (creates still look the version up)."""
    from reference_server.prefect import api

    original = api.found

    def found(call, *args):
        if getattr(call, "__name__", "") == "block_schema_by_checksum":
            args = args[:1]
        return original(call, *args)

    api.found = found


@breaks("PF-BT-protected-delete", "must answer 403", "answered 204")
@breaks("PF-BS-protected-delete", "must answer 403", "answered 204")
def deletes_protected_types():
    """Nothing is protected: DELETE of a protected block type or of one of its schemas answers
    204 and deletes it."""
    from reference_server.prefect import store

    original = store.Store.block_type

    def unprotected(self, type_id):
        return {**original(self, type_id), "is_protected": False}

    store.Store.block_type = unprotected


# ---- level 3 ------------------------------------------------------------------------------


@breaks("PF-FLT-docs-fields", "documents whose name is like 'alph' must be", "gave []")
@breaks("PF-FLT-model", "the filtered names must be", "documents of this case:", examples=50)
def like_is_exact_match():
    """name.like_ compares the whole name instead of matching a substring with wildcards."""
    from reference_server.prefect import filters

    filters.like = lambda column, pattern: [(f"{column} = ?", [pattern])] if pattern else []


@breaks("PF-FLT-limit", "limit 2 offset 1 must be", only="select_a_page")
@breaks("PF-FLT-model", "the filtered names must be", "documents of this case:", examples=50)
def ignores_offset():
    """offset is ignored on /block_documents/filter."""
    from reference_server.prefect import store

    original = store.Store.filter_block_documents
    store.Store.filter_block_documents = lambda self, where, params, order, limit, offset: original(
        self, where, params, order, limit, 0
    )


@breaks("PF-FLT-limit", "must answer 422", "answered 200", only="limit_bounds")
def accepts_any_limit():
    """A limit above 200 is accepted instead of refused with 422."""
    from reference_server.prefect import api

    api.checked_limit = lambda limit: 200 if limit is None else max(limit, 0)


@breaks("PF-FLT-docs-sort", "documents sorted NAME_DESC must be")
@breaks("PF-FLT-model", "the filtered names must be", "documents of this case:", examples=50)
def name_desc_sorts_ascending():
    """sort NAME_DESC returns documents in ascending order."""
    from reference_server.prefect import api

    api.DOCUMENT_SORTS["NAME_DESC"] = api.DOCUMENT_SORTS["NAME_ASC"]


@breaks("PF-FLT-docs-sort", "documents of type 'A type' first, then 'Z type' must be")
def sorts_by_block_type_slug():
    """sort BLOCK_TYPE_AND_NAME_ASC orders documents by their type's slug, not its name."""
    from reference_server.prefect import api

    api.DOCUMENT_SORTS["BLOCK_TYPE_AND_NAME_ASC"] = (
        "(SELECT slug FROM block_type WHERE block_type.id = block_type_id) ASC, name ASC"
    )


@breaks("PF-FLT-limit", "(201 exist) must be 200", "gave 201", only="default_limit_of")
def type_and_schema_lists_have_no_default_limit():
    """/block_types/filter and /block_schemas/filter return everything when limit is absent."""
    from reference_server.prefect import store

    for method in ("filter_block_types", "filter_block_schemas"):
        original = getattr(store.Store, method)

        def unbounded(self, where, params, limit, offset, original=original):
            return original(self, where, params, 10_000 if limit == 200 else limit, offset)

        setattr(store.Store, method, unbounded)


@breaks("PF-FLT-docs-anonymous", "names for no block_documents must be", 'gave ["anonymous-')
@breaks("PF-FLT-model", "the filtered names must be", "documents of this case:", examples=50)
def lists_anonymous_documents_by_default():
    """Document filters include anonymous documents unless told otherwise."""
    from reference_server.prefect import models

    class Unfiltered(models.BlockDocumentFilter):
        is_anonymous: models.IsAnonymous | None = None

    models.BlockDocumentFilter = Unfiltered


@breaks("PF-FLT-docs-operator-or", "anonymous documents or the one named beta must be")
@breaks("PF-FLT-model", "the filtered names must be", "documents of this case:", examples=50)
def or_behaves_like_and():
    """operator or_ is ignored: sub-filters are always AND-ed."""
    from reference_server.prefect import filters

    original = filters.combine
    filters.combine = lambda conditions, operator="and_": original(conditions)


@breaks("PF-FLT-count", "count for {} must be 5")
def count_ignores_the_filter():
    """/block_documents/count counts every document on the server."""
    from reference_server.prefect import store

    original = store.Store.count_block_documents
    store.Store.count_block_documents = lambda self, where, params: original(self, "1=1", [])


@breaks("PF-FLT-schemas-order", "schemas of both types, newest first must be")
def schemas_oldest_first():
    """/block_schemas/filter returns the oldest schema first."""
    from reference_server.prefect import store

    original = store.Store.filter_block_schemas

    def oldest_first(self, where, params, limit, offset):
        everything = original(self, where, params, 10**6, 0)
        return list(reversed(everything))[offset : offset + limit]

    store.Store.filter_block_schemas = oldest_first


@breaks(
    "PF-SEC-include-secrets",
    "data from GET by id with include_secrets must be",
    'gave {"password": "********"',
)
def ignores_include_secrets():
    """include_secrets=true still answers masked values."""
    from reference_server.prefect import api

    original = api.document_view
    api.document_view = lambda store, document, include_secrets: original(store, document, False)


@breaks(
    "PF-SEC-masked-reads",
    "data from GET the type's documents must be",
    'gave {"password": "hunter2',
)
def list_endpoints_leak_secrets():
    """The filter endpoint and the type's document list return secrets in clear."""
    from reference_server.prefect import api

    original = api.document_view
    api.document_list = lambda store, documents, include_secrets: [
        original(store, document, True) for document in documents
    ]


@breaks(
    "PF-SEC-patch-keeps-secret",
    "the stored data after a masked PATCH must be",
    'gave {"password": "********"',
)
def mask_overwrites_the_secret():
    """A PATCH that sends the mask back stores the mask in place of the secret."""
    from reference_server.prefect import api

    api.restore_masked_secrets = lambda incoming, stored, secret_fields: incoming


@breaks("PF-SEC-wildcard", "under 'headers.*' must be", "Bearer abc")
def ignores_wildcard_secret_entries():
    """Secret entries ending in .* are ignored (SecretDict values come back in clear)."""
    from reference_server.prefect import nesting

    original = nesting.mask_secrets
    nesting.mask_secrets = lambda data, fields: original(data, [f for f in fields if "*" not in f])


# ---- level 4 ------------------------------------------------------------------------------


@breaks("PF-NEST-hydrate", "data read by id must be", 'gave {"note": "top"}')
def does_not_hydrate_references():
    """References are stored but reads never resolve them."""
    from reference_server.prefect import store

    store.Store.document_references = lambda self, parent_id: []


@breaks(
    "PF-NEST-hydrate",
    "data read by id must be",
    'gave {"note": "top", "middle": {"label": "mid"}}',
)
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


@breaks(
    "PF-NEST-patch-references",
    "data after re-sending the $ref must be",
    'gave {"note": "changed"}',
)
def drops_references_on_update():
    """A document PATCH forgets every reference, re-sent ones included."""
    from reference_server.prefect import api

    api.check_acyclic = lambda store, parent_id, references: references.clear()


@breaks("PF-NEST-secrets", "read by id must be", '"token": "leaf-secret"')
def unmasks_nested_secrets():
    """Referenced documents come back with their secrets in clear."""
    from reference_server.prefect import nesting

    original = nesting.hydrate

    def leaky(store, document, include_secrets, depth=0):
        return original(store, document, include_secrets or depth > 0, depth)

    nesting.hydrate = leaky


# ---- found by generated tests, and by the hand-written check of the clause they break ------


@breaks("PF-BD-422-name", "creating a document must answer 201", "answered 500")
@breaks(
    "PF-GEN-stateful",
    "POST /api/block_documents/ must answer 201",
    "answered 500",
    examples=60,
)
def fails_on_long_names():
    """A 500 for documents whose name has 100 characters or more."""

    def long_name(method, path, body):
        name = body.get("name") if isinstance(body, dict) else None
        if method == "POST" and path == "/api/block_documents/" and len(name or "") >= 100:
            return 500, {"exception_message": "Internal Server Error"}
        return None

    return request_rewriter(long_name)


@breaks("PF-BD-updated-moves", "'updated' after an update must be later than")
def keeps_updated_on_patch():
    """A document PATCH leaves `updated` where it was."""
    from reference_server.prefect import store

    def update(self, document_id, data, schema_id):
        changed = self.write(
            "UPDATE block_document SET data = ?, block_schema_id = ? WHERE id = ?",
            [self.seal(data), schema_id, document_id],
        )
        if not changed:
            raise store.NotFound("Block document not found")

    store.Store.update_block_document = update


@breaks("PF-BD-delete", "the re-created document in the filter must be", "gave []")
@breaks("PF-GEN-stateful", "the listed (type, name) pairs must be", examples=60)
def lists_drop_recreated_documents():
    """After a document is deleted and another is created with its name, lists leave it out."""
    from reference_server.prefect import store

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


@breaks("PF-BS-422-body", "an invalid request must get 422", "answered 201", '"version": 1')
@breaks(
    "PF-GEN-invalid-rejected",
    "a generated negative request to POST /block_schemas/",
    "Schema-violating request accepted",
    examples=150,
    only="block_schemas",
)
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


@breaks("PF-BT-create", "POST /api/block_types/ must answer 201", "answered 500")
def answers_500_to_every_write():
    """Every POST, PATCH and DELETE answers 500 (a server that is broken everywhere: its
    failures must not count for variants that declare another reason; the block type create
    every other test needs is the root cause, and they are blocked by it)."""

    def crash(method, path, body):
        if method in ("POST", "PATCH", "DELETE") and not path.endswith("/filter"):
            return 500, {"exception_message": "Internal Server Error"}
        return None

    return request_rewriter(crash)


# ---- level 5: what the real client notices (run with the client's interpreter) -------------

# The journeys run the Prefect client in the interpreter named by PREFECT_PYTHON (CI sets it).
CLIENT = (("--blocks-prefect-python", "PREFECT_PYTHON"),)


@breaks("PF-JRN-secret", "step save", "the client's own error", "ValidationError", needs=CLIENT)
def answers_block_types_without_slug():
    """Block type answers lack their slug (the client's model requires it)."""
    return rewrite_each(is_block_type, lambda item: item.pop("slug", None), "/block_types")


@breaks(
    "PF-JRN-custom-block",
    "step document_schema:",
    "the client gave [] at document_schema.value.properties",
    needs=CLIENT,
)
def answers_documents_without_schema_fields():
    """Block documents come back with their block_schema but without its fields (the client
    fills in an empty dict and goes on)."""

    def drop_fields(document):
        document["block_schema"].pop("fields", None)

    return rewrite_each(lambda item: isinstance(item.get("block_schema"), dict), drop_fields)


breaks(
    "PF-JRN-custom-block",
    "step document_schema_next_release",
    'the client gave "1.1" at document_schema_next_release.value.version',
    needs=CLIENT,
)(ignores_version_in_checksum_lookup)


breaks(
    "PF-JRN-nested",
    "step load_top",
    "the client's own error",
    "due to failed validation",
    needs=CLIENT,
)(hydrates_one_level_only)


@breaks(
    "PF-JRN-delete",
    "step load_after_delete",
    'the client gave {"value": "short-lived"}',
    needs=CLIENT,
)
def finds_deleted_documents_by_name():
    """A read by name answers from a cache of earlier reads, so a deleted document still
    loads by name (reads by id and deletes are right)."""
    seen: dict[str, tuple[int, object]] = {}

    def stale(method, path, status, body):
        if method != "GET" or "/block_documents/name/" not in path:
            return None
        if status == 200:
            seen[path] = (status, body)
            return None
        return seen.get(path)

    return rewrite_responses(stale)


@breaks(
    "PF-JRN-cli",
    "step state_after_register",
    '"https://docs.example.com/beta" at state_after_register',
    "other steps that differ: state_after_register_again",
    needs=CLIENT,
)
def forgets_documentation_urls():
    """Block types are stored without their documentation_url (so the client, seeing a type
    that differs from its class, updates it on every registration)."""
    return rewrite_each(is_block_type, lambda block_type: block_type.update(documentation_url=None))


# ---- level 5, the UI: what a user of the real Prefect UI notices -------------------------------

# The UI journeys need the client too (its wheel ships the UI); each variant runs with one UI.
V1_UI, V2_UI = ("--blocks-prefect-ui=v1",), ("--blocks-prefect-ui=v2",)


@breaks(
    "PF-JRN-ui-blocks-page",
    "step blocks-page",
    "POST /block_documents/count -> 404",
    needs=CLIENT,
    options=V1_UI,
)
def has_no_document_count():
    """POST /block_documents/count is missing (404): the Python client never calls it, the
    Blocks page does."""

    def missing(method, path, body):
        counting = method == "POST" and path == "/api/block_documents/count"
        return (404, {"detail": "Not Found"}) if counting else None

    return request_rewriter(missing)


def filter_ignores(condition: str, key: str) -> None:
    """The reference server's filter ``condition`` (a function of reference_server.prefect.
    filters) reads its spec as if ``key`` had not been sent."""
    from reference_server.prefect import filters

    original = getattr(filters, condition)

    def without_key(spec):
        if spec is not None and getattr(spec, key) is not None:
            spec = spec.model_copy(update={key: None})
        return original(spec)

    setattr(filters, condition, without_key)


@breaks(
    "PF-JRN-ui-catalog",
    "step secret-form",
    "must show each field of the Secret schema",
    needs=CLIENT,
    options=V2_UI,
)
def schema_filter_ignores_the_block_type():
    """POST /block_schemas/filter ignores block_schemas.block_type_id (it answers every schema),
    so the UI builds a type's form from another type's schema."""
    filter_ignores("block_schema_condition", "block_type_id")


@breaks(
    "PF-JRN-ui-create",
    "step created",
    "POST /block_documents/ -> 422",
    needs=CLIENT,
    options=V1_UI,
)
def requires_is_anonymous_on_create():
    """POST /block_documents/ requires is_anonymous (the Python client always sends it; the v1
    UI's form leaves it out, as the API allows)."""

    def strict(method, path, body):
        creating = method == "POST" and path == "/api/block_documents/"
        if creating and isinstance(body, dict) and "is_anonymous" not in body:
            error = {"type": "missing", "loc": ["body", "is_anonymous"], "msg": "Field required"}
            return 422, {
                "exception_message": "Invalid request received.",
                "exception_detail": [error],
            }
        return None

    return request_rewriter(strict)


@breaks(
    "PF-JRN-ui-masked",
    "step block-page",
    "must never hold the secret's value",
    needs=CLIENT,
    options=V2_UI,
)
def reads_by_id_unmasked():
    """GET /block_documents/{id} answers secrets in clear, without include_secrets."""
    from reference_server.prefect import api

    original = api.document_view
    api.document_view = lambda store, document, include_secrets: original(store, document, True)


@breaks(
    "PF-JRN-ui-edit",
    "step saved",
    "'note': 'a note to clear'",
    needs=CLIENT,
    options=V2_UI,
)
def merges_when_asked_to_replace():
    """A document PATCH with merge_existing_data false merges all the same: a field the form
    cleared keeps its old value."""

    def merge(method, path, query, body):
        patching = method == "PATCH" and path.startswith("/api/block_documents/")
        if patching and isinstance(body, dict) and body.get("merge_existing_data") is False:
            return query, {**body, "merge_existing_data": True}
        return query, body

    return rewrite_requests(merge)


breaks(
    "PF-JRN-ui-delete",
    "step deleted",
    "must be gone from the page",
    needs=CLIENT,
    options=V1_UI,
)(keeps_deleted_documents)


@breaks(
    "PF-JRN-ui-nested",
    "step block-page",
    "the page did not show it",
    needs=CLIENT,
    options=V1_UI,
)
def id_filter_takes_only_the_first_id():
    """The documents filter's id any_ matches its first id only (one nested block of two is
    found; the Python client never asks for several ids)."""
    from reference_server.prefect import filters

    original = filters.block_document_condition

    def first_id_only(spec):
        if spec is not None and spec.id is not None and spec.id.any_:
            spec = spec.model_copy(
                update={"id": spec.id.model_copy(update={"any_": spec.id.any_[:1]})}
            )
        return original(spec)

    filters.block_document_condition = first_id_only


OTHER_USERS_SECRETS = 250  # more than a filter's default page (200): the UI's batch read


def seed_other_users_secrets(store) -> None:
    secret = store.block_type_by_slug("secret")
    where = "block_type_id = ?"
    schema = store.filter_block_schemas(where, [secret["id"]], limit=1, offset=0)[0]
    for number in range(OTHER_USERS_SECRETS):
        values = {
            "name": f"another-users-secret-{number:03d}",
            "data": {"value": "not the run's"},
            "block_schema_id": schema["id"],
            "block_type_id": secret["id"],
            "is_anonymous": False,
        }
        store.create_block_document(values)


def seeded_with_other_users_secrets(app):
    """The app, its server holding other users' Secret documents, named to list before the
    run's (a server in use: the run's own documents are not on a filter's first page); made
    before the first request, once the server has registered its system blocks."""
    store = prefect_store(app)
    seeded: list[bool] = []

    async def asgi(scope, receive, send):
        if scope["type"] == "http" and not seeded:
            seeded.append(True)
            seed_other_users_secrets(store)
        return await app(scope, receive, send)

    return asgi


@breaks(
    "PF-JRN-ui-nested",
    "step block-page",
    "the page did not show it",
    needs=CLIENT,
    options=V1_UI,
)
def ignores_the_id_filter():
    """The documents filter ignores its id any_ (an answer lists the first page of every
    document), on a server that holds other users' documents: the UI's reads by id, which it
    sends in one batch through the filter, do not find the run's document."""
    filter_ignores("block_document_condition", "id")
    return seeded_with_other_users_secrets


# ---- API-wide ---------------------------------------------------------------------------------


@breaks("PF-API-health-literal", "the body must match the health schema", '{"status":"ok"}')
def health_answers_a_status_object():
    """GET /health answers {"status": "ok"} instead of the JSON literal true."""

    def status(method, path, http_status, body):
        return (200, {"status": "ok"}) if path == "/api/health" else None

    return rewrite_responses(status)


@breaks("PF-API-admin-version", "GET /api/admin/version must answer 200", "answered 404")
def has_no_admin_version():
    """GET /admin/version is missing (404), so the client's call before a conflicting save
    fails."""

    def missing(method, path, body):
        return (404, {"detail": "Not Found"}) if path == "/api/admin/version" else None

    return request_rewriter(missing)


@breaks("PF-API-malformed-uuid-route", "a non-UUID path id must get 404", "answered 422")
def validates_path_ids():
    """A path id that is not a UUID gets a 422 validation error (an id parameter typed as a UUID
    in a route that matches anything) instead of matching no route."""
    collection = re.compile(r"^/api/block_(types|schemas|documents)/([^/]+)$")

    def check(method, path, body):
        found = collection.match(path)
        if method not in ("GET", "PATCH", "DELETE") or not found or is_uuid(found[2]):
            return None
        error = {"type": "uuid_parsing", "loc": ["path", "id"], "msg": "Input should be a UUID"}
        invalid = {"exception_message": "Invalid request received."}
        return 422, {**invalid, "exception_detail": [error], "request_body": body}

    return request_rewriter(check)


@breaks(
    "PF-API-malformed-uuid-route",
    "before Prefect 3.4.8 a non-UUID path id must fail validation (422)",
    "answered 404",
    options=("--blocks-prefect-release=3.4.7",),
)
def plays_3_4_7_with_the_routes_of_3_4_8():
    """Plays Prefect 3.4.7, but a block type or schema path id that is not a UUID matches no
    route (404), as from 3.4.8 on, instead of failing validation (422) as 3.4.7 did."""
    from reference_server.prefect import app

    original = app.facts
    app.facts = lambda release: {**original(release), "malformed_path_id": 404}
    app.resolved = lambda name: "3.4.7"


@breaks("PF-API-content-type-header", "must have the content type application/json", "text/plain")
def sends_errors_as_text_plain():
    """404 answers carry their JSON body with the content type text/plain."""
    from starlette.middleware.base import BaseHTTPMiddleware

    async def dispatch(request, call_next):
        answer = await call_next(request)
        if answer.status_code == 404:
            answer.headers["content-type"] = "text/plain; charset=utf-8"
        return answer

    return lambda app: BaseHTTPMiddleware(app, dispatch=dispatch)


# ---- block types ------------------------------------------------------------------------------


@breaks("PF-BT-system-types", "the system type 'webhook' must exist", "answered 404")
def lacks_the_webhook_type():
    """Installs the secret and local-file-system types but not webhook."""
    from reference_server.prefect import api, system_blocks

    original = system_blocks.install

    def without_webhook(store, release):
        original(store, release)
        store.delete_block_type(store.block_type_by_slug("webhook")["id"])

    system_blocks.install = api.install_system_blocks = without_webhook


@breaks("PF-BT-create", "the created type's documentation_url must be", "gave null")
def drops_documentation_url():
    """A block type create stores every field but documentation_url."""
    from reference_server.prefect import store

    original = store.Store.create_block_type

    def create(self, values, is_protected=False):
        return original(self, {**values, "documentation_url": None}, is_protected)

    store.Store.create_block_type = create


@breaks("PF-BT-create-escapes-html", "description after a PATCH (not escaped) must be", "&lt;b&gt;")
def escapes_html_on_update_too():
    """HTML in description and code_example is escaped on PATCH as on create."""
    import html

    from reference_server.prefect import store

    original = store.Store.update_block_type

    def update(self, type_id, values):
        escaped = {
            key: html.escape(value, quote=False) if isinstance(value, str) else value
            for key, value in values.items()
        }
        return original(self, type_id, escaped)

    store.Store.update_block_type = update


@breaks("PF-BT-409-slug", "the existing type must be", '"description": "second"')
def duplicate_slug_overwrites_the_type():
    """A create with a slug that exists updates that type's texts, then answers 409."""
    from reference_server.prefect import store

    original = store.Store.create_block_type

    def create(self, values, is_protected=False):
        try:
            return original(self, values, is_protected)
        except store.Conflict:
            existing = self.block_type_by_slug(values["slug"])
            texts = {key: values.get(key) for key in store.BLOCK_TYPE_TEXT_FIELDS}
            self.update_block_type(existing["id"], texts)
            raise

    store.Store.create_block_type = create


@breaks("PF-BT-422-slug", "an invalid request must get 422", "answered 201", '"slug": "Bad-Slug"')
def accepts_upper_case_slugs():
    """Slugs may hold upper-case letters (and document names too: one pattern for both)."""
    from reference_server.prefect import models

    models.LOWER_DASH = re.compile(r"^[A-Za-z0-9-]*$")


@breaks("PF-BT-422-name", "an invalid request must get 422", "answered 201", '"name": "my/type"')
def accepts_any_type_name():
    """Block type names are not checked: empty names and / % & > < are accepted."""
    from reference_server.prefect import models

    class AnyName(models.BlockTypeCreate):
        name: str

    models.BlockTypeCreate = AnyName


@breaks("PF-API-extra-keys", "an invalid request must get 422", "answered 201", '"bogus": 1')
def ignores_unknown_type_keys():
    """Unknown keys in a block type create body are dropped instead of refused."""
    from pydantic import ConfigDict

    from reference_server.prefect import models

    class Lenient(models.BlockTypeCreate):
        model_config = ConfigDict(extra="ignore")

    models.BlockTypeCreate = Lenient


@breaks("PF-BT-403-reserved-name", "must answer 403", "answered 201")
def reserves_only_capitalised_prefect():
    """Only names beginning with 'Prefect' exactly are reserved; 'prefect_...' is created."""
    from reference_server.prefect import api

    api.is_reserved_name = lambda name: name.startswith("Prefect")


@breaks("PF-BT-read-id", "must answer 404", "answered 200")
def answers_null_for_unknown_type_ids():
    """GET /block_types/{id} of an unknown id answers 200 with null."""

    def null(method, path, status, body):
        if method == "GET" and path.startswith("/api/block_types/") and status == 404:
            return 200, None
        return None

    return rewrite_responses(null)


@breaks("PF-BT-slug-case", "slug/SECRET must answer 404", "answered 200")
def slug_lookup_ignores_case():
    """GET /block_types/slug/{slug} compares slugs case-insensitively."""
    from reference_server.prefect import store

    def by_slug(self, slug):
        found = self.one(
            "SELECT * FROM block_type WHERE lower(slug) = lower(?)", [slug], "Block type not found"
        )
        return store.type_row(found)

    store.Store.block_type_by_slug = by_slug


@breaks("PF-BT-update", "code_example after PATCH", 'must be "x = 1"', "gave null")
def type_patch_clears_unsent_fields():
    """A block type PATCH sets every updatable field it does not send to null."""
    from reference_server.prefect import store

    original = store.Store.update_block_type

    def update(self, type_id, values):
        cleared = {key: None for key in store.BLOCK_TYPE_TEXT_FIELDS}
        return original(self, type_id, {**cleared, **values})

    store.Store.update_block_type = update


@breaks("PF-BT-updated-moves", "'updated' after an update must be later than")
def keeps_type_updated_on_patch():
    """A block type PATCH leaves `updated` where it was."""
    from reference_server.prefect import store

    def update(self, type_id, values):
        assignments = ", ".join(f"{column} = ?" for column in values) or "id = id"
        changed = self.write(
            f"UPDATE block_type SET {assignments} WHERE id = ?", [*values.values(), type_id]
        )
        if not changed:
            raise store.NotFound("Block type not found")

    store.Store.update_block_type = update


@breaks("PF-BT-update-404", "must answer 404", "answered 204")
def type_patch_of_unknown_id_answers_204():
    """PATCH of an unknown block type id answers 204 (no row updated, nothing said)."""
    from reference_server.prefect.store import NotFound

    def unknown(method, path, body, store):
        found = re.match(r"^/api/block_types/([^/]+)$", path)
        if method != "PATCH" or not found or not is_uuid(found[1]):
            return None
        try:
            store.block_type(str(uuid.UUID(found[1])))
        except NotFound:
            return 204, None
        return None

    return intercept(unknown)


@breaks("PF-API-extra-keys", "an invalid request must get 422", "answered 204")
def type_patch_ignores_unknown_keys():
    """A block type PATCH drops keys it cannot update (name, slug, is_protected, unknown ones)
    instead of refusing them."""
    from pydantic import ConfigDict

    from reference_server.prefect import models

    class Lenient(models.BlockTypeUpdate):
        model_config = ConfigDict(extra="ignore")

    models.BlockTypeUpdate = Lenient


@breaks("PF-BT-protected-update", "a protected type must accept PATCH with 204", "answered 403")
def protected_types_refuse_patch():
    """Protected system block types are read-only: a PATCH gets 403."""
    from fastapi import HTTPException

    from reference_server.prefect import store

    original = store.Store.update_block_type

    def update(self, type_id, values):
        if "is_protected" not in values and self.block_type(type_id)["is_protected"]:
            raise HTTPException(403, "protected block types cannot be updated.")
        return original(self, type_id, values)

    store.Store.update_block_type = update


@breaks("PF-BT-delete", "after the type's deletion must answer 404", "answered 500")
def deleting_a_type_keeps_its_documents():
    """Deleting a block type removes it and its schemas, but its documents stay behind
    (no cascade from types and schemas to documents)."""
    from reference_server.prefect import store

    store.PARTS["document_type_reference"] = None
    store.PARTS["document_schema_reference"] = None


# ---- block schemas ----------------------------------------------------------------------------


@breaks("PF-BS-create", "capabilities (any order) must be", "gave []")
def drops_capabilities():
    """A schema create stores no capabilities, whatever was sent."""
    from reference_server.prefect import store

    original = store.Store.create_block_schema

    def create(self, fields, checksum, capabilities, version, type_id):
        return original(self, fields, checksum, [], version, type_id)

    store.Store.create_block_schema = create


@breaks("PF-BS-checksum", "the checksum of the nested schema must be")
def strips_top_level_secret_fields_only():
    """The checksum drops secret_fields at the top level only and hashes every definition
    (block definitions and unreachable ones included)."""
    import hashlib

    from reference_server.prefect import nesting

    def checksum(fields):
        hashed = {key: value for key, value in fields.items() if key != "secret_fields"}
        text = json.dumps([[hashed], {}], sort_keys=True)
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    nesting.checksum_of = checksum


@breaks("PF-BS-new-version", "creating a block schema must answer 201", "answered 200")
def dedups_schemas_by_checksum_alone():
    """A schema whose checksum exists is a duplicate whatever its version (the existing one is
    answered with 200), and lookups ignore the version too."""
    from reference_server.prefect import store

    original = store.Store.block_schema_by_checksum
    store.Store.block_schema_by_checksum = lambda self, checksum, version=None: original(
        self, checksum
    )


@breaks(
    "PF-BS-read-id", "must match the block_schema schema", "'block_schema_references' is a required"
)
def reads_schemas_without_references():
    """Schema reads return the stored fields as they are: no block_schema_references, no
    definitions rebuilt from the referenced schemas."""
    from reference_server.prefect import nesting

    nesting.full_fields = lambda store, schema: dict(schema["fields"])


@breaks("PF-BS-404-type", "must get a 4xx other than 409", "answered 409")
def unknown_schema_type_is_an_integrity_conflict():
    """A schema for an unknown block_type_id gets the foreign-key 409 instead of 404."""

    def conflict(method, path, status, body):
        if method == "POST" and path == "/api/block_schemas/" and status == 404:
            return 409, {"detail": "Data integrity conflict."}
        return None

    return rewrite_responses(conflict)


@breaks("PF-API-extra-keys", "an invalid request must get 422", "answered 201", '"bogus": 1')
def ignores_unknown_schema_keys():
    """Unknown keys in a schema create body are dropped (a client-sent checksum is still
    refused)."""
    from pydantic import ConfigDict, model_validator

    from reference_server.prefect import models

    class Lenient(models.BlockSchemaCreate):
        model_config = ConfigDict(extra="ignore")

        @model_validator(mode="before")
        @classmethod
        def no_checksum(cls, values):
            if isinstance(values, dict) and "checksum" in values:
                raise ValueError("checksum is computed by the server")
            return values

    models.BlockSchemaCreate = Lenient


@breaks("PF-BS-delete", "must answer 404", "answered 200")
def keeps_deleted_schemas():
    """DELETE of a schema answers 204 but the schema stays readable."""
    from reference_server.prefect import store

    store.Store.delete_block_schema = lambda self, schema_id: self.block_schema(schema_id) and None


@breaks("PF-SYS-secret-schema", "'value' in secret_fields must be true", "gave false")
@breaks("PF-SEC-system-secret", "data from GET by id must be", '"sk-1234567890"')
def registers_the_secret_schema_without_secret_fields():
    """The system Secret schema is registered with its checksum but without secret_fields, so
    Secret documents are never masked."""
    from reference_server.prefect import system_blocks

    original = system_blocks.system_blocks

    def without_secret_fields(release):
        blocks = original(release)
        for block in blocks:
            if block["block_type"]["slug"] == "secret":
                block["block_schema"]["fields"].pop("secret_fields", None)  # parsed once, shared
        return blocks

    system_blocks.system_blocks = without_secret_fields


# ---- block documents --------------------------------------------------------------------------


@breaks("PF-BD-name-per-type", "creating a document must answer 201", "answered 409")
def document_names_unique_across_types():
    """Document names are unique across all block types, not per type."""
    from reference_server.prefect import store

    store.PARTS["document_name_per_type"] = "UNIQUE (name)"
    store.Store.document_name_taken = lambda self, type_id, name: bool(
        self.query("SELECT 1 FROM block_document WHERE name = ?", [name])
    )


@breaks("PF-BD-anonymous", "an explicit anonymous name must be", '"anonymous-')
def renames_named_anonymous_documents():
    """An anonymous document always gets a generated name, even when one was sent."""
    from pydantic import model_validator

    from reference_server.prefect import models

    class Renamed(models.BlockDocumentCreate):
        @model_validator(mode="after")
        def generated_name(self):
            if self.is_anonymous:
                self.name = None
            return self

    models.BlockDocumentCreate = Renamed


@breaks("PF-BD-422-name", "an invalid request must get 422", "answered 201", '"UpperCase')
def accepts_upper_case_document_names():
    """Document names may hold upper-case letters (and slugs too: one pattern for both)."""
    from reference_server.prefect import models

    models.LOWER_DASH = re.compile(r"^[A-Za-z0-9-]*$")


@breaks("PF-BD-422-missing-name", "an invalid request must get 422", "answered 409")
def leaves_missing_names_to_the_database():
    """No check that a named document has a name: the database's NOT NULL refuses it, answered
    as an integrity conflict (409)."""
    from reference_server.prefect import models

    class Unchecked(models.BlockDocumentCreate):
        @classmethod
        def _named_unless_anonymous(cls, values):
            return values

    models.BlockDocumentCreate = Unchecked


@breaks("PF-API-extra-keys", "an invalid request must get 422", "answered 201", '"bogus": 1')
def ignores_unknown_document_keys():
    """Unknown keys in a document create body are dropped instead of refused."""
    from pydantic import ConfigDict

    from reference_server.prefect import models

    class Lenient(models.BlockDocumentCreate):
        model_config = ConfigDict(extra="ignore")

    models.BlockDocumentCreate = Lenient


@breaks("PF-BD-unknown-schema-status", "an unknown block_schema_id must get 409", "answered 404")
def unknown_document_schema_is_404():
    """A document naming a block_schema_id that does not exist gets 404 instead of 409."""

    def not_found(method, path, status, body):
        detail = body.get("detail", "") if isinstance(body, dict) else ""
        if path == "/api/block_documents/" and status == 409 and detail.startswith("Data"):
            return 404, {"detail": "Block schema not found"}
        return None

    return rewrite_responses(not_found)


def hides_anonymous(prefix: str) -> Callable:
    """An answer wrapper: reads under ``prefix`` of an anonymous document answer 404."""

    def hide(method, path, status, body):
        anonymous = isinstance(body, dict) and body.get("is_anonymous") is True
        if method == "GET" and path.startswith(prefix) and status == 200 and anonymous:
            return 404, {"detail": "Block document not found"}
        return None

    return rewrite_responses(hide)


@breaks("PF-BD-read-id", "must answer 200", "answered 404")
def hides_anonymous_documents_by_id():
    """GET /block_documents/{id} of an anonymous document answers 404."""
    return hides_anonymous("/api/block_documents/")


@breaks("PF-BD-update-404", "must answer 404", "answered 204")
def document_patch_of_unknown_id_answers_204():
    """PATCH of an unknown document id answers 204 (no row updated, nothing said)."""
    from reference_server.prefect.store import NotFound

    def unknown(method, path, body, store):
        found = re.match(r"^/api/block_documents/([^/]+)$", path)
        if method != "PATCH" or not found or not is_uuid(found[1]):
            return None
        try:
            store.block_document(str(uuid.UUID(found[1])))
        except NotFound:
            return 204, None
        return None

    return intercept(unknown)


@breaks("PF-BD-update-422", "an invalid request must get 422", "answered 204", '"data": null')
def null_data_patch_changes_nothing():
    """A document PATCH with data null is taken as no data (204, nothing changed)."""
    from pydantic import model_validator

    from reference_server.prefect import models

    class NullAsAbsent(models.BlockDocumentUpdate):
        @model_validator(mode="before")
        @classmethod
        def drop_null_data(cls, values):
            if isinstance(values, dict) and "data" in values and values["data"] is None:
                values = {key: value for key, value in values.items() if key != "data"}
            return values

    models.BlockDocumentUpdate = NullAsAbsent


@breaks("PF-BD-read-name-anonymous", "must answer 200", "answered 404")
def hides_anonymous_documents_by_name():
    """Reading an anonymous document by type slug and name answers 404."""
    return hides_anonymous("/api/block_types/slug/")


@breaks(
    "PF-BD-read-name-404",
    "the body must match the error schema",
    "'message': 'no such block document'",
    only="unknown_name",
)
def answers_404_without_a_detail_for_unknown_names():
    """Reading a document by an unknown name answers 404 {"message": "..."}: no detail."""

    def without_detail(method, path, status, body):
        if method == "GET" and "/block_documents/name/" in path and status == 404:
            return 404, {"message": "no such block document"}
        return None

    return rewrite_responses(without_detail)


@breaks(
    "PF-BD-detail-texts",
    'the 404 body\'s detail must be "Block document not found"',
    'gave "Block type not found"',
)
def unknown_slug_says_block_type_not_found():
    """Reading a document by an unknown slug answers 404 "Block type not found" (the type is
    looked up first) instead of "Block document not found"."""
    from reference_server.prefect import store

    original = store.Store.block_document_by_name

    def by_name(self, slug, name):
        self.block_type_by_slug(slug)
        return original(self, slug, name)

    store.Store.block_document_by_name = by_name


# ---- client call sequences --------------------------------------------------------------------


@breaks("PF-SEQ-save-new-type", "POST /api/block_types/ must answer 201", "answered 200")
def answers_200_on_type_create():
    """Creates block types but answers 200 instead of 201."""

    return status_instead("POST", "/api/block_types/", 201, 200)


@breaks("PF-SEQ-save-known-type", "must answer 200", "answered 404")
def caches_missing_slugs():
    """A slug once looked up and not found stays "not found" (a negative cache that creates do
    not clear), so a class registered after its first lookup is never found again."""
    missing: set[str] = set()
    lookup = re.compile(r"^/api/block_types/slug/[^/]+$")

    def cached(method, path, status, body):
        if method != "GET" or not lookup.match(path):
            return None
        if path in missing:
            return 404, {"detail": "Block type not found"}
        if status == 404:
            missing.add(path)
        return None

    return rewrite_responses(cached)


@breaks("PF-SEQ-save-conflict", "the stored data after the refused save must be")
def conflicting_save_overwrites_the_data():
    """A create with a used name stores the new data in the existing document, then answers
    409."""
    from reference_server.prefect.store import NotFound

    def overwrite(method, path, body, store):
        if method != "POST" or path != "/api/block_documents/" or not isinstance(body, dict):
            return None
        try:
            slug = store.block_type(str(body.get("block_type_id")))["slug"]
            existing = store.block_document_by_name(slug, str(body.get("name")))
        except NotFound:
            return None
        schema_id = existing["block_schema_id"]
        store.update_block_document(existing["id"], body.get("data", {}), schema_id)
        return 409, {"detail": "Block already exists"}

    return intercept(overwrite)


@breaks("PF-SEQ-save-overwrite", "the overwritten data, secrets in clear must be")
def schema_change_patch_ignores_data():
    """A document PATCH that names a block_schema_id changes the schema only; its data is
    dropped."""
    from pydantic import model_validator

    from reference_server.prefect import models

    class SchemaOnly(models.BlockDocumentUpdate):
        @model_validator(mode="before")
        @classmethod
        def schema_or_data(cls, values):
            if isinstance(values, dict) and values.get("block_schema_id"):
                values = {key: value for key, value in values.items() if key != "data"}
            return values

    models.BlockDocumentUpdate = SchemaOnly


@breaks("PF-SEQ-load", "loaded data with include_secrets=true must be", '"password": "********"')
def read_by_name_ignores_include_secrets():
    """Reading a document by type slug and name always masks secrets (the include_secrets query
    parameter is not read there)."""

    def drop(method, path, query, body):
        if "/block_documents/name/" in path:
            kept = "&".join(p for p in query.split("&") if not p.startswith("include_secrets="))
            return kept, body
        return query, body

    return rewrite_requests(drop)


@breaks("PF-SEQ-secret-save-load", "POST /api/block_documents/ must answer 201", "answered 403")
def protected_types_refuse_documents():
    """Documents of protected block types (the system Secret) are refused with 403."""
    from reference_server.prefect.store import NotFound

    def protected(method, path, body, store):
        if method != "POST" or path != "/api/block_documents/" or not isinstance(body, dict):
            return None
        try:
            block_type = store.block_type(str(body.get("block_type_id")))
        except NotFound:
            return None
        if block_type["is_protected"]:
            return 403, {"detail": "protected block types cannot have documents."}
        return None

    return intercept(protected)


# ---- level 3: filters, sort, paging, counts, capabilities ------------------------------------


@breaks("PF-FLT-types-order", "types ordered by name (not by slug) must be")
def sorts_types_by_slug():
    """/block_types/filter orders types by slug instead of name."""
    from reference_server.prefect import store

    def by_slug(self, where, params, limit, offset):
        rows = self.query(
            f"SELECT * FROM block_type WHERE {where} ORDER BY slug ASC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [store.type_row(row) for row in rows]

    store.Store.filter_block_types = by_slug


@breaks("PF-FLT-types-name-like", "types named like 'a\\\\_b' must be", 'gave ["conf-')
def drops_backslashes_from_like_patterns():
    """block_types.name.like_ drops backslashes from the pattern, so 'a\\_b' matches 'axb'
    too (neither database's reading: SQLite matches nothing, PostgreSQL 'a_b' alone)."""
    from reference_server.prefect import filters

    original = filters.like

    def like(column, pattern):
        return original(column, pattern.replace("\\", "") if pattern else pattern)

    filters.like = like


@breaks("PF-FLT-types-name-like", "types named like 'ZETA' must be", "gave []")
def type_name_like_is_case_sensitive():
    """block_types.name.like_ matches case-sensitively (GLOB instead of LIKE)."""
    from reference_server.prefect import filters

    original = filters.like

    def like(column, pattern):
        if column != "block_type.name" or not pattern:
            return original(column, pattern)
        glob = "*" + pattern.replace("%", "*").replace("_", "?") + "*"
        return [(f"{column} GLOB ?", [glob])]

    filters.like = like


@breaks("PF-FLT-any-empty", "slug any_ [] must be []")
def empty_any_matches_everything():
    """An any_ filter with an empty list is treated as no filter at all."""
    from reference_server.prefect import filters

    original = filters.any_of
    filters.any_of = lambda column, values: original(column, values) if values else []


@breaks("PF-FLT-types-by-schemas", "types with a schema offering all of ['fly', 'swim'] must be")
def capabilities_all_means_any():
    """block_capabilities.all_ keeps schemas offering any one of the capabilities."""
    from reference_server.prefect import filters

    def has_any(column, wanted):
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        sql = f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value IN ({marks}))"
        return [(sql, list(wanted))]

    filters.has_all = has_any


@breaks("PF-FLT-schemas-fields", "schemas ['s3', 's2'] must be")
def schema_filter_ignores_or():
    """A block_schemas filter always AND-s its conditions, whatever its operator."""
    from reference_server.prefect import filters

    original = filters.block_schema_condition

    def anded(spec):
        return original(spec.model_copy(update={"operator": "and_"}) if spec else spec)

    filters.block_schema_condition = anded


@breaks("PF-FLT-limit", "limit 0 on /block_types/filter must be []", only="limit_bounds")
def limit_zero_lists_every_type():
    """limit 0 on /block_types/filter returns a full page (200) instead of []."""
    from reference_server.prefect import store

    original = store.Store.filter_block_types

    def page(self, where, params, limit, offset):
        return original(self, where, params, limit or 200, offset)

    store.Store.filter_block_types = page


@breaks("PF-FLT-docs-related", "the count of documents whose schema matches")
def count_ignores_block_schemas():
    """/block_documents/count ignores a block_schemas filter (the route does not declare it, so
    the key is dropped like any unknown top-level key)."""

    def drop(method, path, query, body):
        if path == "/api/block_documents/count" and isinstance(body, dict):
            return query, {key: value for key, value in body.items() if key != "block_schemas"}
        return query, body

    return rewrite_requests(drop)


@breaks("PF-FLT-type-documents", "the Zeta type's named documents (no paging)", "anonymous-")
def type_documents_include_anonymous():
    """GET /block_types/slug/{slug}/block_documents lists anonymous documents too."""
    from reference_server.prefect import api, models

    api.BlockDocumentFilter = lambda: models.BlockDocumentFilter(is_anonymous=None)


@breaks("PF-FLT-extra-keys", "an invalid request must get 422", "answered 200")
def filter_objects_ignore_unknown_keys():
    """Unknown keys inside filter objects are dropped instead of refused."""
    from pydantic import ConfigDict

    from reference_server.prefect import models

    for name in ("BlockDocumentFilter", "BlockTypeFilter", "BlockSchemaFilter"):
        lenient = type(name, (getattr(models, name),), {"model_config": ConfigDict(extra="ignore")})
        setattr(models, name, lenient)


@breaks("PF-FLT-keys", "POST /api/block_types/filter must answer 200", "answered 422")
def refuses_unknown_top_level_keys_on_type_filters():
    """/block_types/filter refuses a body with a top-level key it does not know (the document
    filter still ignores them)."""
    known = {"block_types", "block_schemas", "limit", "offset"}

    def strict(method, path, body):
        if path != "/api/block_types/filter" or not isinstance(body, dict):
            return None
        unknown = sorted(set(body) - known)
        if not unknown:
            return None
        errors = [
            {
                "type": "extra_forbidden",
                "loc": ["body", key],
                "msg": "Extra inputs are not permitted",
            }
            for key in unknown
        ]
        invalid = {"exception_message": "Invalid request received.", "exception_detail": errors}
        return 422, {**invalid, "request_body": body}

    return request_rewriter(strict)


@breaks("PF-CAP-list", "occurrences of", "must be 1", "gave 2")
def lists_capabilities_once_per_schema():
    """GET /block_capabilities/ lists each schema's capabilities, repeated across schemas."""
    from reference_server.prefect import store

    def every(self):
        rows = self.query("SELECT value FROM block_schema, json_each(block_schema.capabilities)")
        return [row[0] for row in rows]

    store.Store.capabilities = every


# ---- level 3: secrets -------------------------------------------------------------------------


@breaks("PF-SEC-mask-value", "a null secret must be null", 'gave "********"')
def masks_null_secrets():
    """A secret field holding null is masked like a value."""
    from reference_server.prefect import nesting

    original = nesting.mask_secrets

    def mask(data, secret_fields):
        masked = original(data, secret_fields)
        for field in secret_fields:
            if "." not in field and field in masked and masked[field] is None:
                masked[field] = "********"
        return masked

    nesting.mask_secrets = mask


# ---- level 4: nested blocks -------------------------------------------------------------------


@breaks("PF-NEST-schema-create-children", "schema's type must be")
def creates_children_under_the_parent_type():
    """Schemas created from a parent's definitions are put under the parent's block type
    instead of the referenced one."""
    from reference_server.prefect import nesting

    original = nesting.create_schema
    parents: list[str] = []

    def create(store, fields, type_id, capabilities, version, definitions=None):
        if definitions is None:  # a schema posted by a client, not one made from definitions
            parents[:] = [type_id]
        parent = parents[0] if parents and definitions is not None else type_id
        return original(store, fields, parent, capabilities, version, definitions)

    nesting.create_schema = create


@breaks("PF-NEST-schema-read", "fields read by id must be")
def nests_grandchild_definitions():
    """Schema reads put each referenced schema under definitions with its own definitions
    inside it, instead of flattening grandchildren beside it."""
    from reference_server.prefect import nesting

    def full_fields(store, schema):
        fields = dict(schema["fields"])
        references, definitions = {}, {}
        for name, child in store.schema_references(schema["id"]):
            references[name] = {
                "block_schema_checksum": child["checksum"],
                "block_type_slug": store.block_type(child["block_type_id"])["slug"],
            }
            child_fields = full_fields(store, child)
            definitions[child_fields.get("title", child["checksum"])] = child_fields
        fields["block_schema_references"] = references
        if definitions:
            fields["definitions"] = {**fields.get("definitions", {}), **definitions}
        return fields

    nesting.full_fields = full_fields


@breaks("PF-NEST-schema-missing-type-status", "must answer 409", "answered 404")
def unknown_referenced_type_is_404():
    """A schema referencing a block type slug that does not exist gets 404."""

    def not_found(method, path, status, body):
        detail = body.get("detail", "") if isinstance(body, dict) else ""
        if path == "/api/block_schemas/" and status == 409 and "was not found" in detail:
            return 404, {"detail": "Block type not found"}
        return None

    return rewrite_responses(not_found)


@breaks("PF-NEST-doc-create-answer", "data must be", '"leaf": {"$ref"')
def create_answer_keeps_the_ref():
    """The create answer shows the data as sent ($ref and all) and no references; reads are
    hydrated."""

    def as_sent(method, path, status, body):
        if method != "POST" or path != "/api/block_documents/" or status != 201:
            return None
        references = body["block_document_references"]
        for key, reference in references.items():
            body["data"][key] = {"$ref": {"block_document_id": reference["block_document"]["id"]}}
        return 201, {**body, "block_document_references": {}}

    return rewrite_responses(as_sent)


@breaks("PF-NEST-child-update", "the leaf seen from the top must be")
def caches_referenced_documents():
    """Referenced documents are read once and cached: later changes to them never show through
    the documents that reference them."""
    from reference_server.prefect import nesting

    original = nesting.hydrate
    cache: dict[str, dict] = {}

    def hydrate(store, document, include_secrets, depth=0):
        if depth > 0:
            document = cache.setdefault(document["id"], document)
        return original(store, document, include_secrets, depth)

    nesting.hydrate = hydrate


@breaks("PF-NEST-child-delete", "must answer 204", "answered 409")
def refuses_to_delete_referenced_documents():
    """DELETE of a document that another references gets 409 (a restricting foreign key)."""
    from fastapi import HTTPException

    from reference_server.prefect import store

    original = store.Store.delete_block_document

    def delete(self, document_id):
        referenced = self.query(
            "SELECT 1 FROM block_document_reference WHERE reference_block_document_id = ?",
            [document_id],
        )
        if referenced:
            raise HTTPException(409, "Block document is referenced by another.")
        original(self, document_id)

    store.Store.delete_block_document = delete


@breaks("PF-NEST-ref-errors", "must get 409", "answered 500")
def stores_dangling_references():
    """A $ref to a document that does not exist is stored unchecked (no foreign key), and the
    create answer then fails to read it back."""
    from reference_server.prefect import api, store

    store.PARTS["referenced_document_reference"] = None
    api.require_documents = lambda store, references: None


@breaks("PF-NEST-cycle", "must get 400", "answered 204")
def allows_reference_cycles():
    """A PATCH that makes a document reference itself through others is accepted."""
    from reference_server.prefect import api

    api.check_acyclic = lambda store, parent_id, references: None


@breaks("PF-SEQ-nested-save-load", "Top.load(name) data must be", '"token": "********"')
def masks_nested_secrets_even_when_included():
    """include_secrets=true shows the top document's secrets in clear but not those of the
    documents it references."""
    from reference_server.prefect import nesting

    original = nesting.hydrate

    def hydrate(store, document, include_secrets, depth=0):
        return original(store, document, include_secrets and depth == 0, depth)

    nesting.hydrate = hydrate


@breaks(
    "PF-GEN-contract",
    "a generated valid request to POST /block_documents/ must be accepted",
    "refused it with 422",
    examples=20,
    only="block_documents",
)
def validates_document_data_against_the_schema():
    """Document data may hold only the keys its schema's properties declare; any other key gets
    a 422 (the real server stores any JSON object as data)."""
    from reference_server.prefect.store import NotFound

    def undeclared(method, path, body, store):
        if method != "POST" or path != "/api/block_documents/" or not isinstance(body, dict):
            return None
        data = body.get("data")
        try:
            fields = store.block_schema(str(body.get("block_schema_id")))["fields"]
        except NotFound:
            return None
        extra = (
            sorted(set(data) - set(fields.get("properties", {}))) if isinstance(data, dict) else []
        )
        if not extra:
            return None
        errors = [
            {"type": "extra_forbidden", "loc": ["body", "data", key], "msg": "Not in the schema"}
            for key in extra
        ]
        invalid = {"exception_message": "Invalid request received.", "exception_detail": errors}
        return 422, {**invalid, "request_body": body}

    return intercept(undeclared)


# ---- what clients rely on, in clauses whose real-server answers are SHOULD clauses of their own --


@breaks("PF-API-health", "must read as true in JavaScript", "answered false")
def health_answers_false():
    """GET /health answers 200 with false, which the UI reads as "Can't connect to Server API"."""

    def unhealthy(method, path, status, body):
        return (200, False) if path == "/api/health" else None

    return rewrite_responses(unhealthy)


@breaks("PF-API-malformed-uuid", "a non-UUID path id must get a 4xx", "answered 500")
def crashes_on_malformed_path_ids():
    """A path id that is not a UUID reaches the database as it is and fails there (500)."""
    collection = re.compile(r"^/api/block_(types|schemas|documents)/([^/]+)$")

    def check(method, path, body):
        found = collection.match(path)
        if method not in ("GET", "PATCH", "DELETE") or not found or is_uuid(found[2]):
            return None
        return 500, {"exception_message": "Internal Server Error"}

    return request_rewriter(check)


@breaks("PF-API-content-type", "must be JSON", "sent 'Not Found'")
def sends_not_found_as_plain_text():
    """Every 404 answers the words "Not Found" as plain text instead of a JSON body."""
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import PlainTextResponse

    async def dispatch(request, call_next):
        answer = await call_next(request)
        if answer.status_code == 404:
            return PlainTextResponse("Not Found", status_code=404)
        return answer

    return lambda app: BaseHTTPMiddleware(app, dispatch=dispatch)


@breaks("PF-BT-422-body", "is_protected of a type a client created must be false", "gave true")
def honours_is_protected_on_create():
    """A block type create takes is_protected from the body, so that a client can make its own
    type undeletable."""
    from reference_server.prefect import models, store

    class Protectable(models.BlockTypeCreate):
        is_protected: bool = False

    models.BlockTypeCreate = Protectable
    original = store.Store.create_block_type

    def create(self, values, is_protected=False):
        values = dict(values)
        return original(self, values, values.pop("is_protected", False) or is_protected)

    store.Store.create_block_type = create


@breaks("PF-BT-update-422", "name after that PATCH must be")
def renames_types_on_patch():
    """A block type PATCH changes name and slug too, so that the type is no longer found by the
    slug its class has."""
    from reference_server.prefect import models

    class Renaming(models.BlockTypeUpdate):
        name: str | None = None
        slug: str | None = None

    models.BlockTypeUpdate = Renaming


@breaks("PF-BT-read-slug", "must answer 404", "answered 200")
def answers_null_for_unknown_slugs():
    """GET /block_types/slug/{slug} of a slug no type has answers 200 with null, so that the
    client never registers a new class's type."""
    lookup = re.compile(r"^/api/block_types/slug/[^/]+$")

    def null(method, path, status, body):
        return (200, None) if method == "GET" and lookup.match(path) and status == 404 else None

    return rewrite_responses(null)


@breaks("PF-BD-422-body", "an invalid request must get 422", "answered 201")
def fills_in_the_block_type_of_documents():
    """A document create without block_type_id takes the type of its schema instead of being
    refused."""
    from reference_server.prefect.store import NotFound

    def wrap(app):
        store = prefect_store(app)

        def fill(method, path, query, body):
            lacking = isinstance(body, dict) and "block_type_id" not in body
            if method != "POST" or path != "/api/block_documents/" or not lacking:
                return query, body
            try:
                schema = store.block_schema(str(body.get("block_schema_id")))
            except NotFound:
                return query, body
            return query, {**body, "block_type_id": schema["block_type_id"]}

        return rewrite_requests(fill)(app)

    return wrap


@breaks("PF-BD-unknown-schema", "an unknown block_schema_id must get a 4xx", "answered 500")
def creates_documents_of_unknown_schemas():
    """No foreign key from documents to schemas: a document of a schema that does not exist is
    stored, and the create answer then fails to read its schema (500)."""
    from reference_server.prefect import store

    store.PARTS["document_schema_reference"] = None


@breaks("PF-BD-read-name", "'block_schema' is a required property")
def answers_names_without_the_schema():
    """Reading a document by slug and name answers it without its block_schema, on which
    Block.load('slug/name') finds the class."""

    def drop(method, path, status, body):
        if method == "GET" and "/block_documents/name/" in path and isinstance(body, dict):
            return status, {key: value for key, value in body.items() if key != "block_schema"}
        return None

    return rewrite_responses(drop)


@breaks("PF-FLT-types-slug-any", "the types with either slug must be")
def slug_any_keeps_the_first_value_only():
    """block_types.slug.any_ matches the first slug of the list only."""
    from reference_server.prefect import filters

    original = filters.any_of

    def any_of(column, values):
        first = values[:1] if column == "block_type.slug" and values else values
        return original(column, first)

    filters.any_of = any_of


@breaks("PF-NEST-schema-create", "the created schema's fields must be")
def create_answer_drops_definitions():
    """The create answer of a schema leaves out its fields' definitions (reads show them)."""

    def drop(method, path, status, body):
        if method != "POST" or path != "/api/block_schemas/" or status != 201:
            return None
        fields = {key: value for key, value in body["fields"].items() if key != "definitions"}
        return status, {**body, "fields": fields}

    return rewrite_responses(drop)


@breaks("PF-NEST-schema-missing-type", "must get a 4xx", "answered 500")
def fails_on_references_to_unknown_types():
    """A schema referencing a block type slug that does not exist gets 500 instead of a 4xx."""

    def crash(method, path, status, body):
        detail = body.get("detail", "") if isinstance(body, dict) else ""
        if path == "/api/block_schemas/" and status == 409 and "was not found" in detail:
            return 500, {"exception_message": "Internal Server Error"}
        return None

    return rewrite_responses(crash)


@breaks("PF-NEST-doc-create", "block_document_references.leaf.block_document.block_type must be")
def references_without_their_block_type():
    """A document's block_document_references carry each referenced document without its
    block_type."""

    def is_reference(node: dict) -> bool:
        return isinstance(node.get("block_document"), dict)

    return rewrite_nested(is_reference, lambda node: node["block_document"].pop("block_type"))


@breaks("PF-BS-dedup-status", "must get 200", "answered 201")
def answers_201_for_existing_schemas():
    """A schema whose (checksum, version) exists is answered with 201, as if new."""

    return status_instead("POST", "/api/block_schemas/", 200, 201)


@breaks("PF-BS-404-type-status", "must answer 404", "answered 422")
def unknown_schema_type_is_a_validation_error():
    """A schema for an unknown block_type_id gets a 422 validation error at block_type_id."""

    def invalid(method, path, status, body):
        if method != "POST" or path != "/api/block_schemas/" or status != 404:
            return None
        error = {"type": "value_error", "loc": ["body", "block_type_id"], "msg": "No such type"}
        return 422, {"detail": [error]}

    return rewrite_responses(invalid)


def at_the_body(method, path, status, body):
    """A 422 whose errors are all located at the whole body."""
    errors = body.get("exception_detail") if isinstance(body, dict) else None
    if status != 422 or not isinstance(errors, list):
        return None
    located = [{**error, "loc": ["body"]} for error in errors if isinstance(error, dict)]
    return status, {**body, "exception_detail": located}


@breaks("PF-BT-422-locations", "the 422 body must name the location", "named [['body']]")
@breaks("PF-BS-422-locations", "the 422 body must name the location", "named [['body']]")
@breaks("PF-BD-422-locations", "the 422 body must name the location", "named [['body']]")
@breaks("PF-FLT-422-locations", "the 422 body must name the location", "named [['body']]")
def locates_every_error_at_the_body():
    """Every validation error is located at [body], whatever field it is about (a validator
    that checks the body as one document)."""
    return rewrite_responses(at_the_body)


@breaks("PF-BS-read-checksum-empty-version", "?version='' must get 404", "answered 200")
def reads_an_empty_version_as_none():
    """GET /block_schemas/checksum/{c}?version= (empty) answers the newest schema of the
    checksum, as if no version had been sent."""

    def drop(method, path, query, body):
        if "/block_schemas/checksum/" in path:
            kept = "&".join(part for part in query.split("&") if part != "version=")
            return kept, body
        return query, body

    return rewrite_requests(drop)


@breaks("PF-SEC-masked-create", "data in the create answer must be", '"hunter2-')
def answers_creates_in_clear():
    """The create answer of a document shows its secrets in clear (reads are masked)."""
    from starlette.middleware.base import BaseHTTPMiddleware

    def wrap(app):
        store = prefect_store(app)

        async def dispatch(request, call_next):
            answer = await call_next(request)
            if request.method != "POST" or request.url.path != "/api/block_documents/":
                return answer
            raw = b"".join([chunk async for chunk in answer.body_iterator])
            created = parsed(raw)
            if answer.status_code != 201 or not isinstance(created, dict):
                return response(answer.status_code, created)
            from reference_server.prefect import api

            document = store.block_document(created["id"])
            return response(201, api.document_view(store, document, include_secrets=True))

        return BaseHTTPMiddleware(app, dispatch=dispatch)

    return wrap


# ---- differences no clause fails, found by differential mode ---------------------------------

differs = partial(differs_from_reference, "prefect")


@differs("test_bad_api_version_header_is_refused", "body at $.detail", "Unsupported")
def rewords_the_version_header_error():
    """The 400 for a bad X-PREFECT-API-VERSION header says "Unsupported API version" (the
    clause asks for the status and an error body, not these words)."""

    def reword(method, path, status, body):
        detail = body.get("detail", "") if isinstance(body, dict) else ""
        if status == 400 and ("X-PREFECT-API-VERSION" in detail or "API version" in detail):
            return status, {"detail": "Unsupported API version"}
        return None

    return rewrite_responses(reword)


# ---- other readings the real servers and the client allow: each passes the whole suite ------

# the whole suite includes the real client's journeys (level 5)
allowed = partial(allowed_reading, "prefect", needs=CLIENT)
# the texts a client reads, and so keeps (PF-BT-protected-delete, PF-API-csrf-probe)
READ_BY_THE_CLIENT = ("protected block types cannot be deleted.", "CSRF protection is disabled.")
DETAIL_TEXTS = tuple(f"PF-{area}-detail-texts" for area in ("API", "BT", "BS", "BD", "FLT", "NEST"))


@allowed(
    "PF-BD-409-name",
    "PF-BD-read-id",
    "PF-BT-read-slug",
    "PF-BS-read-checksum",
    "PF-BD-read-name-404",
    reason="prefect/client/orchestration/_blocks_documents/client.py create_block_document: a "
    "409 becomes ObjectAlreadyExists and a 404 ObjectNotFound, whatever the detail says; no "
    "client or CLI code of 3.8.8 or 3.9.1 reads any other detail than the two kept here",
    fails=DETAIL_TEXTS,
)
def rewords_every_detail():
    """Every error's detail says it in other words ("the server refused this: ..."), but for
    the two texts the client reads."""

    def reword(method, path, status, body):
        detail = body.get("detail") if isinstance(body, dict) else None
        if status < 400 or not isinstance(detail, str) or detail in READ_BY_THE_CLIENT:
            return None
        return status, {**body, "detail": f"the server refused this: {detail.lower()}"}

    return rewrite_responses(reword)


def with_extra_key(node) -> None:
    """Every API object (a dict with an id) gets one more key, "x_extra"; stored content (data,
    fields) is left as it is."""
    if isinstance(node, list):
        for item in node:
            with_extra_key(item)
    elif isinstance(node, dict):
        if "id" in node:
            node["x_extra"] = 1
        for key, value in node.items():
            if key not in ("data", "fields"):
                with_extra_key(value)


@allowed(
    "PF-BD-create",
    "PF-BD-read-name",
    "PF-NEST-doc-create",
    "PF-SEQ-load",
    reason="prefect/_internal/schemas/bases.py PrefectBaseModel: model_config extra='ignore' "
    "(BlockType, BlockSchema and BlockDocument inherit it), and its docstring: new fields in "
    "API answers must not break clients",
    fails=("PF-API-no-extra-fields",),
    options=V2_UI,
)
def adds_extra_fields_everywhere():
    """Every object with an id in every answer (nested ones and list items included) carries
    an extra "x_extra": 1."""

    def add(method, path, status, body):
        if not isinstance(body, dict | list):
            return None
        with_extra_key(body)
        return status, body

    return rewrite_responses(add)


@allowed(
    "PF-BT-422-slug",
    "PF-BD-422-body",
    "PF-FLT-keys",
    reason="no client or CLI code of 3.8.8 or 3.9.1 reads a 422 body: it only ends up inside "
    "a PrefectHTTPStatusError message; FastAPI's default body names the same locations",
    fails=("PF-API-422-shape",),
)
def answers_fastapis_default_validation_errors():
    """Validation failures are FastAPI's default 422 {"detail": [{"type", "loc", "msg",
    "input"}]} instead of the real server's {exception_message, exception_detail,
    request_body}."""
    from reference_server.prefect import app

    async def validation_error(request, exc):
        from fastapi.encoders import jsonable_encoder
        from starlette.responses import JSONResponse

        return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)

    app.validation_error = validation_error


@allowed(
    "PF-CAP-list",
    reason="the real server builds the capability list from a Python set and keeps a schema's "
    "capabilities in a frozenset: their order changes with each server process's hash seed",
)
def lists_capabilities_in_reverse_order():
    """GET /block_capabilities/ and every schema list their capabilities in reverse order."""

    def reverse(node) -> None:
        if isinstance(node, list):
            for item in node:
                reverse(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "capabilities" and isinstance(value, list):
                    node[key] = value[::-1]
                elif key not in ("data", "fields"):
                    reverse(value)

    def rewrite(method, path, status, body):
        if path.endswith("/block_capabilities/") and isinstance(body, list):
            return status, body[::-1]
        if isinstance(body, dict | list):
            reverse(body)
            return status, body
        return None

    return rewrite_responses(rewrite)


@allowed(
    "PF-FLT-types-order",
    reason="the real servers sort block types by name only (PF-FLT-types-order); the order of "
    "types with equal names is not promised",
)
def orders_equal_named_types_newest_first():
    """Types of equal names are listed newest first (the clauses order types by name only)."""
    from reference_server.prefect import store

    def filter_block_types(self, where, params, limit, offset):
        rows = self.query(
            f"SELECT * FROM block_type WHERE {where} ORDER BY name ASC, rowid DESC"
            " LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [store.type_row(row) for row in rows]

    store.Store.filter_block_types = filter_block_types


@allowed(
    "PF-FLT-types-name-like",
    "PF-FLT-docs-fields",
    "PF-FLT-model",
    reason="the real 3.8.8 and 3.9.1 servers on PostgreSQL, whose LIKE takes a backslash as its "
    "escape character: 'a\\_b' matches 'a_b' alone",
)
def escapes_like_wildcards_with_a_backslash():
    """like_ filters take a backslash as an escape character, as the real server does on
    PostgreSQL ('a\\_b' matches 'a_b' only)."""
    from reference_server.prefect import filters

    def like(column, pattern):
        sql = f"{column} LIKE '%' || ? || '%' ESCAPE '\\'"
        return [(sql, [pattern])] if pattern else []

    filters.like = like


@allowed(
    "PF-GEN-contract",
    "PF-GEN-invalid-rejected",
    reason="the real 3.8.8 and 3.9.1 servers on PostgreSQL answer 503 to text holding a NUL "
    "character, which PostgreSQL cannot store (on SQLite they store it)",
    scope="PF-GEN-*",
)
def answers_503_to_text_holding_nul():
    """Any request whose body or query holds a NUL character gets 503 Service Unavailable, as
    the real server on PostgreSQL answers."""
    from starlette.middleware.base import BaseHTTPMiddleware

    async def dispatch(request, call_next):
        raw = await request.body()
        if b"\\u0000" in raw or b"\x00" in raw or "%00" in request.url.query:
            return response(503, {"exception_message": "Service Unavailable"})
        return await call_next(request)

    return lambda app: BaseHTTPMiddleware(app, dispatch=dispatch)


@allowed(
    "PF-BD-422-missing-name",
    reason="no client or CLI code of 3.8.8 or 3.9.1 reads a 422's loc (the UI shows the first "
    "error's msg); the real server's whole-body check merely runs before its field checks",
    fails=("PF-BD-422-locations",),
)
def locates_missing_names_at_the_name():
    """A non-anonymous document with no, null or empty name gets its 422 located at [body, name]
    (a field check) instead of [body]."""

    def check(method, path, body):
        if method != "POST" or path != "/api/block_documents/" or not isinstance(body, dict):
            return None
        if body.get("is_anonymous") or body.get("name"):
            return None
        error = {
            "type": "missing",
            "loc": ["body", "name"],
            "msg": "Names must be provided for block documents.",
        }
        invalid = {"exception_message": "Invalid request received.", "exception_detail": [error]}
        return 422, {**invalid, "request_body": body}

    return request_rewriter(check)


@allowed(
    "PF-BD-anonymous",
    reason="no client or UI code of 3.8.8 or 3.9.1 parses an anonymous document's name, and the "
    "client's model takes lower-case letters, digits and dashes (prefect/types/names.py "
    "BlockDocumentName)",
    fails=("PF-BD-anonymous-name",),
)
def names_anonymous_documents_in_hex():
    """An anonymous document without a name is called anonymous-<32 hex digits> (a uuid4 without
    its dashes)."""

    def name(method, path, query, body):
        creating = method == "POST" and path == "/api/block_documents/"
        unnamed = isinstance(body, dict) and body.get("is_anonymous") is True
        if creating and unnamed and body.get("name") is None:
            return query, {**body, "name": f"anonymous-{uuid.uuid4().hex}"}
        return query, body

    return rewrite_requests(name)


@allowed(
    "PF-BT-update",
    "PF-BD-update",
    "PF-GEN-stateful",
    reason="no client, CLI or UI code of 3.8.8 or 3.9.1 reads the 'updated' of a block type or "
    "document, and an ISO 8601 time in whole seconds is a timestamp the client's models read "
    "(prefect/_internal/schemas/bases.py ObjectBaseModel)",
    may_fail=("PF-BT-updated-moves", "PF-BD-updated-moves"),
)
def keeps_whole_seconds():
    """Every timestamp is written in whole seconds, so a PATCH within the second of the last
    write leaves 'updated' where it was (equal to 'created' after a create and a PATCH in the
    same second; the two SHOULD clauses pass when a second boundary falls between them)."""
    from datetime import UTC, datetime

    from reference_server.prefect import store

    store.now = lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


BEYOND_64_BITS = 2**63 - 1


def offset_of(body) -> int | None:
    """The offset a /filter body asks for, as a number (the real server reads numeric strings)."""
    offset = body.get("offset") if isinstance(body, dict) else None
    if isinstance(offset, bool) or not isinstance(offset, int | str):
        return None
    try:
        return int(offset)
    except ValueError:
        return None


@allowed(
    "PF-FLT-offset-range",
    reason="no object lies beyond an offset of 2^63-1, so an empty page is as right an answer as "
    "a validation error; no client sends such an offset",
)
def finds_nothing_beyond_64_bit_offsets():
    """A /filter with an offset beyond 2^63-1 answers 200 [] instead of a validation error."""

    def far(method, path, body):
        offset = offset_of(body)
        beyond = offset is not None and offset > BEYOND_64_BITS
        return (200, []) if method == "POST" and path.endswith("/filter") and beyond else None

    return request_rewriter(far)


@allowed(
    "PF-BT-422-body",
    "PF-BT-update-422",
    "PF-BS-422-body",
    "PF-BD-422-body",
    "PF-BD-update-422",
    "PF-FLT-keys",
    reason="prefect/_internal/schemas/bases.py ActionBaseModel: extra='forbid', so the client's "
    "own models never send a key an operation does not take, and a server that ignores one "
    "breaks no client",
    fails=("PF-API-extra-keys", "PF-FLT-extra-keys"),
    may_fail=("PF-GEN-invalid-rejected",),
)
def ignores_keys_an_operation_does_not_take():
    """Create, update and filter bodies drop the keys they do not take (is_protected, a
    client-sent checksum, a PATCH's name, unknown keys) instead of refusing them."""
    from pydantic import ConfigDict

    from reference_server.prefect import models

    for name in (
        "BlockTypeCreate",
        "BlockTypeUpdate",
        "BlockSchemaCreate",
        "BlockDocumentCreate",
        "BlockDocumentUpdate",
        "BlockTypeFilter",
        "BlockSchemaFilter",
        "BlockDocumentFilter",
    ):
        lenient = type(name, (getattr(models, name),), {"model_config": ConfigDict(extra="ignore")})
        setattr(models, name, lenient)


# what a server that validates as the published OpenAPI reads it refuses: the integers (limit,
# offset) and booleans of the request bodies, by where they are
STRICT_INTEGERS = ("limit", "offset")
STRICT_BOOLEANS = {
    "/filter": ("include_secrets",),
    "/api/block_documents/": ("is_anonymous",),
    "/api/block_documents/{id}": ("merge_existing_data",),
}


def not_strictly(kind: type, value) -> bool:
    """Whether ``value`` (present and not null) is not a JSON value of ``kind``: a boolean is
    no integer, a string of digits neither."""
    if value is None:
        return False
    if kind is int:
        return isinstance(value, bool) or not isinstance(value, int)
    return not isinstance(value, bool)


def loosely_typed(method: str, path: str, query: str, body) -> list[list]:
    """The locations of the inputs a strict JSON Schema validator refuses, empty if none."""
    found = (
        [["query", "include_secrets"]]
        if re.search(r"include_secrets=(?!(true|false)(&|$))", query)
        else []
    )
    if not isinstance(body, dict):
        return found
    route = re.sub(r"/block_documents/[0-9a-f-]{36}$", "/block_documents/{id}", path)
    route = "/filter" if path.endswith("/filter") else route
    checked = [(key, int) for key in STRICT_INTEGERS if path.endswith("/filter")]
    checked += [(key, bool) for key in STRICT_BOOLEANS.get(route, ())]
    found += [["body", key] for key, kind in checked if not_strictly(kind, body.get(key))]
    documents = body.get("block_documents") if path.endswith("/filter") else None
    anonymous = documents.get("is_anonymous") if isinstance(documents, dict) else None
    if isinstance(anonymous, dict) and not_strictly(bool, anonymous.get("eq_")):
        found.append(["body", "block_documents", "is_anonymous", "eq_"])
    return found


@allowed(
    "PF-GEN-contract",
    "PF-GEN-invalid-rejected",
    reason="Prefect 3.9.1's published OpenAPI (GET /api/openapi.json): limit and offset are "
    '{"type": "integer"}, include_secrets, merge_existing_data, is_anonymous and '
    'is_anonymous.eq_ {"type": "boolean"}; a JSON Schema validator refuses false or "5" for an '
    'integer and 0 or "yes" for a boolean, and the 3.8.8 and 3.9.1 clients send JSON integers '
    "and booleans (prefect/client/orchestration/_blocks_documents/client.py)",
    fails=("PF-GEN-lax-inputs",),
)
def validates_integers_and_booleans_strictly():
    """limit and offset must be JSON integers, include_secrets, merge_existing_data,
    is_anonymous and is_anonymous.eq_ JSON booleans (the include_secrets query parameter
    "true" or "false"): anything else gets a 422, where the real server converts it (pydantic's
    lax mode reads false as 0, "5" as 5, 1 or "yes" as true)."""
    from starlette.middleware.base import BaseHTTPMiddleware

    async def dispatch(request, call_next):
        body = parsed(await request.body())
        where = loosely_typed(request.method, request.url.path, request.url.query, body)
        if not where:
            return await call_next(request)
        errors = [
            {"type": "strict_type", "loc": loc, "msg": "Not of its JSON type"} for loc in where
        ]
        invalid = {"exception_message": "Invalid request received.", "exception_detail": errors}
        return response(422, {**invalid, "request_body": body})

    return lambda app: BaseHTTPMiddleware(app, dispatch=dispatch)


def reversed_properties(node) -> None:
    """Every schema's properties (in "fields") listed in reverse order, wherever they are."""
    if isinstance(node, list):
        for item in node:
            reversed_properties(item)
    elif isinstance(node, dict):
        fields = node.get("fields")
        if isinstance(fields, dict) and isinstance(fields.get("properties"), dict):
            fields["properties"] = dict(reversed(list(fields["properties"].items())))
        for key, value in node.items():
            if key != "data":
                reversed_properties(value)


@allowed(
    "PF-JRN-ui-catalog",
    "PF-JRN-ui-edit",
    reason="RFC 8259 section 4: 'An object is an unordered collection of zero or more "
    "name/value pairs'; the UI's forms show a schema's properties in the order they come, and "
    "find each by its title",
    scope="PF-JRN-ui-*",
    options=V1_UI,
)
def lists_schema_properties_in_reverse_order():
    """Every block schema in every answer lists its properties in reverse order (a schema's
    form then shows its fields in that order)."""

    def reverse(method, path, status, body):
        if not isinstance(body, dict | list):
            return None
        reversed_properties(body)
        return status, body

    return rewrite_responses(reverse)


# ---- the deviation catalogue: classic implementer mistakes among the broken variants --------

classic_mistakes(
    "prefect",
    {
        "accepts_duplicate_names": "unenforced uniqueness: a used document name accepted",
        "replaces_data_on_patch": "a full replace on PATCH: unsent data keys are lost",
        "ignores_offset": "paging ignored: offset has no effect",
        "accepts_any_limit": "no page-size bound: limit above 200 accepted",
        "name_desc_sorts_ascending": "a wrong sort order: NAME_DESC sorts ascending",
        "count_ignores_the_filter": "total vs filtered count: /count counts everything",
        "lists_anonymous_documents_by_default": "a visibility leak: anonymous documents listed",
        "deleting_a_type_keeps_its_documents": "no cascade: a deleted type leaves its documents",
        "unmasks_nested_secrets": "a secret leak: nested secrets shown in clear",
        "keeps_deleted_documents": "a delete that does not delete",
        "keeps_updated_on_patch": "timestamps not maintained: updated stays on PATCH",
        "slug_lookup_ignores_case": "case-insensitive lookups of case-sensitive keys",
        "deletes_protected_types": "protected objects deletable",
        "or_behaves_like_and": "filter operators mixed up: or_ behaves like and_",
        "answers_200_on_document_create": "the wrong success status: 200 instead of 201 on create",
        "sends_errors_as_text_plain": "errors as plain text instead of JSON",
        "allows_reference_cycles": "reference cycles accepted",
    },
)
