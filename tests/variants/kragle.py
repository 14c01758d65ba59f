"""Broken variants of the Kragle profile's reference server (see ``tests/variants``)."""

import json
import re
from functools import partial

from . import allowed as allowed_reading
from . import breaks as breaks_clause
from . import classic_mistakes, request_rewriter, rewrite_nested, rewrite_responses
from . import differs as differs_from_reference

breaks = partial(breaks_clause, "kragle")
BASE = "/kragle/api/v1"


def kragle():
    from reference_server.kragle import app

    return app


def answers_of(method: str, path_start: str, change):
    """Rewrite the JSON answers to ``method`` on paths starting with BASE + ``path_start``."""

    def rewrite(request_method, path, status, body):
        if request_method == method and path.startswith(BASE + path_start):
            return change(status, body)
        return None

    return rewrite_responses(rewrite)


# ---- level 1 ---------------------------------------------------------------------------------


@breaks("KR-READ-not-found", "must answer HTTP 500 with error code 6", "answered 404")
def answers_404_for_missing_blocks():
    """A missing block gets 404 instead of the documented code 6."""

    def not_found(status, body):
        if status == 500 and isinstance(body, dict) and body.get("code") == 6:
            return 404, {"msg": "not found"}
        return None

    return answers_of("GET", "/blocktypes/by", not_found)


@breaks("KR-CRT-duplicate-name", "must answer HTTP 500 with error code 5", "answered 200")
def accepts_duplicate_block_names():
    """A second block with a taken name is created."""
    from reference_server.kragle import store

    store.PARTS["block_name_unique"] = None
    kragle().name_taken = lambda *args, **kwargs: False


@breaks("KR-AUTH-cookie", "must answer 200", "answered 403")
def owns_every_block_as_the_first_user():
    """Blocks are owned by user 1001 whoever creates them: the second user cannot read the
    block it has just created."""
    from reference_server.kragle.store import Store

    create = Store.create
    Store.create = lambda self, owner, block: create(self, 1001, block)


@breaks("KR-AUTH-bad-password", "must answer HTTP 500 with error code 3", "answered 200")
def accepts_any_password():
    """Any password logs the user in."""
    from reference_server.kragle.store import Store

    def check_password(self, login, by, password):
        column = "username" if by == "username" else "email"
        rows = self.query(f"SELECT id FROM kragle_user WHERE {column} = ?", [login])
        return rows[0][0] if rows else None

    Store.check_password = check_password


@breaks("KR-AUTH-inline", "validate/blocktypes must answer 200", "answered 403")
def ignores_inline_auth():
    """An {auth, payload} body is taken as a plain body, without its user."""
    app = kragle()

    async def caller_and_payload(request):
        return app.cookie_user(request), await app.json_body(request)

    app.caller_and_payload = caller_and_payload


@breaks("KR-AUTH-required", "without auth must be refused", "answered 200")
def lets_anonymous_writes_in():
    """Writes without a session act as user 1001."""
    kragle().required_user = lambda user: 1001 if user is None else user


@breaks("KR-ERR-bad-json", "error code 2", "answered error code 4")
def answers_code_4_for_bad_json():
    """A body that is not JSON gets code 4 instead of 2."""
    app = kragle()

    async def json_body(request):
        try:
            import json

            return json.loads(await request.body())
        except ValueError:
            raise app.KragleError(4) from None

    app.json_body = json_body


@breaks("KR-CRT-create", "must match the created schema", "'id' is a required property")
def answers_the_id_under_another_key():
    """POST /blocktypes answers {"block_id": N} instead of {"id": N}."""
    return answers_of(
        "POST",
        "/blocktypes",
        lambda status, body: (status, {"block_id": body["id"]}) if status == 200 else None,
    )


@breaks("KR-CRT-defaults", "needs_approval of a new block must be false")
def flags_new_blocks_for_approval():
    """needs_approval defaults to true."""
    app = kragle()
    checked = app.checked_new_block

    async def checked_new_block(store, payload):
        if isinstance(payload, dict):
            payload = {"needs_approval": True, **payload}
        return await checked(store, payload)

    app.checked_new_block = checked_new_block


@breaks("KR-CRT-needs-approval", "needs_approval must be true")
def ignores_needs_approval():
    """needs_approval on create is accepted and dropped."""
    app = kragle()
    checked = app.checked_new_block

    async def checked_new_block(store, payload):
        block = await checked(store, payload)
        return {**block, "needs_approval": False}

    app.checked_new_block = checked_new_block


