"""The exact call sequences of the Prefect client's Block.save, save(overwrite=True) and load.

Each test replays the requests a 3.8.8 client sends (as recorded from the real client against
the real server) and checks every answer the client relies on.
"""

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status
from .checksum import schema_checksum
from .helpers import expect_nested_type_and_schema, secret_schema_checksum, widget_fields

CLASS_VERSION = "non-versioned"  # what the client sends for classes defined in __main__


def csrf_probe(api, run) -> None:
    """Before its first write the client asks for a CSRF token; it goes on after a 422 ("CSRF
    protection is disabled.", the real server's default) or a 404 (servers without CSRF)."""
    answer = api.get("/csrf-token", params={"client": run.draws.uuid4()})
    expect_status(answer, 404, 422, requirement="the client's CSRF probe must answer 404 or 422")


def register_new_class(run, api, blocks) -> tuple[dict, dict]:
    """Steps 1-4 of save() for a class the server has never seen."""
    slug = blocks.unique("cls")
    expect_status(
        api.get(f"/block_types/slug/{slug}"),
        404,
        requirement="an unknown class's type must not be found (so the client creates it)",
    )
    type_body = {
        "name": f"{slug} Cls",
        "slug": slug,
        "logo_url": None,
        "documentation_url": None,
        "description": "A class",
        "code_example": None,
    }
    block_type = expect_json(api.post("/block_types/", type_body), 201, "block_type")
    fields = widget_fields(slug, f"{slug} Cls")
    lookup = api.get(
        f"/block_schemas/checksum/{schema_checksum(fields)}",
        params={"version": CLASS_VERSION},
    )
    expect_status(lookup, 404, requirement="the new class's schema must not be found yet")
    csrf_probe(api, run)
    schema_body = {
        "fields": fields,
        "block_type_id": block_type["id"],
        "capabilities": [],
        "version": CLASS_VERSION,
    }
    schema = expect_json(api.post("/block_schemas/", schema_body), 201, "block_schema")
    return block_type, schema


def save_document(api, block_type, schema, name, data):
    return api.post(
        "/block_documents/",
        {
            "name": name,
            "data": data,
            "block_schema_id": schema["id"],
            "block_type_id": block_type["id"],
            "is_anonymous": False,
        },
    )


def load(api, slug: str, name: str):
    return api.get(
        f"/block_types/slug/{slug}/block_documents/name/{name}", params={"include_secrets": "true"}
    )


@pytest.mark.clause("PF-SEQ-save-new-type")
def test_save_of_a_class_the_server_has_never_seen(run, api, blocks):
    block_type, schema = register_new_class(run, api, blocks)
    expect_equal(schema["block_type_id"], block_type["id"], "the schema's block_type_id", None)
    answer = save_document(
        api, block_type, schema, blocks.unique("doc"), {"host": "h", "password": "p"}
    )
    created = expect_json(answer, 201, "block_document")
    expect_equal(created["block_schema_id"], schema["id"], "the document's schema", answer)
    expect_equal(created["block_type_id"], block_type["id"], "the document's type", answer)


@pytest.mark.clause("PF-SEQ-save-known-type")
def test_save_of_a_registered_class(run, api, blocks):
    block_type, schema = register_new_class(run, api, blocks)
    found_type = expect_json(api.get(f"/block_types/slug/{block_type['slug']}"), 200, "block_type")
    expect_equal(found_type["id"], block_type["id"], "the registered type's id", None)
    lookup = api.get(
        f"/block_schemas/checksum/{schema['checksum']}", params={"version": CLASS_VERSION}
    )
    found_schema = expect_json(lookup, 200, "block_schema")
    expect_equal(found_schema["id"], schema["id"], "the registered schema's id", lookup)
    csrf_probe(api, run)
    answer = save_document(api, found_type, found_schema, blocks.unique("doc"), {"host": "h"})
    expect_json(answer, 201, "block_document")


