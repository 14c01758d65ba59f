"""PUT /blocktypes/<id>: partial updates, the full object back, validation, and approved
blocks read-only."""

import pytest

from ..checks import expect_equal, expect_json
from .cases import BROKEN
from .helpers import BLOCK_KEYS, expect_error, expect_same_definition, minimal_definition
from .test_create_read import NO_SUCH_ID

HOOK = ("blocks_kragle_hook_url", "an approval hook (--blocks-kragle-hook-url)")


def unchanged_except(before: dict, after: dict, changed: set[str], exchange) -> None:
    for key in sorted(BLOCK_KEYS - changed):
        expect_equal(after[key], before[key], f"{key}, which the PUT did not name", exchange)


@pytest.mark.clause("KR-UPD-partial")
@pytest.mark.parametrize("key", ["name", "needs_approval", "definition"])
def test_put_changes_only_the_keys_it_is_given(blocks, key):
    # not flagged for approval where the definition changes: a server may keep a flagged
    # ("made public") block's definition read-only; flagged otherwise, so that a PUT resetting
    # what it was not given shows
    created = blocks.create("partial", needs_approval=key != "definition")
    before = blocks.read(created["id"])
    new = {
        "name": blocks.name("renamed"),
        "needs_approval": not before["needs_approval"],
        "definition": minimal_definition("changed"),
    }[key]
    answer = blocks.put(created["id"], {key: new}, blocks.first)
    expect_json(answer, 200, "block")
    after = blocks.read(created["id"])
    expect_same_definition(after[key], new, f"{key} after the PUT", answer)
    changed = {key, "resolved"} if key == "definition" else {key}
    unchanged_except(before, after, changed, answer)
    if key == "definition":
        expect_same_definition(after["resolved"], new, "resolved after a new definition", answer)


@pytest.mark.clause("KR-UPD-answer")
def test_put_answers_the_full_block(blocks):
    created = blocks.create("answer")
    answer = blocks.put(created["id"], {"needs_approval": True}, blocks.first)
    body = expect_json(answer, 200, "block")
    expect_equal(
        body, blocks.read(created["id"]), "the PUT's answer (as GET by id after it)", answer
    )


@pytest.mark.clause("KR-UPD-invalid")
@pytest.mark.parametrize("change", ["invalid definition", "unknown key"])
def test_an_invalid_put_changes_nothing(blocks, change):
    created = blocks.create("invalid-put")
    before = blocks.read(created["id"])
    if change == "invalid definition":
        body, code = {"definition": BROKEN["KR-DEF-io"]["no input"]}, 9
    else:
        body, code = {"needs_approval": True, "colour": "red"}, 4
    answer = blocks.put(created["id"], body, blocks.first)
    expect_error(answer, code)
    unchanged_except(before, blocks.read(created["id"]), set(), answer)


@pytest.mark.clause("KR-UPD-duplicate-name")
def test_renaming_to_a_taken_name_gets_code_5(blocks):
    taken = blocks.create("taken-by-other", as_user=blocks.second)
    created = blocks.create("renamer")
    before = blocks.read(created["id"])
    answer = blocks.put(created["id"], {"name": taken["name"]}, blocks.first)
    expect_error(answer, 5)
    unchanged_except(before, blocks.read(created["id"]), set(), answer)


@pytest.mark.clause("KR-UPD-not-found")
def test_put_to_a_missing_block_gets_code_6(blocks):
    expect_error(blocks.put(NO_SUCH_ID, {"needs_approval": True}, blocks.first), 6)


@pytest.mark.clause("KR-UPD-approved-read-only")
@pytest.mark.needs(*HOOK)
@pytest.mark.parametrize("change", ["definition", "is_remote"])
def test_an_approved_block_keeps_its_definition(blocks, definition_server, change):
    created = blocks.create("approved")
    blocks.approve(created["id"])
    before = blocks.read(created["id"])
    if change == "definition":
        body = {"definition": minimal_definition("changed")}
    else:
        url = blocks.serve(definition_server, "approved", minimal_definition("remote"))
        body = {"is_remote": True, "definition": url}
    answer = blocks.put(created["id"], body, blocks.first)
    expect_error(answer, 20)
    unchanged_except(before, blocks.read(created["id"]), set(), answer)