@breaks("KR-CRT-bad-payload", "error code 4", "answered 200")
def ignores_unknown_keys():
    """Unknown top-level keys are ignored instead of refused."""
    app = kragle()
    check_keys = app.check_keys
    app.check_keys = lambda payload, required: check_keys(
        {k: v for k, v in payload.items() if k in app.CREATE_KEYS}
        if isinstance(payload, dict)
        else payload,
        required,
    )


@breaks("KR-READ-byid", "must match the block schema", "'resolved' is a required property")
def leaves_resolved_out_of_blocks_by_id():
    """A block read by id has no resolved key (the documents: "the resolved definition is
    always included")."""

    def without_resolved(status, body):
        if status == 200 and isinstance(body, dict):
            return status, {key: value for key, value in body.items() if key != "resolved"}
        return None

    return answers_of("GET", "/blocktypes/byid", without_resolved)


@breaks("KR-READ-byname", "the block by name must be")
def leaves_resolved_empty_by_name():
    """GET by name answers resolved {} instead of the definition."""
    return answers_of(
        "GET",
        "/blocktypes/byname",
        lambda status, body: (status, {**body, "resolved": {}}) if status == 200 else None,
    )


# ---- level 2 ---------------------------------------------------------------------------------


def change_list(change):
    def rewrite(status, body):
        return (status, change(body)) if status == 200 and isinstance(body, dict) else None

    return (
        answers_of("GET", "/blocktypes", rewrite)
        if False
        else rewrite_responses(
            lambda method, path, status, body: (
                rewrite(status, body) if method == "GET" and path == BASE + "/blocktypes" else None
            )
        )
    )


@breaks("KR-LIST-count", "every page must report the same count")
def counts_only_the_page():
    """count is the number of blocks on the page, not the total."""
    return change_list(lambda body: {**body, "count": len(body["blocktypes"])})


@breaks("KR-LIST-paging", "paging must list each block once")
def repeats_the_last_block_of_each_page():
    """Page N starts one block early, repeating the last block of page N-1."""
    from reference_server.kragle.store import PAGE_SIZE, Store

    def page(self, viewer, public_only, number):
        where, params = "is_approved = 1", []
        if viewer is not None and not public_only:
            where, params = "(is_approved = 1 OR owner = ?)", [viewer]
        count = self.query(f"SELECT COUNT(*) FROM kragle_blocktype WHERE {where}", params)[0][0]
        offset = max(0, (number - 1) * PAGE_SIZE - 1)
        rows = self.query(
            f"SELECT * FROM kragle_blocktype WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
            [*params, PAGE_SIZE, offset],
        )
        return count, [self.block_of(row) for row in rows]

    Store.page = page


@breaks("KR-LIST-booleans", "show_resolved=0 must leave out resolved")
def reads_0_as_true():
    """A query boolean is true whenever it is given, 0 included."""
    kragle().query_flag = lambda request, name: name in request.query_params


@breaks("KR-LIST-envelope", "page without a page parameter must be 1")
def numbers_the_first_page_2():
    """The page field is one more than the page served."""
    return change_list(lambda body: {**body, "page": body["page"] + 1})


@breaks("KR-LIST-item", "listed needs_approval (as by id) must be")
def lists_needs_approval_inverted():
    """Listed blocks show needs_approval negated."""
    return change_list(
        lambda body: {
            **body,
            "blocktypes": [
                {**item, "needs_approval": not item["needs_approval"]}
                for item in body["blocktypes"]
            ],
        }
    )


@breaks("KR-LIST-bad-page", "error code 1", "answered 200")
def reads_a_bad_page_as_1():
    """A page that is not an integer is read as page 1."""
    app = kragle()
    app.query_page = lambda request: (
        int(request.query_params.get("page", "1"))
        if (request.query_params.get("page", "1").isdigit())
        else 1
    )


# The generated invalid requests catch it too: a mutation that serializes as a valid value is
# excused, an invalid page answered 200 is not. About one invalid case in five mutates the
# page (the query booleans and their lax words take the others), and in the project's forked
# runs, where every profile's contract is loaded, the first invalid page came after 40 cases
# with seed 0: the budget is 100.
breaks(
    "KR-GEN-invalid-rejected",
    "an invalid request to GET /blocktypes must be refused",
    "answered 200",
    examples=100,
    only="refused and GET and not byid and not byname",
)(reads_a_bad_page_as_1)


