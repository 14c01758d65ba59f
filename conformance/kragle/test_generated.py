"""Generated definitions, valid and invalid, sent to POST /validate/blocktypes and then
POST /blocktypes: both must accept the valid ones and refuse the invalid ones with code 9."""

import pytest
from hypothesis import assume, given

from ..checks import expect_json, fail
from ..generation import generated_settings, run_seeded
from .helpers import expect_error, expect_same_definition
from .strategies import invalid_definitions, is_valid, valid_definitions


@pytest.mark.generated
@pytest.mark.clause("KR-GEN-valid-definitions")
def test_generated_valid_definitions_are_accepted(run, test_key, api, blocks):
    @generated_settings(run, test_key)
    @given(definition=valid_definitions())
    def check(definition):
        payload = blocks.payload("gen", definition)
        run.counters.generated_case("generated definitions")
        checked = blocks.post(payload, blocks.first, "/validate/blocktypes")
        expect_json(checked, 200, "validated", "a valid generated definition must validate")
        created = blocks.post(payload, blocks.first)
        body = expect_json(created, 200, "created", "a valid generated definition must be created")
        read = blocks.read(body["id"])
        expect_same_definition(read["definition"], definition, "the stored definition", None)

    run_seeded(check, run)


@pytest.mark.generated
@pytest.mark.clause("KR-GEN-invalid-definitions")
def test_generated_invalid_definitions_get_code_9(run, test_key, api, blocks):
    @generated_settings(run, test_key)
    @given(case=invalid_definitions())
    def check(case):
        what, definition = case
        assume(not is_valid(definition))
        payload = blocks.payload("gen-bad", definition)
        run.counters.generated_case("generated definitions")
        for path in ("/validate/blocktypes", "/blocktypes"):
            answer = blocks.post(payload, blocks.first, path)
            if answer.status != 500 or (answer.json or {}).get("code") != 9:
                fail(
                    f"POST {path} of a definition with {what} must answer error code 9",
                    f"answered {answer.status} {answer.text[:200]}",
                    answer,
                )
        expect_error(blocks.by_name(payload["name"], blocks.first), 6)

    run_seeded(check, run)
