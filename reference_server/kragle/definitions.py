"""Is a block definition a "valid Block structure"? The four-key structure of the Kragle
documents' block type JSON Schema, checked by hand (the suite checks it with the schema), plus
the one-uri-action rule and the 64 KB size limit."""

import json
from typing import Any

from .errors import BAD_DEFINITION, TWO_URI_ACTIONS, KragleError

MAX_DEFINITION_BYTES = 64 * 1024
GET_ACTIONS = {"uri_get", "uri_head", "uri_get_with_headers", "uri_head_with_headers"}
POST_ACTIONS = {"uri_post", "uri_post_with_headers"}
FREE_ACTIONS = {"debug", "take_first", "take_last", "take_head", "take_tail"}
REQUIRED_PARAMS = {
    "convert": ("conversion",),
    "exclude_in": ("exclusions", "element_path"),
    "filter": ("exclusions",),
}
RESPONSE_TYPES = {"get": {"string", "json", "xml"}, "post": {"string", "json"}}
AUTH_TYPES = {"strategy", "basic"}


class Invalid(Exception):
    """Where the definition breaks the structure."""


def is_structured(value: Any) -> bool:
    """An object, array, string or null: what state values and conversion parameters hold."""
    return value is None or isinstance(value, dict | list | str)


def need_object(value: Any, where: str, keys: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        raise Invalid(f"{where} must be an object")
    for key in keys:
        if key not in value:
            raise Invalid(f"{where} needs '{key}'")
    return value


def check_type_reference(value: Any, where: str) -> None:
    """null, a Type name, or an array of at most one Type name."""
    if value is None or isinstance(value, str):
        return
    if isinstance(value, list) and len(value) <= 1 and all(isinstance(v, str) for v in value):
        return
    raise Invalid(f"{where} must be null, a Type name or a list of at most one Type name")


def one_of(value: Any, allowed: set[str]) -> bool:
    """A string among ``allowed`` (a list or an object is none, and is not hashable)."""
    return isinstance(value, str) and value in allowed


def check_uri_params(params: dict, where: str, family: str) -> None:
    if not isinstance(params.get("uri", 0), str):
        raise Invalid(f"{where}.uri must be a string")
    headers = params.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise Invalid(f"{where}.headers must map names to strings")
    if "response_type" in params and not one_of(params["response_type"], RESPONSE_TYPES[family]):
        raise Invalid(f"{where}.response_type must be one of {sorted(RESPONSE_TYPES[family])}")
    if family == "post" and not isinstance(params.get("body", ""), str):
        raise Invalid(f"{where}.body must be a string")
    if "auth_required" in params:
        if not isinstance(params["auth_required"], bool):
            raise Invalid(f"{where}.auth_required must be a boolean")
        if "auth_type" not in params:
            raise Invalid(f"{where}: auth_required needs auth_type")
    if "auth_type" in params and not one_of(params["auth_type"], AUTH_TYPES):
        raise Invalid(f"{where}.auth_type must be one of {sorted(AUTH_TYPES)}")


def check_action(item: Any, where: str) -> None:
    item = need_object(item, where, ("action", "action_params"))
    action, params = item["action"], need_object(item["action_params"], f"{where}.action_params")
    if not isinstance(action, str):
        raise Invalid(f"{where}.action must be a string")
    if action in GET_ACTIONS or action in POST_ACTIONS:
        need_object(params, f"{where}.action_params", ("uri",))
        family = "get" if action in GET_ACTIONS else "post"
        check_uri_params(params, f"{where}.action_params", family)
    elif action in REQUIRED_PARAMS:
        need_object(params, f"{where}.action_params", REQUIRED_PARAMS[action])
        for key in REQUIRED_PARAMS[action]:
            if not is_structured(params[key]):
                kinds = "an object, array, string or null"
                raise Invalid(f"{where}.action_params.{key} must be {kinds}")
    elif action not in FREE_ACTIONS:
        raise Invalid(f"{where}.action {action!r} is not a known action")


def check_state(value: Any, where: str, free_values: bool) -> None:
    state = need_object(value, where, ("input", "output"))
    for side in ("input", "output"):
        entries = need_object(state[side], f"{where}.{side}")
        if not free_values and not all(is_structured(v) for v in entries.values()):
            raise Invalid(f"{where}.{side} values must be objects, arrays, strings or null")


def check_structure(definition: Any) -> None:
    definition = need_object(definition, "definition", ("io", "actions", "state", "initial_state"))
    io = need_object(definition["io"], "io", ("input", "output"))
    check_type_reference(io["input"], "io.input")
    check_type_reference(io["output"], "io.output")
    actions = definition["actions"]
    if not isinstance(actions, list) or not actions:
        raise Invalid("actions must be a list of at least one action")
    for index, item in enumerate(actions):
        check_action(item, f"actions[{index}]")
    check_state(definition["state"], "state", free_values=False)
    check_state(definition["initial_state"], "initial_state", free_values=True)


def encoded_size(definition: Any) -> int:
    return len(json.dumps(definition, separators=(",", ":"), ensure_ascii=False).encode())


def validate_definition(definition: Any) -> None:
    """KragleError 9 for a definition that is not a valid Block structure or is over 64 KB,
    13 for a second uri action."""
    if encoded_size(definition) > MAX_DEFINITION_BYTES:
        raise KragleError(BAD_DEFINITION, f"over {MAX_DEFINITION_BYTES} bytes as JSON")
    try:
        check_structure(definition)
    except Invalid as problem:
        raise KragleError(BAD_DEFINITION, str(problem)) from None
    uri_actions = [a for a in definition["actions"] if a["action"] in GET_ACTIONS | POST_ACTIONS]
    if len(uri_actions) > 1:
        raise KragleError(TWO_URI_ACTIONS)
