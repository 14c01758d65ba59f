"""Hand-written definitions: one that breaks each rule of the block definition schema, and one
valid definition for each action and io shape."""

import copy
from collections.abc import Callable
from typing import Any

from .helpers import minimal_definition


def changed(change: Callable[[dict], Any]) -> dict:
    definition = copy.deepcopy(minimal_definition())
    change(definition)
    return definition


def with_action(action: str, params: Any) -> dict:
    return changed(lambda d: d.update(actions=[{"action": action, "action_params": params}]))


URI = "https://example.com/endpoint"

BROKEN = {
    "KR-DEF-required-keys": {
        "no io": changed(lambda d: d.pop("io")),
        "no actions": changed(lambda d: d.pop("actions")),
        "no state": changed(lambda d: d.pop("state")),
        "no initial_state": changed(lambda d: d.pop("initial_state")),
        "a list": [minimal_definition()],
    },
    "KR-DEF-io": {
        "no input": changed(lambda d: d["io"].pop("input")),
        "no output": changed(lambda d: d["io"].pop("output")),
        "two Type names": changed(lambda d: d["io"].update(input=["TypeA", "TypeB"])),
        "a number": changed(lambda d: d["io"].update(output=5)),
        "an object": changed(lambda d: d["io"].update(input={"type": "TypeA"})),
    },
    "KR-DEF-actions": {
        "no actions": changed(lambda d: d.update(actions=[])),
        "unknown action": with_action("uri_delete", {"uri": URI}),
        "no action_params": changed(lambda d: d["actions"][0].pop("action_params")),
        "action_params a list": with_action("debug", []),
        "actions an object": changed(lambda d: d.update(actions={"action": "debug"})),
    },
    "KR-DEF-action-params": {
        "uri_get without uri": with_action("uri_get", {}),
        "uri_post without uri": with_action("uri_post", {"body": "x"}),
        "auth_required without auth_type": with_action(
            "uri_get", {"uri": URI, "auth_required": True}
        ),
        "unknown auth_type": with_action(
            "uri_get", {"uri": URI, "auth_required": True, "auth_type": "oauth"}
        ),
        "unknown response_type": with_action("uri_head", {"uri": URI, "response_type": "html"}),
        "headers not strings": with_action(
            "uri_get_with_headers", {"uri": URI, "headers": {"a": 1}}
        ),
        "uri a number": with_action("uri_get", {"uri": 5}),
        "convert without conversion": with_action("convert", {}),
        "exclude_in without element_path": with_action("exclude_in", {"exclusions": []}),
        "filter without exclusions": with_action("filter", {"element_path": "x"}),
    },
    "KR-DEF-state": {
        "state without input": changed(lambda d: d["state"].pop("input")),
        "initial_state without output": changed(lambda d: d["initial_state"].pop("output")),
        "state input a list": changed(lambda d: d["state"].update(input=[])),
        "a number in state": changed(lambda d: d["state"]["output"].update(last=5)),
        "initial_state a string": changed(lambda d: d.update(initial_state="empty")),
    },
}

VALID = {
    "the documents' example": minimal_definition(),
    "uri_get with every parameter": with_action(
        "uri_get",
        {
            "uri": URI,
            "headers": {"Accept": "application/xml"},
            "response_type": "xml",
            "auth_required": True,
            "auth_type": "basic",
        },
    ),
    "uri_head": with_action("uri_head", {"uri": URI, "response_type": "string"}),
    "uri_get_with_headers": with_action("uri_get_with_headers", {"uri": URI, "headers": {}}),
    "uri_head_with_headers": with_action(
        "uri_head_with_headers", {"uri": URI, "auth_required": False, "auth_type": "strategy"}
    ),
    "uri_post with a body": with_action(
        "uri_post", {"uri": URI, "body": "{}", "response_type": "json"}
    ),
    "uri_post_with_headers": with_action("uri_post_with_headers", {"uri": URI, "headers": {}}),
    "convert": with_action("convert", {"conversion": {"out": "{{input.x}}"}}),
    "exclude_in": with_action("exclude_in", {"exclusions": ["a"], "element_path": "items"}),
    "filter": with_action("filter", {"exclusions": None}),
    "debug": with_action("debug", {"anything": [1, 2]}),
    "take_first, take_last, take_head, take_tail": changed(
        lambda d: d.update(
            actions=[
                {"action": name, "action_params": {}}
                for name in ("take_first", "take_last", "take_head", "take_tail")
            ]
        )
    ),
    "io of null and a one-name list": changed(
        lambda d: d.update(io={"input": None, "output": ["TypeB"]})
    ),
    "state values of every allowed kind": changed(
        lambda d: d["state"].update(input={"a": {}, "b": [], "c": "x", "d": None})
    ),
    "free-form initial_state": changed(
        lambda d: d["initial_state"].update(output={"count": 0, "seen": True})
    ),
}
