"""Level 4: nested blocks. Schemas that reference schemas (block_schema_references and
definitions) and documents that reference documents ($ref, block_document_references)."""

import uuid
from dataclasses import dataclass

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status
from .checks import expect_detail
from .helpers import MASK, UNKNOWN_ID, Blocks, expect_same_object, nested_fields


@dataclass
class Tree:
    types: dict[str, dict]
    schemas: dict[str, dict]
    fields: dict[str, dict]


def ref(document: dict) -> dict:
    return {"$ref": {"block_document_id": document["id"]}}


LEVELS = ("leaf", "middle", "top")


@pytest.fixture
def tree(blocks: Blocks) -> Tree:
    """Types leaf, middle and top and their schemas, registered as the client registers a nested
    class: the referenced schemas first."""
    types = {level: blocks.block_type(level) for level in LEVELS}
    fields = nested_fields({level: block_type["slug"] for level, block_type in types.items()})
    schemas = {level: blocks.block_schema(types[level], fields[level]) for level in LEVELS}
    return Tree(types, schemas, fields)


@pytest.fixture
def top_only(blocks: Blocks) -> Tree:
    """Types leaf, middle and top; only the top schema is posted, so the server must create the
    middle and leaf schemas from its definitions (PF-NEST-schema-create-children)."""
    types = {level: blocks.block_type(level) for level in LEVELS}
    fields = nested_fields({level: block_type["slug"] for level, block_type in types.items()})
    top = blocks.block_schema(types["top"], fields["top"])
    return Tree(types, {"top": top}, fields)


def read_schema_by_checksum(api, fields: dict):
    from .checksum import schema_checksum

    return api.get(f"/block_schemas/checksum/{schema_checksum(fields)}")


@pytest.fixture
def documents(api, blocks, tree):
    """leaf <- middle <- top, each saved as the client saves a nested block it saved before."""
    leaf = blocks.document(
        tree.types["leaf"], tree.schemas["leaf"], data={"token": "leaf-secret", "n": 5}
    )
    middle = blocks.document(
        tree.types["middle"], tree.schemas["middle"], data={"leaf": ref(leaf), "label": "mid"}
    )
    top = blocks.document(
        tree.types["top"], tree.schemas["top"], data={"middle": ref(middle), "note": "top"}
    )
    return {"leaf": leaf, "middle": middle, "top": top}


CLEAR = {"note": "top", "middle": {"label": "mid", "leaf": {"token": "leaf-secret", "n": 5}}}
MASKED = {"note": "top", "middle": {"label": "mid", "leaf": {"token": MASK, "n": 5}}}


def read(api, document: dict, include_secrets: bool = False):
    params = {"include_secrets": "true"} if include_secrets else None
    answer = api.get(f"/block_documents/{document['id']}", params=params)
    return expect_json(answer, 200, "block_document"), answer


def read_every_way(api, tree: Tree, top: dict, include_secrets: bool = False) -> dict:
    """The top document as each read path returns it: {where: (document or {}, exchange)}."""
    slug = tree.types["top"]["slug"]
    params = {"include_secrets": "true"} if include_secrets else None
    listing = {"block_documents": {"id": {"any_": [top["id"]]}}, "include_secrets": include_secrets}
    answers = {
        "by id": api.get(f"/block_documents/{top['id']}", params=params),
        "by slug and name": api.get(
            f"/block_types/slug/{slug}/block_documents/name/{top['name']}", params=params
        ),
        "through filter": api.post("/block_documents/filter", listing),
        "in the type's list": api.get(f"/block_types/slug/{slug}/block_documents", params=params),
    }
    found = {}
    for where, answer in answers.items():
        one = where.startswith("by")
        body = expect_json(answer, 200, "block_document" if one else "block_document_list")
        document = body if one else next((d for d in body if d["id"] == top["id"]), {})
        found[where] = (document, answer)
    return found


# ---- schemas --------------------------------------------------------------------------------


@pytest.mark.clause("PF-NEST-schema-create")
def test_parent_schema_echoes_references_and_definitions(tree):
    created = tree.schemas["top"]
    expect_equal(created["fields"], tree.fields["top"], "the created schema's fields", None)


