"""Visibility between users: private blocks are the owner's alone; approved ones are public
(the clauses that need an approved block need the test hook)."""

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status
from .helpers import expect_refused
from .test_update import HOOK


def listed_ids(blocks, as_user, **query) -> tuple[set, object]:
    walk = blocks.walk(as_user, **query)
    return set(walk.ids()), walk.last()


@pytest.mark.clause("KR-VIS-private-unauthenticated")
def test_a_private_block_is_403_without_authentication(blocks):
    created = blocks.create("private")
    for answer in (blocks.by_id(created["id"], None), blocks.by_name(created["name"], None)):
        expect_status(
            answer,
            403,
            requirement=f"{answer.path} of a private block without auth must answer 403",
        )
        expect(
            created["name"] not in answer.text,
            "a 403 must show nothing of the block",
            "showed its name",
            answer,
        )


@pytest.mark.clause("KR-VIS-private-other-user")
def test_a_private_block_is_403_for_another_user(blocks):
    created = blocks.create("private-other")
    for answer in (
        blocks.by_id(created["id"], blocks.second),
        blocks.by_name(created["name"], blocks.second),
    ):
        expect_status(
            answer,
            403,
            requirement=f"{answer.path} of another user's private block must answer 403",
        )


@pytest.mark.clause("KR-VIS-list-unauthenticated")
@pytest.mark.parametrize("query", [{}, {"filter_user_types": "0"}, {"filter_user_types": "1"}])
def test_the_unauthenticated_list_has_no_private_block(blocks, query):
    created = blocks.create("unlisted")
    ids, last = listed_ids(blocks, None, **query)
    expect(
        created["id"] not in ids,
        "an unauthenticated list must hold only public blocks",
        f"listed the private block {created['id']}",
        last,
    )


@pytest.mark.clause("KR-VIS-list-other-user")
def test_another_users_list_has_no_private_block(blocks):
    created = blocks.create("unlisted-other")
    ids, last = listed_ids(blocks, blocks.second)
    expect(
        created["id"] not in ids,
        "another user's list must not hold a private block",
        f"listed the private block {created['id']}",
        last,
    )


@pytest.mark.clause("KR-VIS-put-other-user")
def test_another_user_cannot_change_a_block(blocks):
    created = blocks.create("not-yours")
    answer = blocks.put(created["id"], {"needs_approval": True}, blocks.second)
    expect_refused(answer, "a PUT by a user who does not own the block must be refused")
    after = blocks.read(created["id"])
    expect_equal(after["needs_approval"], False, "needs_approval after another user's PUT", answer)


@pytest.mark.clause("KR-VIS-public-readable")
@pytest.mark.needs(*HOOK)
def test_an_approved_block_is_readable_and_listed_for_everyone(blocks):
    created = blocks.create("public")
    blocks.approve(created["id"])
    for user in (None, blocks.second):
        for answer in (blocks.by_id(created["id"], user), blocks.by_name(created["name"], user)):
            block = expect_json(
                answer, 200, "block", f"{answer.path} of a public block must answer 200"
            )
            expect_equal(block["is_approved"], True, "is_approved of an approved block", answer)
        for query in ({}, {"filter_user_types": "1"}):
            ids, last = listed_ids(blocks, user, **query)
            expect(
                created["id"] in ids,
                "a public block must be listed for everyone",
                "left it out",
                last,
            )


@pytest.mark.clause("KR-VIS-own-public-filtered")
@pytest.mark.needs(*HOOK)
def test_filter_user_types_keeps_own_public_blocks_without_is_approved(blocks):
    created = blocks.create("own-public")
    blocks.approve(created["id"])
    walk = blocks.walk(blocks.first, filter_user_types="1")
    item, page = walk.find(created["id"])
    expect(item is not None, "the caller's public block must be listed", "left it out", walk.last())
    expect(
        "is_approved" not in item,
        "with filter_user_types=1 is_approved must be left out",
        f"gave is_approved {item.get('is_approved')}",
        page,
    )
