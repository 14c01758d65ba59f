"""GET /blocktypes: the envelope, count, paging, query booleans, show_resolved and
filter_user_types, on a dozen private blocks of the first user."""

import pytest

from ..checks import expect, expect_equal, expect_json
from .helpers import Blocks, expect_error, expect_keys, expect_same_definition

OWN_BLOCKS = 12  # more than a page of 10


@pytest.fixture(scope="module")
def listed(run, target, ns, users) -> tuple[Blocks, list[dict]]:
    """A builder and twelve private blocks of the first user."""
    blocks = Blocks(target.client, ns, *users, run.state.hook_url, run)
    return blocks, [blocks.create(f"list{index}") for index in range(OWN_BLOCKS)]


def own_ids(created: list[dict]) -> set:
    return {block["id"] for block in created}


@pytest.mark.clause("KR-LIST-envelope")
def test_the_list_has_count_pagesize_page_and_blocktypes(listed):
    blocks, _ = listed
    for user in (blocks.first, None):
        answer = blocks.page(user)
        body = expect_json(answer, 200, "block_list")
        expect_equal(body["page"], 1, "page without a page parameter", answer)
    answer = blocks.page(blocks.first, page=2)
    expect_equal(expect_json(answer, 200, "block_list")["page"], 2, "page of page=2", answer)


@pytest.mark.clause("KR-LIST-item")
def test_listed_blocks_carry_the_values_of_read_by_id(listed):
    blocks, created = listed
    walk = blocks.walk(blocks.first)
    keys = ["id", "owner", "name", "definition", "is_remote", "needs_approval", "is_approved"]
    for block in created[:3]:
        item, page = walk.find(block["id"])
        expect(item is not None, "the caller's block must be listed", "left it out", walk.last())
        expect_keys(item, set(keys), "a listed block", page)
        read = blocks.read(block["id"])
        for key in keys:
            expect_equal(item[key], read[key], f"listed {key} (as by id)", page)


@pytest.mark.clause("KR-LIST-count")
def test_count_is_the_total_over_all_pages(listed):
    blocks, _ = listed
    walk = blocks.walk(blocks.first, by_count=False)
    counts = {page.json["count"] for page in walk.pages}
    expect(len(counts) == 1, "every page must report the same count", f"gave {counts}", walk.last())
    expect_equal(
        counts.pop(), len(walk.items), "count (the number of blocks over all pages)", walk.last()
    )


@pytest.mark.clause("KR-LIST-paging")
def test_walking_the_pages_lists_every_block_once(listed):
    blocks, created = listed
    walk = blocks.walk(blocks.first)
    ids = walk.ids()
    repeated = sorted({str(i) for i in ids if ids.count(i) > 1})
    expect(not repeated, "paging must list each block once", f"repeated {repeated}", walk.last())
    missing = sorted(str(i) for i in own_ids(created) - set(ids))
    expect(not missing, "paging must list every block", f"left out {missing}", walk.last())
    for page in walk.pages[:-1]:
        body = page.json
        expect_equal(
            len(body["blocktypes"]), body["pagesize"], "the size of a page but the last", page
        )


@pytest.mark.clause("KR-LIST-pagesize")
def test_pagesize_is_10(listed):
    blocks, _ = listed
    answer = blocks.page(blocks.first)
    expect_equal(expect_json(answer, 200, "block_list")["pagesize"], 10, "pagesize", answer)


@pytest.mark.clause("KR-LIST-past-end")
def test_a_page_past_the_last_is_empty(listed):
    blocks, _ = listed
    first = expect_json(blocks.page(blocks.first), 200, "block_list")
    beyond = first["count"] // first["pagesize"] + 2
    answer = blocks.page(blocks.first, page=beyond)
    body = expect_json(answer, 200, "block_list")
    expect_equal(body["blocktypes"], [], f"blocktypes of page {beyond}", answer)
    expect(
        body["count"] >= first["count"],
        "count must stay the total",
        f"gave {body['count']}",
        answer,
    )


@pytest.mark.clause("KR-LIST-bad-page")
@pytest.mark.parametrize("page", ["x", "1.5"])
def test_a_page_that_is_not_an_integer_gets_code_1(listed, page):
    blocks, _ = listed
    expect_error(blocks.page(blocks.first, page=page), 1)