@pytest.mark.clause("PF-NEST-schema-create-children")
@pytest.mark.parametrize("level", ["middle", "leaf"])
def test_referenced_schemas_are_created_from_definitions(api, top_only, level):
    answer = read_schema_by_checksum(api, top_only.fields[level])
    child = expect_json(answer, 200, "block_schema", f"the {level} schema must have been created")
    expect_equal(
        child["block_type_id"], top_only.types[level]["id"], f"the {level} schema's type", answer
    )
    expect_equal(child["version"], "non-versioned", f"the {level} schema's version", answer)


@pytest.mark.clause("PF-NEST-schema-create-children")
def test_children_are_non_versioned_whatever_the_parent_version(api, blocks):
    types = {level: blocks.block_type(level) for level in ("leaf", "middle", "top")}
    fields = nested_fields({level: block_type["slug"] for level, block_type in types.items()})
    blocks.block_schema(types["top"], fields["top"], version=blocks.unique("v"))
    for level in ("middle", "leaf"):
        answer = read_schema_by_checksum(api, fields[level])
        child = expect_json(answer, 200, "block_schema", f"the {level} schema must be created")
        expect_equal(child["version"], "non-versioned", f"the {level} schema's version", answer)


@pytest.mark.clause("PF-NEST-schema-read")
def test_schema_reads_rebuild_references_and_definitions(api, tree):
    top = tree.schemas["top"]
    answers = {
        "by id": api.get(f"/block_schemas/{top['id']}"),
        "by checksum": api.get(f"/block_schemas/checksum/{top['checksum']}"),
    }
    listed = api.post("/block_schemas/filter", {"block_schemas": {"id": {"any_": [top["id"]]}}})
    for where, answer in answers.items():
        fields = expect_json(answer, 200, "block_schema")["fields"]
        expect_equal(fields, tree.fields["top"], f"fields read {where}", answer)
    found = expect_json(listed, 200, "block_schema_list")
    expect_equal(
        [s["fields"] for s in found], [tree.fields["top"]], "fields through filter", listed
    )


@pytest.mark.clause("PF-NEST-schema-read")
def test_middle_schema_read_carries_its_own_child(api, tree):
    answer = read_schema_by_checksum(api, tree.fields["middle"])
    fields = expect_json(answer, 200, "block_schema")["fields"]
    expect_equal(fields, tree.fields["middle"], "the middle schema's fields", answer)


def post_with_unknown_referenced_type(api, blocks):
    """A top schema whose middle reference names a block type slug no type has: the answer and
    the fields posted."""
    top = blocks.block_type("orphan-top")
    missing = blocks.unique("never-registered")
    fields = nested_fields({"top": top["slug"], "middle": missing, "leaf": blocks.unique("leaf")})
    answer = api.post("/block_schemas/", {"block_type_id": top["id"], "fields": fields["top"]})
    return answer, fields


@pytest.mark.clause("PF-NEST-schema-missing-type")
def test_reference_to_an_unknown_type_is_refused(api, blocks):
    answer, fields = post_with_unknown_referenced_type(api, blocks)
    expect_status(
        answer,
        *range(400, 500),
        requirement="a schema referencing an unknown block type slug must get a 4xx",
    )
    expect_status(read_schema_by_checksum(api, fields["top"]), 404, requirement="nothing created")


@pytest.mark.clause("PF-NEST-schema-missing-type-status")
def test_reference_to_an_unknown_type_conflicts(api, blocks):
    answer, _ = post_with_unknown_referenced_type(api, blocks)
    expect_detail(answer, 409)


MALFORMED_REFERENCES = {
    "number": lambda slug: 5,
    "null": lambda slug: None,
    "list": lambda slug: [],
    "number-reference": lambda slug: {"leaf": 5},
    "empty-reference": lambda slug: {"leaf": {}},
    "number-checksum": lambda slug: {"leaf": {"block_schema_checksum": 5, "block_type_slug": slug}},
}


