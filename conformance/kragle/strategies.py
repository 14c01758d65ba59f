"""Hypothesis strategies for block definitions, derived from the definition schema
(``fixtures/kragle/block_definition.json``): valid ones drawn from the schema itself, invalid
ones made from a valid one by breaking one rule the schema states at one place (a required key
dropped, a value of a type the schema does not allow, a value outside an enum, an array too
short or too long, a dependency left out).

The schema is turned into strategies here, for the keywords it uses (type, enum, properties,
required, additionalProperties, items, minItems, maxItems, anyOf, dependencies): the
hypothesis-jsonschema library (0.23.1, its latest) fails inside its object strategy with the
Hypothesis this suite needs."""

import copy
import json
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import jsonschema
from hypothesis import strategies as st

from .. import fixtures_dir
from .helpers import compact_size

SCHEMA_PATH = fixtures_dir() / "kragle" / "block_definition.json"
MAX_GENERATED_BYTES = 16_000  # well under the 64 KB limit, which has a clause of its own
SAMPLES_OF_TYPE = {
    "object": {"k": "v"},
    "array": ["v"],
    "string": "v",
    "integer": 7,
    "boolean": True,
    "null": None,
}
Change = Callable[[Any], Any]  # a mutation of the value at one place


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


@cache
def validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema())


def uri_actions(definition: dict) -> int:
    return sum(str(item.get("action", "")).startswith("uri_") for item in definition["actions"])


TEXT = st.text(max_size=12)
KEYS = st.text(min_size=1, max_size=8)
LEAVES = st.none() | st.booleans() | st.integers(-1000, 1000) | TEXT
ANY_JSON = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)
OF_TYPE = {
    "null": st.none(),
    "boolean": st.booleans(),
    "integer": st.integers(-1000, 1000),
    "number": st.integers(-1000, 1000) | st.floats(allow_nan=False, allow_infinity=False),
    "string": TEXT,
}


def from_schema(part: dict | bool) -> st.SearchStrategy[Any]:
    """Values valid under ``part`` (the keywords the definition schema uses)."""
    if part is True or part == {}:
        return ANY_JSON
    if "anyOf" in part:
        return st.one_of([from_schema(branch) for branch in part["anyOf"]])
    if "enum" in part:
        return st.sampled_from(part["enum"])
    types = allowed_types(part) or set(OF_TYPE) | {"object", "array"}
    return st.one_of([of_type(name, part) for name in sorted(types)])


def of_type(name: str, part: dict) -> st.SearchStrategy[Any]:
    if name == "object":
        return objects(part)
    if name == "array":
        items = from_schema(part.get("items", True))
        low = part.get("minItems", 0)
        return st.lists(items, min_size=low, max_size=part.get("maxItems", low + 3))
    return OF_TYPE[name]


@st.composite
def objects(draw, part: dict) -> dict:
    """The required keys, some of the optional ones, some extra keys when allowed, and the
    keys that present ones depend on."""
    properties = part.get("properties", {})
    required = set(part.get("required", []))
    optional = sorted(set(properties) - required)
    chosen = (
        required | set(draw(st.lists(st.sampled_from(optional), unique=True)))
        if optional
        else required
    )
    for key, needed in part.get("dependencies", {}).items():
        if key in chosen:
            chosen |= set(needed)
    value = {key: draw(from_schema(properties[key])) for key in sorted(chosen)}
    extra = part.get("additionalProperties", True)
    if extra is not False:
        more = draw(st.dictionaries(KEYS, from_schema(extra), max_size=2))
        value.update({k: v for k, v in more.items() if k not in properties})
    return value


def valid_definitions() -> st.SearchStrategy[dict]:
    """Valid under the schema, with at most one uri action (error 13 is its own clause)."""
    return from_schema(schema()).filter(
        lambda d: uri_actions(d) <= 1 and compact_size(d) <= MAX_GENERATED_BYTES
    )


def allowed_types(part: dict) -> set[str] | None:
    declared = part.get("type")
    if declared is None:
        return None
    return {declared} if isinstance(declared, str) else set(declared)


def branch_of(part: dict, value: Any) -> dict:
    """The anyOf branch a valid value follows (the schema's action kinds are disjoint)."""
    for branch in part.get("anyOf", []):
        if jsonschema.Draft7Validator(branch).is_valid(value):
            return branch
    return part


def local_breaks(part: dict, value: Any) -> Iterator[tuple[str, Change]]:
    types = allowed_types(part)
    if types is not None:
        for name, sample in SAMPLES_OF_TYPE.items():
            if name not in types and not (name == "integer" and "number" in types):
                yield f"a {name} where the schema wants {sorted(types)}", lambda _, s=sample: s
    if "enum" in part:
        yield "a value outside the enum", lambda v: f"not-{v}"
    if isinstance(value, dict):
        for key in part.get("required", []):
            if key in value:
                yield f"no {key}", lambda v, k=key: {x: y for x, y in v.items() if x != k}
        for key, needed in part.get("dependencies", {}).items():
            if key in value or "properties" in part:
                yield (
                    f"{key} without {needed}",
                    lambda v, k=key, n=needed: {
                        **{x: y for x, y in v.items() if x not in n},
                        k: True,
                    },
                )
    if isinstance(value, list):
        if part.get("minItems", 0) > 0:
            yield "an empty list", lambda _: []
        if "maxItems" in part:
            yield "too many items", lambda _, m=part["maxItems"]: ["TypeA"] * (m + 1)


def breaks(part: dict, value: Any, path: tuple = ()) -> Iterator[tuple[str, tuple, Change]]:
    """Every (description, path, change) that breaks one rule at one place inside ``value``."""
    part = branch_of(part, value)
    if path:  # the definition itself stays an object: a string would be a remote URL
        for description, change in local_breaks(part, value):
            yield description, path, change
    else:
        for description, change in local_breaks(part, value):
            if description.startswith("no "):
                yield description, path, change
    if isinstance(value, dict):
        properties = part.get("properties", {})
        extra = part.get("additionalProperties")
        for key, child in value.items():
            child_schema = properties.get(key, extra if isinstance(extra, dict) else None)
            if child_schema is not None:
                yield from breaks(child_schema, child, (*path, key))
    if isinstance(value, list) and isinstance(part.get("items"), dict):
        for index, child in enumerate(value):
            yield from breaks(part["items"], child, (*path, index))


def applied(definition: dict, path: tuple, change: Change) -> dict:
    broken = copy.deepcopy(definition)
    if not path:
        return change(broken)
    holder = broken
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = change(holder[path[-1]])
    return broken


@st.composite
def invalid_definitions(draw) -> tuple[str, dict]:
    """(what was broken, a definition that breaks the schema at exactly that place)."""
    definition = draw(valid_definitions())
    options = list(breaks(schema(), definition))
    # Spread over every place: sampled_from favours the first options (the root's keys).
    description, path, change = options[draw(st.integers(0, 2**32)) % len(options)]
    broken = applied(definition, path, change)
    where = "/".join(str(step) for step in path) or "(root)"
    return f"{description} at {where}", broken


def is_valid(definition: Any) -> bool:
    return validator().is_valid(definition)
