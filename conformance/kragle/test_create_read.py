"""Creating blocks and reading them back by id and by name."""

import pytest

from ..checks import expect_equal, expect_json, expect_status
from .helpers import (
    BLOCK_KEYS,
    expect_error,
    expect_keys,
    expect_same_definition,
    minimal_definition,
)

NO_SUCH_ID = 2**53 - 1  # the largest integer every JSON reader keeps exactly


@pytest.mark.clause("KR-CRT-create")
def test_create_answers_only_the_new_id(blocks):
    answer = blocks.post(blocks.payload("create"), blocks.first)
    expect_json(answer, 200, "created")  # {"id": ...}


@pytest.mark.clause("KR-CRT-defaults")
def test_a_new_block_reads_back_with_the_documented_defaults(blocks):
    created = blocks.create("defaults", minimal_definition("defaults"))
    answer = blocks.by_id(created["id"], blocks.first)
    block = expect_json(answer, 200, "block")
    expected = {
        "name": created["name"],
        "definition": created["definition"],
        "owner": blocks.first.user_id,
        "is_remote": False,
        "needs_approval": False,
        "is_approved": False,
        "resolved": created["definition"],
    }
    for key, value in expected.items():
        if key in ("definition", "resolved"):
            expect_same_definition(block[key], value, f"{key} of a new block", answer)
        else:
            expect_equal(block[key], value, f"{key} of a new block", answer)


@pytest.mark.clause("KR-CRT-needs-approval")
def test_needs_approval_is_stored_and_the_block_stays_private(blocks):
    created = blocks.create("flagged", needs_approval=True)
    answer = blocks.by_id(created["id"], blocks.first)
    block = expect_json(answer, 200, "block")
    expect_equal(block["needs_approval"], True, "needs_approval", answer)
    expect_equal(block["is_approved"], False, "is_approved before approval", answer)
    anonymous = blocks.by_id(created["id"], None)
    expect_status(anonymous, 403, requirement="a block awaiting approval must stay private (403)")


@pytest.mark.clause("KR-CRT-duplicate-name")
def test_a_taken_name_gets_code_5_from_every_user(blocks):
    created = blocks.create("taken")
    for user in (blocks.first, blocks.second):
        again = {"name": created["name"], "definition": minimal_definition("other")}
        expect_error(blocks.post(again, user), 5)
    block = blocks.read(created["id"])
    expect_same_definition(
        block["definition"], created["definition"], "the first block's definition", None
    )
    expect_equal(block["owner"], blocks.first.user_id, "the first block's owner", None)


@pytest.mark.clause("KR-CRT-bad-payload")
@pytest.mark.parametrize("change", ["no name", "no definition", "unknown key"])
def test_a_bad_payload_gets_code_4_and_creates_nothing(blocks, change):
    payload = blocks.payload("payload")
    name = payload["name"]
    if change == "no name":
        del payload["name"]
    elif change == "no definition":
        del payload["definition"]
    else:
        payload["colour"] = "red"
    expect_error(blocks.post(payload, blocks.first), 4)
    expect_error(blocks.by_name(name, blocks.first), 6)


@pytest.mark.clause("KR-CRT-bad-name")
@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_name_gets_code_5(blocks, name):
    payload = {"name": name, "definition": minimal_definition()}
    expect_error(blocks.post(payload, blocks.first), 5)


@pytest.mark.clause("KR-READ-byid")
def test_read_by_id_answers_the_eight_keys(blocks):
    created = blocks.create("byid")
    answer = blocks.by_id(created["id"], blocks.first)
    block = expect_json(answer, 200, "block")
    expect_keys(block, BLOCK_KEYS, "a block", answer)
    expect_equal(block["id"], created["id"], "the id", answer)


@pytest.mark.clause("KR-READ-byname")
def test_read_by_name_answers_the_same_object_as_by_id(blocks):
    created = blocks.create("byname")
    by_id = blocks.read(created["id"])
    answer = blocks.by_name(created["name"], blocks.first)
    expect_equal(expect_json(answer, 200, "block"), by_id, "the block by name", answer)


@pytest.mark.clause("KR-READ-not-found")
def test_a_missing_block_gets_code_6_not_404(blocks):
    expect_error(blocks.by_id(NO_SUCH_ID, blocks.first), 6)
    expect_error(blocks.by_name(blocks.name("never-created"), blocks.first), 6)
    expect_error(blocks.by_name(blocks.name("never-created"), None), 6)