@breaks("KR-LIST-show-resolved", "resolved of a block must be")
def lists_resolved_empty():
    """With show_resolved=1 the list gives resolved {}."""
    return change_list(
        lambda body: {
            **body,
            "blocktypes": [
                {**item, "resolved": {}} if "resolved" in item else item
                for item in body["blocktypes"]
            ],
        }
    )


@breaks("KR-LIST-filter-user-types", "filter_user_types=1 must hide private blocks")
def filter_user_types_keeps_own_private_blocks():
    """filter_user_types=1 still lists the caller's private blocks."""
    from reference_server.kragle.store import Store

    page = Store.page
    Store.page = lambda self, viewer, public_only, number: page(self, viewer, False, number)


# ---- level 3 ---------------------------------------------------------------------------------


def definitions():
    from reference_server.kragle import definitions

    return definitions


@breaks("KR-DEF-required-keys", "error code 9", "answered 200")
def accepts_definitions_without_initial_state():
    """initial_state is checked only when present."""
    module = definitions()
    check_state = module.check_state
    structure = module.check_structure

    def check_structure(definition):
        if isinstance(definition, dict) and "initial_state" not in definition:
            definition = {**definition, "initial_state": {"input": {}, "output": {}}}
        structure(definition)

    module.check_structure = check_structure
    module.check_state = check_state


@breaks("KR-DEF-io", "error code 9", "answered 200")
def accepts_lists_of_two_type_names():
    """io sides may list any number of Type names."""
    module = definitions()
    check = module.check_type_reference
    module.check_type_reference = lambda value, where: (
        None if isinstance(value, list) else check(value, where)
    )


@breaks("KR-DEF-actions", "error code 9", "answered 200")
def accepts_empty_action_lists():
    """An empty actions list is accepted."""
    module = definitions()
    structure = module.check_structure

    def check_structure(definition):
        if isinstance(definition, dict) and definition.get("actions") == []:
            definition = {**definition, "actions": [{"action": "debug", "action_params": {}}]}
        structure(definition)

    module.check_structure = check_structure


@breaks("KR-DEF-action-params", "error code 9", "answered 200")
def accepts_auth_required_without_auth_type():
    """auth_required does not need auth_type."""
    module = definitions()
    check = module.check_uri_params

    def check_uri_params(params, where, family):
        check({k: v for k, v in params.items() if k != "auth_required"}, where, family)

    module.check_uri_params = check_uri_params


@breaks("KR-DEF-state", "error code 9", "answered 200")
def accepts_numbers_in_state():
    """state values may be numbers."""
    module = definitions()
    check = module.check_state
    module.check_state = lambda value, where, free_values: check(value, where, True)


@breaks("KR-DEF-valid-shapes", "must answer 200", "answered 500")
def refuses_take_tail():
    """take_tail is not a known action."""
    definitions().FREE_ACTIONS.discard("take_tail")


@breaks("KR-DEF-size-limit", "error code 9 or 4", "answered 200")
def has_no_size_limit():
    """Definitions of any size are accepted."""
    definitions().MAX_DEFINITION_BYTES = 10**9


@breaks("KR-REM-fetch", "resolved of a remote block must be")
def resolves_remote_blocks_to_nothing():
    """A remote block's resolved is {} instead of the fetched definition."""
    app = kragle()
    resolve = app.resolve

    async def resolved(definition, is_remote):
        value = await resolve(definition, is_remote)
        return {} if is_remote else value

    app.resolve = resolved


@breaks("KR-REM-uri-needs-is-remote", "error code 4", "answered 200")
def fetches_urls_without_is_remote():
    """A URL definition is fetched even when is_remote is false."""
    app = kragle()
    resolve = app.resolve

    async def resolved(definition, is_remote):
        return await resolve(definition, is_remote or isinstance(definition, str))

    app.resolve = resolved


@breaks("KR-REM-bad-url", "error code 7", "answered error code 9")
def takes_unfetchable_urls_as_empty_definitions():
    """A URL that cannot be fetched counts as an empty definition (code 9)."""
    app = kragle()
    fetch = app.fetch_definition

    async def fetch_definition(uri):
        try:
            return await fetch(uri)
        except app.KragleError:
            return {}

    app.fetch_definition = fetch_definition