@pytest.mark.clause("PF-SEQ-save-conflict")
def test_save_without_overwrite_on_a_used_name(run, api, blocks):
    block_type, schema = register_new_class(run, api, blocks)
    name = blocks.unique("doc")
    expect_json(
        save_document(api, block_type, schema, name, {"host": "first"}), 201, "block_document"
    )
    expect_json(api.get("/admin/version"), 200, "version_string")
    csrf_probe(api, run)
    answer = save_document(api, block_type, schema, name, {"host": "second"})
    expect_status(answer, 409, requirement="saving to a used name must get 409 (the client raises)")
    stored = expect_json(load(api, block_type["slug"], name), 200, "block_document")
    expect_equal(stored["data"], {"host": "first"}, "the stored data after the refused save", None)


@pytest.mark.clause("PF-SEQ-save-overwrite")
def test_save_with_overwrite(run, api, blocks):
    block_type, schema = register_new_class(run, api, blocks)
    name = blocks.unique("doc")
    expect_json(
        save_document(api, block_type, schema, name, {"host": "v1", "password": "old"}),
        201,
        "block_document",
    )
    new_data = {"host": "v2", "password": "new", "settings": {"k": "v"}}
    csrf_probe(api, run)
    expect_status(save_document(api, block_type, schema, name, new_data), 409)
    existing = expect_json(load(api, block_type["slug"], name), 200, "block_document")
    patch = api.patch(
        f"/block_documents/{existing['id']}", {"block_schema_id": schema["id"], "data": new_data}
    )
    expect_status(patch, 204, requirement="the overwrite PATCH must answer 204")
    final = api.get(f"/block_documents/{existing['id']}", params={"include_secrets": "true"})
    body = expect_json(final, 200, "block_document")
    expect_equal(body["data"], new_data, "the overwritten data, secrets in clear", final)


@pytest.mark.clause("PF-SEQ-load")
def test_load_returns_what_the_client_needs(run, api, blocks):
    block_type, schema = register_new_class(run, api, blocks)
    name = blocks.unique("doc")
    data = {"host": "h", "password": "s3cr3t", "settings": {"retries": 2}}
    created = expect_json(save_document(api, block_type, schema, name, data), 201, "block_document")
    answer = load(api, block_type["slug"], name)
    body = expect_json(answer, 200, "block_document")
    expect_equal(body["data"], data, "loaded data with include_secrets=true", answer)
    for key in ("id", "name", "block_schema_id", "block_type_id", "is_anonymous"):
        expect_equal(body[key], created[key], key, answer)
    # Block.load("slug/name") dispatches on block_schema.block_type.slug.
    expect_nested_type_and_schema(body, block_type, schema, answer)


@pytest.mark.clause("PF-SEQ-secret-save-load")
def test_secret_save_load_and_overwrite(run, api, blocks):
    secret_type, secret_schema = blocks.secret_type_and_schema()
    # The client sends its own version; a client of the server's release sends the one the
    # server registered its Secret schema with.
    lookup = api.get(
        f"/block_schemas/checksum/{secret_schema_checksum(run)}",
        params={"version": secret_schema["version"]},
    )
    expect_equal(
        expect_json(lookup, 200, "block_schema")["id"], secret_schema["id"], "schema", lookup
    )
    csrf_probe(api, run)
    name = blocks.unique("secret")
    expect_json(
        save_document(api, secret_type, secret_schema, name, {"value": "my-secret-value"}),
        201,
        "block_document",
    )
    loaded = expect_json(load(api, "secret", name), 200, "block_document")
    expect_equal(loaded["data"], {"value": "my-secret-value"}, "Secret.load(name).get()", None)
    csrf_probe(api, run)
    expect_status(save_document(api, secret_type, secret_schema, name, {"value": "v2"}), 409)
    patch = api.patch(
        f"/block_documents/{loaded['id']}",
        {"block_schema_id": secret_schema["id"], "data": {"value": "v2"}},
    )
    expect_status(patch, 204)
    again = expect_json(load(api, "secret", name), 200, "block_document")
    expect(
        again["data"] == {"value": "v2"},
        "the overwritten Secret must load as v2",
        f"loaded {again['data']}",
        None,
    )