@pytest.mark.clause("PF-NEST-schema-bad-references")
@pytest.mark.parametrize("case", MALFORMED_REFERENCES)
def test_malformed_schema_references_are_refused(api, blocks, case):
    top, leaf = blocks.block_type("badrefs-top"), blocks.block_type("badrefs-leaf")
    fields = {
        "title": "Top",
        "type": "object",
        "block_type_slug": top["slug"],
        "properties": {"leaf": {"$ref": "#/definitions/Leaf"}},
        "block_schema_references": MALFORMED_REFERENCES[case](leaf["slug"]),
    }
    answer = api.post("/block_schemas/", {"block_type_id": top["id"], "fields": fields})
    expect_status(
        answer,
        *range(400, 500),
        requirement=f"malformed block_schema_references ({case}) must get a 4xx",
    )
    type_ids = [top["id"], leaf["id"]]
    listed = api.post(
        "/block_schemas/filter", {"block_schemas": {"block_type_id": {"any_": type_ids}}}
    )
    expect_equal(expect_json(listed, 200, "block_schema_list"), [], "schemas created", listed)


@pytest.mark.clause("PF-NEST-schema-missing-definition")
@pytest.mark.parametrize("definitions", [None, {"Other": {"title": "Other", "type": "object"}}])
def test_reference_to_an_unknown_schema_without_its_definition_is_refused(api, blocks, definitions):
    top, leaf = blocks.block_type("undefined-top"), blocks.block_type("undefined-leaf")
    fields = {
        "title": "Top",
        "type": "object",
        "block_type_slug": top["slug"],
        "properties": {"leaf": {"$ref": "#/definitions/Leaf"}},
        "block_schema_references": {
            "leaf": {
                "block_schema_checksum": "sha256:" + "ab" * 32,
                "block_type_slug": leaf["slug"],
            }
        },
    }
    if definitions is not None:
        fields["definitions"] = definitions
    answer = api.post("/block_schemas/", {"block_type_id": top["id"], "fields": fields})
    expect_status(
        answer,
        *range(400, 500),
        requirement="a reference to a schema that is neither registered nor defined must get a 4xx",
    )
    type_ids = [top["id"], leaf["id"]]
    listed = api.post(
        "/block_schemas/filter", {"block_schemas": {"block_type_id": {"any_": type_ids}}}
    )
    expect_equal(expect_json(listed, 200, "block_schema_list"), [], "schemas created", listed)


# ---- documents ------------------------------------------------------------------------------


def expect_middle_referencing_the_leaf(middle: dict, leaf: dict, tree: Tree, exchange) -> None:
    """The middle document with its leaf hydrated in its data (masked) and referenced in its
    block_document_references."""
    __tracebackhide__ = True
    masked = {"label": "mid", "leaf": {"token": MASK, "n": 5}}
    expect_equal(middle["data"], masked, "data", exchange)
    reference = middle["block_document_references"].get("leaf", {}).get("block_document")
    what = "block_document_references.leaf.block_document"
    shown = f"gave {reference!r}"
    expect(isinstance(reference, dict), f"{what} must be an object", shown, exchange)
    expected = {
        "id": leaf["id"],
        "name": leaf["name"],
        "is_anonymous": False,
        "block_document_references": {},
    }
    for key, value in expected.items():
        expect_equal(reference.get(key), value, f"{what}.{key}", exchange)
    expect_same_object(
        reference.get("block_type"),
        tree.types["leaf"],
        "block_type",
        f"{what}.block_type",
        exchange,
    )


@pytest.mark.clause("PF-NEST-doc-create")
def test_a_read_shows_hydrated_data_and_references(api, tree, documents):
    middle, answer = read(api, documents["middle"])
    expect_middle_referencing_the_leaf(middle, documents["leaf"], tree, answer)


@pytest.mark.clause("PF-NEST-doc-create-answer")
def test_create_answers_hydrated_data_and_references(tree, documents):
    expect_middle_referencing_the_leaf(documents["middle"], documents["leaf"], tree, None)


@pytest.mark.clause("PF-NEST-hydrate")
def test_every_read_hydrates_two_levels(api, tree, documents):
    for where, (found, answer) in read_every_way(api, tree, documents["top"]).items():
        expect_equal(found.get("data"), MASKED, f"data read {where}", answer)
        inner = found["block_document_references"]["middle"]["block_document"]
        expect_equal(
            inner["id"], documents["middle"]["id"], f"the middle reference {where}", answer
        )
        leaf = inner["block_document_references"]["leaf"]["block_document"]
        expect_equal(
            leaf["id"], documents["leaf"]["id"], f"the nested leaf reference {where}", answer
        )