@breaks("KR-REM-invalid-definition", "error code 9", "answered 200")
def trusts_remote_definitions():
    """A fetched definition is not checked."""
    app = kragle()
    validate = app.validate_definition
    fetch = app.fetch_definition
    fetched: list = []

    async def fetch_definition(uri):
        value = await fetch(uri)
        fetched.append(id(value))
        return value

    app.fetch_definition = fetch_definition
    app.validate_definition = lambda d: None if id(d) in fetched else validate(d)


@breaks("KR-VAL-agrees", "validate must answer error code 5 as create did")
def validate_skips_the_name_check():
    """Validation does not look for a taken name."""
    app = kragle()
    checked = app.checked_new_block

    async def validate(request):
        user, payload = await app.caller_and_payload(request)
        app.required_user(user)
        original = app.name_taken
        app.name_taken = lambda *args, **kwargs: False
        try:
            await checked(app.store_of(request), payload)
        finally:
            app.name_taken = original
        return app.JSONResponse({"validated": True})

    app.validate = validate


@breaks("KR-VAL-stores-nothing", "validate must store nothing")
def validate_stores_the_block():
    """A successful validation creates the block."""
    app = kragle()

    async def validate(request):
        await app.create(request)
        return app.JSONResponse({"validated": True})

    app.validate = validate


@breaks("KR-UPD-partial", "which the PUT did not name must be true")
def put_replaces_unspecified_fields():
    """PUT resets needs_approval and is_remote to their defaults unless given."""
    app = kragle()
    check_keys = app.check_keys

    def reset(payload, required):
        payload = check_keys(payload, required)
        if not required:  # a PUT
            return {"needs_approval": False, **payload}
        return payload

    app.check_keys = reset


@breaks("KR-UPD-answer", "the PUT's answer (as GET by id after it) must be")
def put_answers_the_old_block():
    """PUT answers the block as it was before the change."""
    app = kragle()
    update = app.update

    async def old_then_update(request):
        store = app.store_of(request)
        before = store.by_id(int(request.path_params["block_id"]))
        await update(request)
        return app.JSONResponse(app.shown(before))

    app.update = old_then_update


@breaks("KR-UPD-invalid", "error code 9", "answered 200")
def put_skips_definition_checks():
    """A PUT stores any definition."""
    app = kragle()

    async def resolve(definition, is_remote):
        return definition

    app.resolve = resolve


@breaks("KR-UPD-not-found", "error code 6", "answered 404")
def put_to_a_missing_block_answers_404():
    """A PUT to a missing block gets 404."""

    def not_found(status, body):
        if status == 500 and isinstance(body, dict) and body.get("code") == 6:
            return 404, {"msg": "not found"}
        return None

    return answers_of("PUT", "/blocktypes/", not_found)


@breaks("KR-UPD-approved-read-only", "error code 20", "answered 200")
def approved_blocks_stay_editable():
    """An approved block's definition can be changed."""
    app = kragle()
    update = app.update

    async def editable(request):
        store = app.store_of(request)
        block_id = int(request.path_params["block_id"])
        store.write("UPDATE kragle_blocktype SET is_approved = 0 WHERE id = ?", [block_id])
        try:
            return await update(request)
        finally:
            store.write("UPDATE kragle_blocktype SET is_approved = 1 WHERE id = ?", [block_id])

    app.update = editable


@breaks("KR-GEN-valid-definitions", "a valid generated definition must validate", examples=60)
def refuses_empty_type_names():
    """An empty Type name in io is refused (the schema allows any string)."""
    module = definitions()
    check = module.check_type_reference

    def check_type_reference(value, where):
        if value == "" or value == [""]:
            raise module.Invalid(f"{where} must not be empty")
        check(value, where)

    module.check_type_reference = check_type_reference


@breaks("KR-GEN-invalid-definitions", "must answer error code 9", examples=150)
def accepts_anything_in_io_and_state():
    """io sides and state values are not checked."""
    module = definitions()
    check_state = module.check_state
    module.check_type_reference = lambda value, where: None
    module.check_state = lambda value, where, free_values: check_state(value, where, True)


@breaks("KR-GEN-contract", "must pass", "Undocumented Content-Type", only="authenticate")
def answers_text_to_a_failed_login():
    """A refused login answers plain text instead of the error envelope."""
    from starlette.responses import PlainTextResponse

    app = kragle()

    async def authenticate(request):
        try:
            return await original(request)
        except app.KragleError:
            return PlainTextResponse("no", status_code=500)

    original = app.authenticate
    app.authenticate = authenticate