@pytest.mark.clause("KR-LIST-bad-page")
def test_an_empty_page_gets_code_1_or_the_first_page(listed):
    """``page=`` names no integer (code 1), or no page at all ("Default: 1")."""
    blocks, _ = listed
    answer = blocks.page(blocks.first, page="")
    if answer.status == 200:
        body = expect_json(answer, 200, "block_list")
        expect_equal(body["page"], 1, "the page of page= read as no page", answer)
    else:
        expect_error(answer, 1)


@pytest.mark.clause("KR-LIST-page-below-one")
@pytest.mark.parametrize("page", ["0", "-1"])
def test_a_page_below_one_gets_code_1(listed, page):
    blocks, _ = listed
    expect_error(blocks.page(blocks.first, page=page), 1)


@pytest.mark.clause("KR-LIST-booleans")
def test_query_booleans_are_0_and_1(listed):
    blocks, created = listed
    for value, shown in (("0", False), ("1", True)):
        answer = blocks.page(blocks.first, show_resolved=value)
        items = expect_json(answer, 200, "block_list")["blocktypes"]
        with_resolved = [item["id"] for item in items if "resolved" in item]
        expect(
            bool(items) and bool(with_resolved) == shown and len(with_resolved) in (0, len(items)),
            f"show_resolved={value} must {'add' if shown else 'leave out'} resolved",
            f"gave resolved on {len(with_resolved)} of {len(items)} blocks",
            answer,
        )
    for value, hidden in (("0", False), ("1", True)):
        walk = blocks.walk(blocks.first, filter_user_types=value)
        listed_own = own_ids(created) & set(walk.ids())
        expect(
            not listed_own if hidden else listed_own == own_ids(created),
            f"filter_user_types={value} must {'hide' if hidden else 'list'} the caller's "
            "private blocks",
            f"listed {len(listed_own)} of its {len(created)}",
            walk.last(),
        )


@pytest.mark.clause("KR-LIST-bad-boolean")
@pytest.mark.parametrize("value", ["true", "yes", "2"])
@pytest.mark.parametrize("parameter", ["show_resolved", "filter_user_types"])
def test_a_query_boolean_other_than_0_or_1_gets_code_1_or_its_meaning(listed, parameter, value):
    """Code 1, or (for a value that spells a boolean: true) the answer of 1: the documents only
    tell clients to send 0 or 1."""
    blocks, _ = listed
    answer = blocks.page(blocks.first, **{parameter: value})
    if value == "true" and answer.status == 200:
        same = blocks.page(blocks.first, **{parameter: "1"})
        expect_equal(answer.json, same.json, f"{parameter}=true read as 1", answer)
    else:
        expect_error(answer, 1)


@pytest.mark.clause("KR-LIST-show-resolved")
def test_show_resolved_adds_the_definition_as_resolved(listed):
    blocks, created = listed
    walk = blocks.walk(blocks.first, show_resolved="1")
    for block in created:
        item, page = walk.find(block["id"])
        expect(item is not None, "the caller's block must be listed", "left it out", walk.last())
        expect_same_definition(
            item.get("resolved"), block["definition"], "resolved of a block", page
        )
    plain = blocks.page(blocks.first)
    items = expect_json(plain, 200, "block_list")["blocktypes"]
    carrying = [item["id"] for item in items if "resolved" in item]
    expect(not carrying, "without show_resolved no block has resolved", f"{carrying} had", plain)


@pytest.mark.clause("KR-LIST-filter-user-types")
def test_filter_user_types_hides_the_callers_private_blocks(listed):
    blocks, created = listed
    filtered = blocks.walk(blocks.first, filter_user_types="1")
    shown = sorted(str(i) for i in own_ids(created) & set(filtered.ids()))
    expect(
        not shown,
        "filter_user_types=1 must hide private blocks",
        f"listed {shown}",
        filtered.last(),
    )
    for query in ({"filter_user_types": "0"}, {}):
        walk = blocks.walk(blocks.first, **query)
        for block in created:
            item, page = walk.find(block["id"])
            expect(
                item is not None,
                f"{query or 'no filter'}: private blocks listed",
                "left one out",
                walk.last(),
            )
            expect_equal(item.get("is_approved"), False, "is_approved of a private block", page)