@pytest.mark.clause("PF-NEST-secrets")
@pytest.mark.parametrize("include", [False, True], ids=["default", "include-secrets"])
def test_nested_secrets_masked_unless_included_on_every_read(api, tree, documents, include):
    expected = CLEAR if include else MASKED
    for where, (found, answer) in read_every_way(api, tree, documents["top"], include).items():
        expect_equal(found.get("data"), expected, f"the top document's data read {where}", answer)


@pytest.mark.clause("PF-NEST-child-update")
def test_update_of_the_leaf_shows_through_both_parents(api, documents):
    change = {"data": {"token": "rotated", "n": 6}}
    expect_status(api.patch(f"/block_documents/{documents['leaf']['id']}", change), 204)
    body, answer = read(api, documents["top"], include_secrets=True)
    expect_equal(
        body["data"]["middle"]["leaf"], change["data"], "the leaf seen from the top", answer
    )
    body, answer = read(api, documents["middle"], include_secrets=True)
    expect_equal(body["data"]["leaf"], change["data"], "the leaf seen from the middle", answer)


@pytest.mark.clause("PF-NEST-patch-references")
def test_resending_the_reference_keeps_it(api, documents):
    top = documents["top"]
    change = {"data": {"middle": ref(documents["middle"]), "note": "changed"}}
    expect_status(api.patch(f"/block_documents/{top['id']}", change), 204)
    body, answer = read(api, top, include_secrets=True)
    expect_equal(
        body["data"], {**CLEAR, "note": "changed"}, "data after re-sending the $ref", answer
    )


@pytest.mark.clause("PF-NEST-patch-references")
def test_a_new_reference_replaces_the_old(api, blocks, tree, documents):
    other_leaf = blocks.document(
        tree.types["leaf"], tree.schemas["leaf"], data={"token": "t2", "n": 9}
    )
    middle = documents["middle"]
    expect_status(
        api.patch(f"/block_documents/{middle['id']}", {"data": {"leaf": ref(other_leaf)}}), 204
    )
    body, answer = read(api, middle, include_secrets=True)
    expect_equal(body["data"]["leaf"], {"token": "t2", "n": 9}, "the new leaf's data", answer)
    target = body["block_document_references"]["leaf"]["block_document"]["id"]
    expect_equal(target, other_leaf["id"], "the reference after the switch", answer)


@pytest.mark.clause("PF-NEST-patch-drops")
def test_patch_without_the_reference_drops_it(api, documents):
    top = documents["top"]
    expect_status(api.patch(f"/block_documents/{top['id']}", {"data": {"note": "only"}}), 204)
    body, answer = read(api, top, include_secrets=True)
    expect_equal(body["data"], {"note": "only"}, "data after a PATCH without the $ref", answer)
    expect_equal(body["block_document_references"], {}, "references after that PATCH", answer)


@pytest.mark.clause("PF-NEST-child-delete")
def test_deleting_a_referenced_document_leaves_the_parent_without_it(api, documents):
    expect_status(api.delete(f"/block_documents/{documents['middle']['id']}"), 204)
    body, answer = read(api, documents["top"], include_secrets=True)
    expect_equal(body["data"], {"note": "top"}, "the top document's data", answer)
    expect_equal(body["block_document_references"], {}, "its references", answer)
    expect_json(api.get(f"/block_documents/{documents['leaf']['id']}"), 200, "block_document")


@pytest.mark.clause("PF-NEST-ref-errors")
@pytest.mark.parametrize(
    "reference, status",
    [
        ({}, 400),
        ({"block_document_id": "not-a-uuid"}, 400),
        ({"block_document_id": UNKNOWN_ID}, 409),
    ],
    ids=["no-id", "malformed-id", "unknown-id"],
)
def test_bad_references_are_refused(api, blocks, tree, reference, status):
    name = blocks.unique("badref")
    body = blocks.document_body(
        tree.types["middle"],
        tree.schemas["middle"],
        name,
        data={"leaf": {"$ref": reference}, "label": "x"},
    )
    answer = api.post("/block_documents/", body)
    expect_status(answer, status, requirement=f"a $ref {reference} must get {status}")
    expect_json(answer, status, "detail_error")
    lookup = api.get(
        f"/block_types/slug/{tree.types['middle']['slug']}/block_documents/name/{name}"
    )
    expect_status(lookup, 404, requirement="nothing may be created")


