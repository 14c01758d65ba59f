"""The toy profile's two clauses."""

import pytest

from conformance.checks import expect_equal, expect_json, expect_status


@pytest.mark.clause("TOY-NOTE-create")
def test_create_answers_the_note(conformance_api, conformance_namespace):
    text = f"{conformance_namespace}hello"
    note = expect_json(conformance_api.post("/notes", {"text": text}), 201, "note")
    expect_equal(note["text"], text, "the created note's text", None)


@pytest.mark.clause("TOY-NOTE-read-delete")
def test_note_is_readable_until_deleted(conformance_api, conformance_namespace):
    note = conformance_api.post("/notes", {"text": f"{conformance_namespace}bye"}).json
    expect_json(conformance_api.get(f"/notes/{note['id']}"), 200, "note")
    expect_status(conformance_api.delete(f"/notes/{note['id']}"), 204)
    expect_status(conformance_api.get(f"/notes/{note['id']}"), 404)
