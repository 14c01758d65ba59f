"""PF-GEN-lax-inputs (SHOULD): the inputs the contract's ``x-blocks-lax`` annotations name,
which Prefect's published OpenAPI leaves out and the real server accepts by converting them
(pydantic's lax mode), get the answer their converted value gets: ``"2.0"`` for limit answers
as 2 does, ``"yes"`` for include_secrets as true does, a null filter body as no body.

A server may refuse them with 422 instead (a JSON Schema validator reading the published
OpenAPI does): no client sends them, so that is a SHOULD, and the generated clauses neither
send them as valid requests (PF-GEN-contract) nor as invalid ones (PF-GEN-invalid-rejected).
Each request is sent twice, with the lax input and with the value it stands for, on the run's
own objects; the two answers must be the same.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from ..checks import fail
from ..client import Exchange
from .contract import LAX_BOOLEANS, LAX_INTEGERS

CLAUSE = "PF-GEN-lax-inputs"
ABSENT = object()  # the value null stands for: the key left out
NULL = [(None, ABSENT)]
FILTERS = ["/block_types/filter", "/block_schemas/filter", "/block_documents/filter"]
# where the published OpenAPI has a bare integer and no client sends null for it
NULL_IS_LAX = {"/block_types/filter", "/block_schemas/filter"}


@dataclass
class Scene:
    """A type of the run with its schema, three named documents and an anonymous one."""

    block_type: dict
    schema: dict
    documents: list[dict]

    def scope(self, path: str) -> dict:
        """A filter body that finds the scene's objects only."""
        if path == "/block_schemas/filter":
            return {"block_schemas": {"block_type_id": {"any_": [self.block_type["id"]]}}}
        return {"block_types": {"slug": {"any_": [self.block_type["slug"]]}}}


@pytest.fixture
def scene(blocks) -> Scene:
    block_type, schema = blocks.type_and_schema("lax")
    documents = [blocks.document(block_type, schema, blocks.unique(f"d{i}")) for i in range(3)]
    blocks.document(block_type, schema, None, is_anonymous=True)
    return Scene(block_type, schema, documents)


def answer_of(exchange: Exchange) -> tuple[int, Any]:
    return exchange.status, exchange.json if exchange.text else None


def expect_read_alike(
    what: str,
    lax: Any,
    converted: Any,
    pair: tuple[Exchange, Exchange],
    compared: Callable[[Exchange], Any] = answer_of,
    outcomes: tuple[Any, Any] | None = None,
) -> None:
    """The answer to the lax input is the answer to the value it stands for: their
    ``outcomes``, by default what ``compared`` sees of each (its status and body)."""
    __tracebackhide__ = True
    with_lax, with_converted = pair
    left, right = outcomes or (compared(with_lax), compared(with_converted))
    if left == right:
        return
    stands_for = "leaving it out" if converted is ABSENT else json.dumps(converted)
    fail(
        f"{what} {json.dumps(lax)} should get the answer {stands_for} gets: the real server "
        f"reads it as {stands_for} (pydantic's lax mode)",
        f"answered {with_lax.status}, where {stands_for} got {with_converted.status}"
        + ("" if with_lax.status != with_converted.status else " with another body"),
        with_lax,
    )


def with_value(body: dict, key: str, value: Any) -> dict:
    return {k: v for k, v in body.items() if k != key} | ({} if value is ABSENT else {key: value})


@pytest.mark.clause(CLAUSE)
@pytest.mark.parametrize("key", ["limit", "offset"])
@pytest.mark.parametrize("path", FILTERS)
def test_lax_limit_and_offset_read_as_their_integers(api, scene, path, key):
    samples = LAX_INTEGERS + (NULL if path in NULL_IS_LAX else [])
    scope = scene.scope(path)
    for lax, converted in samples:
        pair = (
            api.post(path, with_value(scope, key, lax)),
            api.post(path, with_value(scope, key, converted)),
        )
        expect_read_alike(f"{key} on POST {path}:", lax, converted, pair)


@pytest.mark.clause(CLAUSE)
def test_lax_include_secrets_in_the_filter_body_reads_as_its_boolean(api, scene):
    path = "/block_documents/filter"
    scope = scene.scope(path)
    for lax, converted in LAX_BOOLEANS + NULL:
        pair = (
            api.post(path, with_value(scope, "include_secrets", lax)),
            api.post(path, with_value(scope, "include_secrets", converted)),
        )
        expect_read_alike(f"include_secrets on POST {path}:", lax, converted, pair)


