"""The pagination envelope of every list: counts, pageCount, walking the pages, bad pages."""

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status
from .helpers import DEPLOYMENTS, SPECS, count_of, expected_page_count

ITEMS = 5


@pytest.fixture
def five_specs(peak) -> tuple[str, list[str]]:
    """Five specs under one name prefix: (prefix, their names in creation order)."""
    group = peak.unique("pg")
    names = [peak.spec(peak.spec_body(f"{group}-{i}"))["metadata"]["name"] for i in range(ITEMS)]
    return group, names


def page_of(api, path: str, items_key: str, **params) -> tuple[dict, object]:
    answer = api.get(path, params=params)
    return expect_json(answer, 200, f"{items_key.rstrip('s')}_list"), answer


@pytest.mark.clause("PP-PAGE-envelope")
@pytest.mark.parametrize("page_size", [2, 5, 7])
def test_envelope_counts_and_page_count(api, five_specs, page_size):
    group, _ = five_specs
    page, answer = page_of(api, SPECS, "specs", name=group, pageSize=page_size, pageNumber=1)
    expect_equal(count_of(page, "specs", answer), ITEMS, "the total of five specs", answer)
    expected = expected_page_count(ITEMS, page_size)
    expect_equal(page["pageCount"], expected, f"pageCount of {ITEMS} items by {page_size}", answer)
    expect_equal(page["pageSize"], page_size, "pageSize", answer)
    expect_equal(page["pageNumber"], 1, "pageNumber", answer)


@pytest.mark.clause("PP-PAGE-envelope")
def test_envelope_of_an_empty_list_and_of_a_later_page(api, peak, five_specs):
    group, _ = five_specs
    page, answer = page_of(api, SPECS, "specs", name=group, pageSize=2, pageNumber=2)
    expect_equal(page["pageNumber"], 2, "pageNumber of the second page", answer)
    expect_equal(len(page["specs"]), 2, "items on the second page of five by two", answer)
    empty, answer = page_of(api, SPECS, "specs", name=peak.unique("none"), pageSize=3)
    expect_equal(count_of(empty, "specs", answer), 0, "the total of no specs", answer)
    # ceil(0 / size) is 0; one empty page (pageCount 1) serves peak-sdk's loop as well
    count = empty["pageCount"]
    expect(count in (0, 1), "pageCount of no items must be 0 (or 1)", f"gave {count}", answer)


@pytest.mark.clause("PP-PAGE-envelope")
def test_envelope_of_releases_deployments_and_revisions(api, peak):
    spec = peak.spec()
    for version in ("1.1.0", "1.2.0"):
        peak.release(spec["id"], version)
    deployment = peak.deployment(spec["id"])
    peak.revision(deployment["id"])
    lists = [
        (f"{SPECS}{spec['id']}/releases", "releases", {}, 3),
        (DEPLOYMENTS, "deployments", {"name": deployment["metadata"]["name"]}, 1),
        (f"{DEPLOYMENTS}{deployment['id']}/revisions", "revisions", {}, 2),
    ]
    for path, key, params, total in lists:
        page, answer = page_of(api, path, key, pageSize=2, **params)
        expect_equal(count_of(page, key, answer), total, f"the total of {key}", answer)
        expect_equal(
            page["pageCount"], expected_page_count(total, 2), f"pageCount of {key}", answer
        )
        expect_equal(len(page[key]), min(total, 2), f"{key} on the first page", answer)


@pytest.mark.clause("PP-PAGE-walk")
@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_walking_the_pages_yields_each_item_once(api, five_specs, page_size):
    group, names = five_specs
    whole, _ = page_of(api, SPECS, "specs", name=group, pageSize=ITEMS)
    order = [spec["metadata"]["name"] for spec in whole["specs"]]
    expect_equal(sorted(order), sorted(names), "the five specs on one page", None)
    walked, page_number, page_count = [], 1, 1
    while page_number <= page_count:
        page, answer = page_of(
            api, SPECS, "specs", name=group, pageSize=page_size, pageNumber=page_number
        )
        expect(
            len(page["specs"]) <= page_size,
            f"a page holds at most pageSize={page_size} items",
            f"sent {len(page['specs'])}",
            answer,
        )
        walked += [spec["metadata"]["name"] for spec in page["specs"]]
        page_count = min(page["pageCount"], ITEMS + 1)  # a broken count must not loop for long
        page_number += 1
    expect_equal(walked, order, f"the specs walked page by page (pageSize {page_size})", None)
    past, answer = page_of(api, SPECS, "specs", name=group, pageSize=page_size, pageNumber=99)
    expect_equal(past["specs"], [], "the items of a page past pageCount", answer)


@pytest.mark.clause("PP-PAGE-invalid")
@pytest.mark.parametrize(
    "params",
    [
        {"pageSize": 0},
        {"pageSize": -1},
        {"pageNumber": 0},
        {"pageSize": "ten"},
        {"pageNumber": "x"},
    ],
    ids=["size-0", "size-negative", "number-0", "size-text", "number-text"],
)
def test_invalid_pages_are_refused(api, params):
    expect_status(api.get(SPECS, params=params), 400, 422)


@pytest.mark.clause("PP-PAGE-default-size")
def test_default_page_is_the_first_of_25(api, peak):
    page, answer = page_of(api, SPECS, "specs", name=peak.unique("none"))
    expect_equal(page["pageSize"], 25, "the default pageSize", answer)
    expect_equal(page["pageNumber"], 1, "the default pageNumber", answer)
