"""Authentication: the session cookie from POST /authenticate, inline {auth, payload} bodies,
and writes refused without either; the error envelope."""

import pytest

from ..checks import expect_equal, expect_json
from .helpers import User, cookie_header, expect_error, expect_refused


@pytest.mark.clause("KR-AUTH-cookie")
def test_the_cookie_from_authenticate_acts_as_the_user(blocks):
    """The users fixture authenticated both users (200, code 0, a cookie); a block created with
    the first one's cookie is owned by its user_id."""
    for user in (blocks.first, blocks.second):
        created = blocks.create("cookie", as_user=user)
        block = blocks.read(created["id"], as_user=user)
        expect_equal(
            block["owner"], user.user_id, "the owner of a block created with the cookie", None
        )


@pytest.mark.clause("KR-AUTH-bad-password")
def test_a_wrong_password_gets_code_3_and_no_session(api, blocks):
    """No cookie of a refused login authenticates (one that clears the session is fine)."""
    wrong = User(blocks.first.login, blocks.first.password + "-wrong").credentials
    answer = api.post("/authenticate", wrong)
    expect_error(answer, 3)
    cookie = cookie_header(answer)
    if cookie:
        payload = blocks.payload("after-refused-login")
        expect_refused(
            blocks.api.post("/blocktypes", payload, headers={"Cookie": cookie}),
            "a write with the cookies of a refused login must be refused",
        )
        expect_error(blocks.by_name(payload["name"], blocks.first), 6)


def inline(user: User, payload) -> dict:
    return {"auth": user.credentials, "payload": payload}


@pytest.mark.clause("KR-AUTH-inline")
def test_inline_auth_creates_validates_and_updates_as_the_user(blocks):
    payload = blocks.payload("inline")
    checked = blocks.post(inline(blocks.second, payload), None, "/validate/blocktypes")
    expect_json(checked, 200, "validated")
    created = expect_json(blocks.post(inline(blocks.second, payload), None), 200, "created")
    block = blocks.read(created["id"], as_user=blocks.second)
    expect_equal(block["owner"], blocks.second.user_id, "the owner of an inline-auth block", None)
    changed = blocks.put(created["id"], inline(blocks.second, {"needs_approval": True}), None)
    body = expect_json(changed, 200, "block")
    expect_equal(body["needs_approval"], True, "needs_approval after an inline-auth PUT", changed)


@pytest.mark.clause("KR-AUTH-inline-bad")
def test_inline_auth_with_a_wrong_password_gets_code_3(blocks):
    payload = blocks.payload("inline-bad")
    wrong = User(blocks.first.login, blocks.first.password + "-wrong")
    expect_error(blocks.post(inline(wrong, payload), None), 3)
    expect_error(blocks.by_name(payload["name"], blocks.first), 6)


@pytest.mark.clause("KR-AUTH-required")
def test_writes_without_authentication_are_refused_and_change_nothing(blocks):
    payload = blocks.payload("anonymous")
    expect_refused(blocks.post(payload, None), "POST /blocktypes without auth must be refused")
    expect_error(blocks.by_name(payload["name"], blocks.first), 6)
    checked = blocks.post(payload, None, "/validate/blocktypes")
    expect_refused(checked, "POST /validate/blocktypes without auth must be refused")
    created = blocks.create("owned")
    changed = blocks.put(created["id"], {"needs_approval": True}, None)
    expect_refused(changed, "PUT /blocktypes/<id> without auth must be refused")
    after = blocks.read(created["id"])
    expect_equal(after["needs_approval"], False, "needs_approval after a refused PUT", changed)


@pytest.mark.clause("KR-ERR-bad-json")
def test_a_body_that_is_not_json_gets_code_2(api, blocks):
    headers = {"content-type": "application/json", **blocks.first.headers}
    answer = api.request("POST", "/blocktypes", content=b'{"name": "x", ', headers=headers)
    expect_error(answer, 2)
