"""POST /validate/blocktypes: the same answer as create would give, and nothing stored."""

import pytest

from ..checks import expect_equal, expect_json
from .cases import BROKEN
from .helpers import expect_error, minimal_definition


def request_of(case: str, blocks, definition_server) -> dict:
    payload = blocks.payload(case)
    if case == "invalid definition":
        payload["definition"] = BROKEN["KR-DEF-actions"]["no actions"]
    elif case == "remote":
        payload.update(definition=blocks.serve(definition_server, case, minimal_definition()))
        payload["is_remote"] = True
    elif case == "url without is_remote":
        payload["definition"] = blocks.serve(definition_server, case, minimal_definition())
    elif case == "duplicate name":
        payload["name"] = blocks.create("taken")["name"]
    elif case == "unknown key":
        payload["colour"] = "red"
    return payload


@pytest.mark.clause("KR-VAL-agrees")
@pytest.mark.parametrize(
    "case",
    [
        "valid",
        "remote",
        "invalid definition",
        "url without is_remote",
        "duplicate name",
        "unknown key",
    ],
)
def test_validate_answers_what_create_would(blocks, definition_server, case):
    payload = request_of(case, blocks, definition_server)
    checked = blocks.post(payload, blocks.first, "/validate/blocktypes")
    created = blocks.post(payload, blocks.first)
    if created.status == 200:
        expect_json(
            checked, 200, "validated", "validate must answer {validated: true} when create succeeds"
        )
    else:
        code = expect_error(created, 4, 5, 7, 9)["code"]
        expect_error(
            checked, code, requirement=f"validate must answer error code {code} as create did"
        )


@pytest.mark.clause("KR-VAL-stores-nothing")
def test_a_successful_validation_stores_nothing(blocks):
    payload = blocks.payload("validated")
    expect_json(blocks.post(payload, blocks.first, "/validate/blocktypes"), 200, "validated")
    expect_error(
        blocks.by_name(payload["name"], blocks.first),
        6,
        requirement="validate must store nothing: GET by name must answer error code 6",
    )
    created = blocks.post(payload, blocks.first)
    expect_json(created, 200, "created", "create after validate must succeed")
    read = blocks.read(created.json["id"])
    expect_equal(read["name"], payload["name"], "the created block's name", None)
