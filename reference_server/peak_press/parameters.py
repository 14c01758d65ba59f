"""Block parameters: definitions in a spec release, values given at deployment time (build and
run), type checks for the seven types, and masking of ``hideValue`` values in descriptions."""

from typing import Any

SECTIONS = ("build", "run")
MASK = "********"


class ParameterError(ValueError):
    """A parameter definition or value the server refuses (400)."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_list_of(check) -> Any:
    return lambda value: isinstance(value, list) and all(check(item) for item in value)


TYPE_CHECKS = {
    "boolean": lambda value: isinstance(value, bool),
    "string": lambda value: isinstance(value, str),
    "string_array": _is_list_of(lambda item: isinstance(item, str)),
    "number": _is_number,
    "number_array": _is_list_of(_is_number),
    "object": lambda value: isinstance(value, dict),
    "object_array": _is_list_of(lambda item: isinstance(item, dict)),
}


def checked_definitions(raw: Any) -> dict[str, list[dict]]:
    """``{"build": [...], "run": [...]}`` of parameter definitions, each with a name, one of the
    seven types and a boolean ``required``; ParameterError otherwise."""
    if raw is None:
        return {section: [] for section in SECTIONS}
    if not isinstance(raw, dict) or set(raw) - set(SECTIONS):
        raise ParameterError("parameters must be an object with the keys build and run")
    definitions = {}
    for section in SECTIONS:
        entries = raw.get(section) or []
        if not isinstance(entries, list):
            raise ParameterError(f"parameters.{section} must be a list of parameter definitions")
        names = set()
        for entry in entries:
            check_definition(section, entry)
            if entry["name"] in names:
                raise ParameterError(f"parameters.{section}: {entry['name']} is defined twice")
            names.add(entry["name"])
        definitions[section] = entries
    return definitions


def check_definition(section: str, entry: Any) -> None:
    if not isinstance(entry, dict):
        raise ParameterError(f"parameters.{section}: each definition must be an object")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise ParameterError(f"parameters.{section}: each definition needs a name")
    if entry.get("type") not in TYPE_CHECKS:
        raise ParameterError(
            f"parameters.{section}.{name}: type must be one of {', '.join(TYPE_CHECKS)}"
        )
    if not isinstance(entry.get("required"), bool):
        raise ParameterError(f"parameters.{section}.{name}: required must be a boolean")
    default = entry.get("defaultValue")
    if default is not None and not TYPE_CHECKS[entry["type"]](default):
        raise ParameterError(f"parameters.{section}.{name}: defaultValue is not a {entry['type']}")


def resolved_values(definitions: dict[str, list[dict]], given: Any) -> dict[str, dict]:
    """The values of a deployment or revision: the given ones, checked against the release's
    definitions, plus the defaults of those left out; ParameterError for an unknown name, a
    value of the wrong type or a required parameter without a value."""
    if given is None:
        given = {}
    if not isinstance(given, dict) or set(given) - set(SECTIONS):
        raise ParameterError("parameters must be an object with the keys build and run")
    values = {}
    for section in SECTIONS:
        section_given = given.get(section) or {}
        if not isinstance(section_given, dict):
            raise ParameterError(f"parameters.{section} must map parameter names to values")
        values[section] = checked_values(definitions[section], section_given, section)
        for definition in definitions[section]:
            name = definition["name"]
            if name in values[section]:
                continue
            if definition.get("defaultValue") is not None:
                values[section][name] = definition["defaultValue"]
            elif definition["required"]:
                raise ParameterError(f"parameters.{section}.{name} is required")
    return values


def checked_values(definitions: list[dict], given: dict, section: str) -> dict:
    """``given`` when every name is defined and every value has its definition's type."""
    by_name = {definition["name"]: definition for definition in definitions}
    for name, value in given.items():
        definition = by_name.get(name)
        if definition is None:
            raise ParameterError(f"parameters.{section}.{name} is not a parameter of the release")
        if not TYPE_CHECKS[definition["type"]](value):
            raise ParameterError(f"parameters.{section}.{name} must be a {definition['type']}")
    return dict(given)


def hidden_names(definitions: dict[str, list[dict]]) -> dict[str, list[str]]:
    return {
        section: [entry["name"] for entry in definitions[section] if entry.get("hideValue")]
        for section in SECTIONS
    }


def masked(values: dict[str, dict], hidden: dict[str, list[str]]) -> dict[str, dict]:
    """The values with every hidden one replaced by a mask."""
    return {
        section: {
            name: MASK if name in hidden.get(section, []) else value
            for name, value in values.get(section, {}).items()
        }
        for section in SECTIONS
    }