@pytest.mark.clause("PF-NEST-ref-not-object")
@pytest.mark.parametrize("reference", ["x", 5, None], ids=["string", "number", "null"])
def test_a_reference_that_is_not_an_object_is_refused(api, blocks, tree, reference):
    name = blocks.unique("badref")
    body = blocks.document_body(
        tree.types["middle"],
        tree.schemas["middle"],
        name,
        data={"leaf": {"$ref": reference}, "label": "x"},
    )
    answer = api.post("/block_documents/", body)
    expect_status(answer, 400, requirement=f"a $ref {reference!r} must get 400")
    expect_json(answer, 400, "detail_error")
    lookup = api.get(
        f"/block_types/slug/{tree.types['middle']['slug']}/block_documents/name/{name}"
    )
    expect_status(lookup, 404, requirement="nothing may be created")


@pytest.mark.clause("PF-NEST-cycle")
def test_reference_cycles_are_refused(api, documents):
    leaf = documents["leaf"]
    for target in ("top", "leaf"):
        change = {"data": {"token": "x", "back": ref(documents[target])}}
        answer = api.patch(f"/block_documents/{leaf['id']}", change)
        expect_status(
            answer, 400, requirement=f"a reference from the leaf to the {target} must get 400"
        )
        expect_json(answer, 400, "detail_error")
    body, answer = read(api, leaf, include_secrets=True)
    expect_equal(
        body["data"], {"token": "leaf-secret", "n": 5}, "the leaf after refused PATCHes", answer
    )


# ---- the client's sequence ------------------------------------------------------------------


def register(api, block_type_body: dict, fields: dict) -> tuple[dict, dict]:
    """Steps 1-2 of save() for one class: its type and schema, created when missing."""
    from .checksum import schema_checksum

    slug = block_type_body["slug"]
    expect_status(api.get(f"/block_types/slug/{slug}"), 404)
    block_type = expect_json(api.post("/block_types/", block_type_body), 201, "block_type")
    lookup = api.get(
        f"/block_schemas/checksum/{schema_checksum(fields)}", params={"version": "non-versioned"}
    )
    if lookup.status == 200:  # created as a child of a class registered before
        return block_type, expect_json(lookup, 200, "block_schema")
    expect_status(lookup, 404)
    body = {
        "fields": fields,
        "block_type_id": block_type["id"],
        "capabilities": [],
        "version": "non-versioned",
    }
    return block_type, expect_json(api.post("/block_schemas/", body), 201, "block_schema")


@pytest.mark.clause("PF-SEQ-nested-save-load")
def test_nested_save_and_load(api, blocks):
    slugs = {level: blocks.unique(level) for level in ("leaf", "middle", "top")}
    fields = nested_fields(slugs)
    registered = {}
    for level in ("leaf", "middle", "top"):  # nested classes are registered depth-first
        type_body = {
            "name": f"{slugs[level]} {level}",
            "slug": slugs[level],
            "logo_url": None,
            "documentation_url": None,
            "description": None,
            "code_example": None,
        }
        registered[level] = register(api, type_body, fields[level])
    saved = {}
    data = {
        "leaf": {"token": "deep-secret", "n": 3},
        "middle": {"label": "m2"},
        "top": {"note": "t2"},
    }
    child = {"middle": "leaf", "top": "middle"}
    for level in ("leaf", "middle", "top"):
        block_type, schema = registered[level]
        payload = dict(data[level])
        if level in child:
            payload[child[level]] = ref(saved[child[level]])
        body = {
            "name": blocks.unique(level),
            "data": payload,
            "block_schema_id": schema["id"],
            "block_type_id": block_type["id"],
            "is_anonymous": False,
        }
        saved[level] = expect_json(api.post("/block_documents/", body), 201, "block_document")
    top_type = registered["top"][0]
    answer = api.get(
        f"/block_types/slug/{top_type['slug']}/block_documents/name/{saved['top']['name']}",
        params={"include_secrets": "true"},
    )
    loaded = expect_json(answer, 200, "block_document")
    expected = {"note": "t2", "middle": {"label": "m2", "leaf": {"token": "deep-secret", "n": 3}}}
    expect_equal(loaded["data"], expected, "Top.load(name) data", answer)
    expect(
        uuid.UUID(loaded["id"]) == uuid.UUID(saved["top"]["id"]),
        "load must find the saved top",
        f"found {loaded['id']}",
        answer,
    )