@pytest.mark.clause(CLAUSE)
def test_lax_is_anonymous_filter_reads_as_its_boolean(api, scene):
    path = "/block_documents/filter"
    scope = scene.scope(path)
    for lax, converted in LAX_BOOLEANS:
        pair = tuple(
            api.post(path, {**scope, "block_documents": {"is_anonymous": {"eq_": value}}})
            for value in (lax, converted)
        )
        expect_read_alike(f"block_documents.is_anonymous.eq_ on POST {path}:", lax, converted, pair)


def document_paths(scene: Scene) -> list[str]:
    document = scene.documents[0]
    by_name = f"/block_types/slug/{scene.block_type['slug']}/block_documents"
    return [f"/block_documents/{document['id']}", by_name, f"{by_name}/name/{document['name']}"]


@pytest.mark.clause(CLAUSE)
def test_lax_include_secrets_query_reads_as_its_boolean(api, scene):
    for path in document_paths(scene):
        for lax, converted in LAX_BOOLEANS:
            text = "true" if converted else "false"
            pair = tuple(api.get(path, params={"include_secrets": v}) for v in (lax, text))
            expect_read_alike(f"include_secrets on GET {path}:", lax, text, pair)


def patched(api, document: dict, merge: Any) -> tuple[Exchange, Any]:
    """A PATCH of one key of the document's data with ``merge_existing_data`` ``merge``, from
    the same data each time: its answer, and its status with the data it leaves."""
    path = f"/block_documents/{document['id']}"
    api.patch(path, {"data": document["data"], "merge_existing_data": False})
    answer = api.patch(path, {"data": {"host": "lax.example"}, "merge_existing_data": merge})
    after = api.get(path, params={"include_secrets": "true"}).json
    return answer, (answer.status, after.get("data") if isinstance(after, dict) else after)


@pytest.mark.clause(CLAUSE)
def test_lax_merge_existing_data_reads_as_its_boolean(api, scene):
    document = scene.documents[1]
    for lax, converted in LAX_BOOLEANS:
        (with_lax, left), (with_converted, kept) = (
            patched(api, document, value) for value in (lax, converted)
        )
        what = "merge_existing_data on PATCH /block_documents/{id}:"
        pair = (with_lax, with_converted)
        expect_read_alike(what, lax, converted, pair, outcomes=(left, kept))


def created(api, blocks, scene: Scene, anonymous: Any, reads_as: bool) -> Exchange:
    """A document created with ``is_anonymous`` ``anonymous`` (without a name when it reads as
    true), deleted at once."""
    name = None if reads_as else blocks.unique("n")
    body = blocks.document_body(scene.block_type, scene.schema, name, is_anonymous=anonymous)
    answer = api.post("/block_documents/", body)
    found = answer.json if answer.status == 201 else None
    if isinstance(found, dict) and "id" in found:
        api.delete(f"/block_documents/{found['id']}")
        api.forget("block_document", found["id"])
    return answer


def anonymity(exchange: Exchange) -> tuple[int, Any]:
    """A create's status and whether the new document is anonymous (the rest differs between
    two creates: ids, names, timestamps)."""
    body = exchange.json
    return exchange.status, body.get("is_anonymous") if isinstance(body, dict) else None


@pytest.mark.clause(CLAUSE)
def test_lax_is_anonymous_on_create_reads_as_its_boolean(api, blocks, scene):
    for lax, converted in LAX_BOOLEANS:
        pair = tuple(created(api, blocks, scene, v, converted) for v in (lax, converted))
        expect_read_alike(
            "is_anonymous on POST /block_documents/:", lax, converted, pair, anonymity
        )


def kind_of_answer(exchange: Exchange) -> tuple[int, str]:
    """An unscoped listing's status and the JSON type of its body (what it lists may change
    between two requests on a server others use)."""
    return exchange.status, type(exchange.json).__name__


@pytest.mark.clause(CLAUSE)
@pytest.mark.parametrize("path", [*FILTERS, "/block_documents/count"])
def test_a_null_filter_body_reads_as_no_body(api, scene, path):
    pair = (api.post(path, None), api.post(path))
    expect_read_alike(f"a body of POST {path}:", None, ABSENT, pair, kind_of_answer)
