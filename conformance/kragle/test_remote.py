"""Remote definitions: a URL the target fetches, served by the suite's own small HTTP server
(the target must be able to reach it: ``--blocks-kragle-serve-host``)."""

import pytest

from ..checks import expect_json
from .helpers import expect_error, expect_same_definition, minimal_definition


@pytest.mark.clause("KR-REM-fetch")
def test_a_remote_definition_is_fetched_and_shown_as_resolved(blocks, definition_server):
    served = minimal_definition("remote")
    url = blocks.serve(definition_server, "remote", served)
    created = blocks.create("remote", url, is_remote=True)
    answer = blocks.by_id(created["id"], blocks.first)
    block = expect_json(answer, 200, "block")
    expected = {"definition": url, "is_remote": True, "resolved": served}
    for key, value in expected.items():
        expect_same_definition(block[key], value, f"{key} of a remote block", answer)
    walk = blocks.walk(blocks.first, show_resolved="1")
    item, page = walk.find(created["id"])
    resolved = item and item.get("resolved")
    expect_same_definition(resolved, served, "listed resolved of a remote block", page)


@pytest.mark.clause("KR-REM-uri-needs-is-remote")
@pytest.mark.parametrize("flag", [{"is_remote": False}, {}], ids=["false", "left out"])
def test_a_url_definition_needs_is_remote(blocks, definition_server, flag):
    """Code 4 (is_remote "Required if passing a uri") or 9 (the string taken as a definition
    given directly, which is invalid)."""
    url = blocks.serve(definition_server, "not-remote", minimal_definition())
    payload = blocks.payload("not-remote", url, **flag)
    expect_error(blocks.post(payload, blocks.first), 4, 9)


@pytest.mark.clause("KR-REM-object-not-remote")
def test_is_remote_with_an_object_definition_gets_code_4(blocks):
    payload = blocks.payload("object-remote", minimal_definition(), is_remote=True)
    expect_error(blocks.post(payload, blocks.first), 4)


@pytest.mark.clause("KR-REM-bad-url")
@pytest.mark.parametrize("served", ["missing", "not json"])
def test_a_url_without_json_gets_code_7(blocks, definition_server, served):
    path = f"/{blocks.name('bad-url')}.json"
    if served == "not json":
        definition_server.serve(path, b"<html>no</html>", "text/html")
    payload = blocks.payload("bad-url", definition_server.url(path), is_remote=True)
    expect_error(blocks.post(payload, blocks.first), 7)


@pytest.mark.clause("KR-REM-invalid-definition")
def test_a_url_serving_an_invalid_definition_gets_code_9(blocks, definition_server):
    broken = minimal_definition()
    del broken["actions"]
    url = blocks.serve(definition_server, "invalid-remote", broken)
    payload = blocks.payload("invalid-remote", url, is_remote=True)
    expect_error(blocks.post(payload, blocks.first), 9)
    expect_error(blocks.by_name(payload["name"], blocks.first), 6)
