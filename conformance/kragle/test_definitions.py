"""The block definition: each rule of its schema, the one-uri-action rule and the size limit."""

import pytest

from ..checks import expect_json
from .cases import BROKEN, VALID, with_action
from .helpers import compact_size, expect_error, minimal_definition


def refused(blocks, definition, *codes: int) -> None:
    payload = blocks.payload("def", definition)
    expect_error(blocks.post(payload, blocks.first), *codes)
    expect_error(blocks.by_name(payload["name"], blocks.first), 6)


def cases_of(clause: str):
    return pytest.mark.parametrize(
        "definition", list(BROKEN[clause].values()), ids=list(BROKEN[clause])
    )


@pytest.mark.clause("KR-DEF-required-keys")
@cases_of("KR-DEF-required-keys")
def test_a_definition_without_one_of_the_four_keys_gets_code_9(blocks, definition):
    # a definition that is not an object at all (a list) is also a parameter "with invalid
    # values" (code 4): "definition - string or object"
    refused(blocks, definition, *((9,) if isinstance(definition, dict) else (9, 4)))


@pytest.mark.clause("KR-DEF-io")
@cases_of("KR-DEF-io")
def test_a_bad_io_gets_code_9(blocks, definition):
    refused(blocks, definition, 9)


@pytest.mark.clause("KR-DEF-actions")
@cases_of("KR-DEF-actions")
def test_bad_actions_get_code_9(blocks, definition):
    refused(blocks, definition, 9)


@pytest.mark.clause("KR-DEF-action-params")
@cases_of("KR-DEF-action-params")
def test_bad_action_parameters_get_code_9(blocks, definition):
    refused(blocks, definition, 9)


@pytest.mark.clause("KR-DEF-state")
@cases_of("KR-DEF-state")
def test_a_bad_state_gets_code_9(blocks, definition):
    refused(blocks, definition, 9)


@pytest.mark.clause("KR-DEF-valid-shapes")
@pytest.mark.parametrize("definition", list(VALID.values()), ids=list(VALID))
def test_every_documented_shape_is_accepted(blocks, definition):
    expect_json(blocks.post(blocks.payload("shape", definition), blocks.first), 200, "created")


@pytest.mark.clause("KR-DEF-one-uri-action")
def test_two_uri_actions_get_code_13(blocks):
    definition = with_action("uri_get", {"uri": "https://example.com/a"})
    definition["actions"].append({"action": "uri_post", "action_params": {"uri": "https://x.y"}})
    refused(blocks, definition, 13)


def padded(size: int) -> dict:
    """A valid definition of ``size`` bytes as compact JSON (padding in a debug action)."""
    definition = minimal_definition()
    definition["actions"].append({"action": "debug", "action_params": {"pad": ""}})
    missing = size - compact_size(definition)
    definition["actions"][-1]["action_params"]["pad"] = "p" * missing
    return definition


@pytest.mark.clause("KR-DEF-size-limit")
def test_definitions_over_64_kb_are_refused(blocks):
    refused(blocks, padded(70_000), 9, 4)
    accepted = blocks.post(blocks.payload("60kb", padded(60_000)), blocks.first)
    expect_json(accepted, 200, "created")