# ---- level 4 ---------------------------------------------------------------------------------


@breaks("KR-VIS-private-unauthenticated", "without auth must answer 403", "answered 200")
def shows_private_blocks_to_everyone():
    """Private blocks are readable by id and name without authentication."""
    kragle().visible = lambda block, user: True


@breaks("KR-VIS-list-unauthenticated", "an unauthenticated list must hold only public blocks")
def lists_private_blocks_to_anonymous():
    """An unauthenticated list shows every block."""
    from reference_server.kragle.store import Store

    page = Store.page

    def every_block(self, viewer, public_only, number):
        if viewer is None:
            return _all(self, number)
        return page(self, viewer, public_only, number)

    def _all(self, number):
        count = self.query("SELECT COUNT(*) FROM kragle_blocktype")[0][0]
        rows = self.query(
            "SELECT * FROM kragle_blocktype ORDER BY id LIMIT 10 OFFSET ?", [(number - 1) * 10]
        )
        return count, [self.block_of(row) for row in rows]

    Store.page = every_block


@breaks("KR-VIS-list-other-user", "another user's list must not hold a private block")
def lists_every_users_private_blocks():
    """An authenticated list shows every user's blocks."""
    from reference_server.kragle.store import Store

    page = Store.page

    def every_block(self, viewer, public_only, number):
        if viewer is None or public_only:
            return page(self, viewer, public_only, number)
        count = self.query("SELECT COUNT(*) FROM kragle_blocktype")[0][0]
        rows = self.query(
            "SELECT * FROM kragle_blocktype ORDER BY id LIMIT 10 OFFSET ?", [(number - 1) * 10]
        )
        return count, [self.block_of(row) for row in rows]

    Store.page = every_block


@breaks("KR-VIS-public-readable", "of a public block must answer 200", "answered 403")
def keeps_approved_blocks_private():
    """Approved blocks stay visible to their owner only."""
    kragle().visible = lambda block, user: block["owner"] == user


@breaks("KR-VIS-own-public-filtered", "is_approved must be left out")
def keeps_is_approved_under_filter_user_types():
    """filter_user_types=1 still gives is_approved."""
    app = kragle()
    shown = app.shown
    app.shown = lambda block, with_approval=True, with_resolved=True: shown(
        block, True, with_resolved
    )


# ---- differences only the comparison with another server catches ---------------------------

differs = partial(differs_from_reference, "kragle")


@differs("test_read_by_id_answers_the_eight_keys", "(keys)", "etag")
def adds_an_etag_to_blocks():
    """Every block carries an extra "etag" key (the documents show each answer's structure, not a
    closed set of keys: no clause forbids one more)."""
    return rewrite_nested(lambda item: "definition" in item, lambda block: block.update(etag="1"))


@differs("test_a_missing_block_gets_code_6_not_404", "body at $.msg", "No such block")
def rewords_the_missing_block_error():
    """Code 6 says "No such block" (the clauses ask for the code, not the words of msg)."""

    def reword(status, body):
        if status == 500 and isinstance(body, dict) and body.get("code") == 6:
            return 500, {**body, "msg": "No such block"}
        return None

    return answers_of("GET", "/blocktypes/by", reword)


# ---- other readings the documents allow: each passes the whole suite -------------------------

allowed = partial(allowed_reading, "kragle")
BLOCKTYPES = re.compile(r"^/kragle/api/v1/(validate/)?blocktypes$")
ONE_BLOCK = re.compile(r"^/kragle/api/v1/blocktypes/(\d+)$")


def payload_of(body):
    """The real payload of a request body (an inline {auth, payload} body's payload)."""
    if isinstance(body, dict) and isinstance(body.get("payload"), dict) and "auth" in body:
        return body["payload"]
    return body


def error(code: int, msg: str) -> tuple[int, dict]:
    return 500, {"code": code, "msg": msg}


