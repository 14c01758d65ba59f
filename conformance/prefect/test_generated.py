"""Generated cases: random document sets and random filters against the model of the filter
semantics (``model.py``). Budget with --blocks-examples, reproduce with --blocks-seed."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ..checks import ConformanceFailure, expect_equal, expect_json, expect_status
from ..generation import generated_settings, run_seeded
from .model import Doc, expected_names
from .strategies import document_filters, document_specs

FILTERS_PER_DATA_SET = 5


@pytest.fixture
def two_types(blocks):
    """Type 'B' with the lower slug and type 'A' with the higher one, each with a schema."""
    first = blocks.block_type("gen-a", name=f"{blocks.ns}B")
    second = blocks.block_type("gen-b", name=f"{blocks.ns}A")
    return [(first, blocks.block_schema(first)), (second, blocks.block_schema(second))]


def create_documents(blocks, two_types, specs) -> list[Doc]:
    # Names repeat between cases (each case deletes its documents), so a replayed case sees
    # the same names.
    docs = []
    for suffix, type_index, anonymous, server_named in specs:
        block_type, schema = two_types[type_index]
        name = None if anonymous and server_named else f"{blocks.ns}{suffix}"
        created = blocks.document(block_type, schema, name, is_anonymous=anonymous)
        docs.append(
            Doc(created["id"], created["name"], block_type["id"], block_type["name"], anonymous)
        )
    return docs


def describe_case(docs: list[Doc], two_types) -> str:
    """The documents of the failing case, as the POSTs that created them."""
    slugs = {block_type["id"]: block_type["slug"] for block_type, _ in two_types}
    lines = [
        f"    POST /block_documents/ name={doc.name!r} type={slugs[doc.type_id]!r} "
        f"is_anonymous={doc.is_anonymous}"
        for doc in docs
    ]
    return "  documents of this case:\n" + "\n".join(lines)


def delete_documents(api, docs: list[Doc]) -> None:
    for doc in docs:
        expect_status(api.delete(f"/block_documents/{doc.id}"), 204)
        api.forget("block_document", doc.id)


@pytest.mark.generated
@pytest.mark.clause("PF-FLT-model")
def test_filters_agree_with_the_model(run, test_key, api, blocks, two_types):
    scope = {"slug": {"any_": [block_type["slug"] for block_type, _ in two_types]}}

    @generated_settings(run, test_key)
    @given(specs=document_specs, data=st.data())
    def check(specs, data):
        docs = create_documents(blocks, two_types, specs)
        try:
            ids = [doc.id for doc in docs]
            names = [doc.name for doc in docs]
            type_ids = [block_type["id"] for block_type, _ in two_types]
            for _ in range(FILTERS_PER_DATA_SET):
                body = data.draw(document_filters(ids, names, type_ids), label="filter")
                answer = api.post("/block_documents/filter", {**body, "block_types": scope})
                run.counters.generated_case("model-checked filters")
                try:
                    found = [d["name"] for d in expect_json(answer, 200, "block_document_list")]
                    expect_equal(found, expected_names(docs, body), "the filtered names", answer)
                except ConformanceFailure as failure:
                    case = describe_case(docs, two_types)
                    raise failure.adding(case) from None
        finally:
            delete_documents(api, docs)

    run_seeded(check, run)