@allowed(
    "KR-DEF-required-keys",
    reason="kragle_docs API_Reference/Blocks.md: “definition - string or object”; Faults.md "
    "Code 4: “… has parameters with invalid values, etc.”",
)
def answers_code_4_for_a_definition_that_is_no_object():
    """A definition that is neither a string nor an object (a list, a number) is a payload
    value of the wrong type: code 4, before any structure check."""

    def check(method, path, body):
        payload = payload_of(body)
        if method == "POST" and BLOCKTYPES.match(path) and isinstance(payload, dict):
            definition = payload.get("definition", "")
            if "definition" in payload and not isinstance(definition, str | dict):
                return error(4, "definition must be a string or an object")
        return None

    return request_rewriter(check)


@allowed(
    "KR-REM-uri-needs-is-remote",
    reason="kragle_docs API_Reference/Faults.md Code 9: “The 'definition' provided (either via "
    "remote url or directly) for a new/updated Block is invalid.”",
)
def takes_a_url_without_is_remote_as_a_direct_definition():
    """A string definition sent without is_remote true is validated as a definition given
    directly, which it is not: code 9."""

    def check(method, path, body):
        payload = payload_of(body) if method == "POST" and BLOCKTYPES.match(path) else None
        if not isinstance(payload, dict) or not isinstance(payload.get("definition"), str):
            return None
        if payload.get("is_remote") is not True:
            return error(9, "the definition is not a valid Block structure")
        return None

    return request_rewriter(check)


@allowed(
    "KR-LIST-bad-page",
    reason="kragle_docs API_Reference/Blocks.md: “page - int - The page number of results you "
    "wish to retrieve. Default: 1.” (an empty page= gives none)",
)
def reads_an_empty_page_as_the_first():
    """``page=`` (empty) is no page: the first one."""
    app = kragle()
    original = app.query_page

    def query_page(request):
        if request.query_params.get("page") == "":
            return 1
        return original(request)

    app.query_page = query_page


@allowed(
    "KR-LIST-bad-boolean",
    reason="kragle_docs API_Reference.md: “Query-string parameters which are booleans should be "
    "passed as 0 (representing false) or 1 (representing true).” (what clients send)",
)
def reads_true_and_false_as_booleans():
    """Query booleans also accept true and false (as 1 and 0)."""
    app = kragle()
    app.QUERY_BOOLEANS = {**app.QUERY_BOOLEANS, "true": True, "false": False}


@allowed(
    "KR-AUTH-bad-password",
    reason="kragle_docs API_Reference/Faults.md Code 3: “Returned as a result of failed login "
    "attempts via the api.” (nothing about cookies)",
)
def clears_the_session_on_a_failed_login():
    """A refused login also answers Set-Cookie: auth_tkt=""; Max-Age=0, ending any session."""
    from starlette.middleware.base import BaseHTTPMiddleware

    async def dispatch(request, call_next):
        response = await call_next(request)
        if request.url.path.endswith("/authenticate") and response.status_code == 500:
            response.headers.append("set-cookie", 'auth_tkt=""; Max-Age=0; Path=/')
        return response

    return lambda app: BaseHTTPMiddleware(app, dispatch=dispatch)


@allowed(
    "KR-ERR-bad-json",
    "KR-READ-not-found",
    "KR-CRT-duplicate-name",
    reason="kragle_docs API_Reference/Faults.md: “The error JSON bodies will have the following "
    "format:” (code and msg: a format, not every key there may be)",
)
def adds_a_detail_to_errors():
    """Every error body carries a "detail" member beside code and msg."""

    def with_detail(method, path, status, body):
        if status == 500 and isinstance(body, dict) and "code" in body:
            return status, {**body, "detail": f"error {body['code']}"}
        return None

    return rewrite_responses(with_detail)


@allowed(
    "KR-CRT-defaults",
    "KR-LIST-show-resolved",
    "KR-REM-fetch",
    "KR-GEN-valid-definitions",
    reason="kragle_docs Advanced_Topics/Actions_for_Block_Types.md: “headers - object - … "
    "Default: {}.”, “response_type - … Default: 'string'.”, “auth_required - boolean - … "
    "Default: 'false'.”",
)
def fills_in_the_documented_action_defaults():
    """Definitions are answered with the documented defaults of uri actions filled in (headers
    {}, response_type string, auth_required false)."""
    defaults = {"headers": {}, "response_type": "string", "auth_required": False}

    def filled(definition):
        if not isinstance(definition, dict) or not isinstance(definition.get("actions"), list):
            return definition
        for action in definition["actions"]:
            params = action.get("action_params") if isinstance(action, dict) else None
            if str(action.get("action", "")).startswith("uri_") and isinstance(params, dict):
                action["action_params"] = {**defaults, **params}
        return definition

    def fill(block):
        for key in ("definition", "resolved"):
            if key in block:
                block[key] = filled(block[key])

    return rewrite_nested(lambda item: "definition" in item and "owner" in item, fill)


@allowed(
    "KR-UPD-partial",
    reason="kragle_docs Advanced_Topics/Creating_Block_Types.md: “Custom Blocks which are made "
    "public become read-only, ie: they can't be modified once they're flagged as public.”",
)
def keeps_blocks_flagged_for_approval_read_only():
    """A block flagged for approval (needs_approval) keeps its definition and is_remote: a PUT
    of either gets code 20, as for an approved block."""
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import JSONResponse

    from reference_server.app import profile_app

    def wrap(app):
        store = profile_app(app, "kragle").state.store

        async def dispatch(request, call_next):
            match = ONE_BLOCK.match(request.url.path)
            if request.method != "PUT" or match is None:
                return await call_next(request)
            try:
                payload = payload_of(json.loads(await request.body()))
                block = store.by_id(int(match[1]))
            except Exception:
                return await call_next(request)
            changes = set(payload) if isinstance(payload, dict) else set()
            if block["needs_approval"] and {"definition", "is_remote"} & changes:
                return JSONResponse({"code": 20, "msg": "flagged for approval"}, status_code=500)
            return await call_next(request)

        return BaseHTTPMiddleware(app, dispatch=dispatch)

    return wrap


@allowed(
    "KR-LIST-paging",
    "KR-LIST-count",
    "KR-LIST-item",
    reason="kragle_docs API_Reference/Blocks.md: “Pagination is supported via the page "
    "parameter.” (no order is stated)",
)
def lists_newest_first():
    """Pages list the newest blocks first."""
    from reference_server.kragle import store

    def page(self, viewer, public_only, number):
        where, params = "is_approved = 1", []
        if viewer is not None and not public_only:
            where, params = "(is_approved = 1 OR owner = ?)", [viewer]
        count = self.query(f"SELECT COUNT(*) FROM kragle_blocktype WHERE {where}", params)[0][0]
        rows = self.query(
            f"SELECT * FROM kragle_blocktype WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
            [*params, store.PAGE_SIZE, (number - 1) * store.PAGE_SIZE],
        )
        return count, [self.block_of(row) for row in rows]

    store.Store.page = page


@allowed(
    "KR-DEF-action-params",
    reason="kragle_docs Advanced_Topics/Actions_for_Block_Types.md, under “uri_get, uri_head, "
    "uri_post”: “response_type - string (enum) - One of 'string', 'json' or 'xml'.”",
)
def accepts_xml_for_uri_post():
    """uri_post takes response_type xml too (the schema's uri_post branch says string or json;
    the actions page says xml for all three)."""
    from reference_server.kragle import definitions

    definitions.RESPONSE_TYPES["post"] = {"string", "json", "xml"}


# ---- the deviation catalogue: classic implementer mistakes among the broken variants --------

classic_mistakes(
    "kragle",
    {
        "counts_only_the_page": "total vs page counts: count is the size of the page",
        "repeats_the_last_block_of_each_page": "off-by-one pages: pages overlap by one",
        "numbers_the_first_page_2": "the page echoed wrong: page 1 says page 2",
        "reads_a_bad_page_as_1": "bad input read as a default: a non-integer page is page 1",
        "reads_0_as_true": "query booleans misread: 0 taken as true",
        "validate_stores_the_block": "a validate that stores",
        "validate_skips_the_name_check": "a validate that checks less than create",
        "put_replaces_unspecified_fields": "a full replace on PUT: unsent fields reset",
        "put_answers_the_old_block": "PUT answers the block as it was",
        "approved_blocks_stay_editable": "read-only objects editable: approved blocks change",
        "shows_private_blocks_to_everyone": "a visibility leak: private blocks read without auth",
        "lists_every_users_private_blocks": "a visibility leak: other users' private blocks listed",
        "accepts_duplicate_block_names": "unenforced uniqueness: a taken name accepted",
        "lets_anonymous_writes_in": "unchecked authentication: writes without a session",
        "accepts_any_password": "unchecked credentials: any password logs in",
        "answers_404_for_missing_blocks": "the error convention ignored: 404, not code 6",
        "has_no_size_limit": "no size limit on definitions",
    },
)
