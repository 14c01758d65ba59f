"""Building a profile's OpenAPI 3.1 contract (``fixtures/openapi/<profile>.json``): its paths,
written by the profile, and its answers' JSON Schemas (``fixtures/schemas/<profile>/``) as
components.

A profile's ``contract.py`` supplies ``build()`` and calls ``main(build, CONTRACT_PATH)`` when
run as a module (``python -m conformance.<profile>.contract [PATH]``).

A request schema is the API's published reading, as a JSON Schema validator reads it; an input a
real server also accepts by converting it (``"5"`` for an integer) is named in the schema's
``x-blocks-lax`` annotation. A contract is read two ways: ``published`` (without them: what
valid generated requests are drawn from) and ``widened`` (with them: what no invalid generated
request may be).
"""

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import file_name, fixtures_dir

COMPONENTS = "#/components/schemas/"
FILE_REFERENCE = re.compile(r"(\w+)\.json(?:#(.*))?")

# A contract node's annotation of the inputs the published API leaves out but a real server
# accepts by converting them (a JSON Schema of them): valid requests never hold them, invalid
# ones are never made of them.
LAX = "x-blocks-lax"


def published(node: Any) -> Any:
    """The contract as a JSON Schema validator reads the published API: without the inputs of
    its ``x-blocks-lax`` annotations."""
    if isinstance(node, dict):
        return {key: published(value) for key, value in node.items() if key != LAX}
    if isinstance(node, list):
        return [published(item) for item in node]
    return node


def widened(node: Any) -> Any:
    """The contract with every annotated input admitted too: what no invalid request may be."""
    if isinstance(node, dict):
        own = {key: widened(value) for key, value in node.items() if key != LAX}
        if LAX in node:
            return {"anyOf": [own, widened(node[LAX])]}
        return own
    if isinstance(node, list):
        return [widened(item) for item in node]
    return node


def lax_inputs(node: Any, where: tuple = ()) -> list[tuple[tuple, dict]]:
    """Every annotation of the contract: where it is (keys from the root) and its schema."""
    found = []
    if isinstance(node, dict):
        if LAX in node:
            found.append((where, node[LAX]))
        for key, value in node.items():
            if key != LAX:
                found += lax_inputs(value, (*where, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += lax_inputs(item, (*where, index))
    return found


def ref(name: str) -> dict:
    return {"$ref": f"{COMPONENTS}{name}"}


def localise(node: Any, renamed: dict[str, str] | None = None) -> Any:
    """A schema file's references (``x.json``, ``common.json#/$defs/y``) as component
    references, without ``$id`` and ``$schema``, with the keys in ``renamed`` renamed (draft
    07's ``dependencies`` of names is 2020-12's ``dependentRequired``)."""
    renamed = renamed or {}
    if isinstance(node, dict):
        out = {
            renamed.get(key, key): localise(value, renamed)
            for key, value in node.items()
            if key not in ("$id", "$schema")
        }
        match = FILE_REFERENCE.fullmatch(out["$ref"]) if isinstance(out.get("$ref"), str) else None
        if match:
            out["$ref"] = f"{COMPONENTS}{match[1]}{match[2] or ''}"
        return out
    if isinstance(node, list):
        return [localise(item, renamed) for item in node]
    return node


def schemas_of(folder: Path, renamed: dict[str, str] | None = None) -> dict[str, Any]:
    """Every JSON Schema of ``folder``, localised, by file name."""
    return {
        path.stem: localise(json.loads(path.read_text()), renamed)
        for path in sorted(folder.glob("*.json"))
    }


def document(info: dict, paths: dict, schemas: dict) -> dict:
    return {"openapi": "3.1.0", "info": info, "paths": paths, "components": {"schemas": schemas}}


def contract_path(profile: str) -> Path:
    """Where a profile's contract is: ``fixtures/openapi/<profile>.json`` (its file name)."""
    return fixtures_dir() / "openapi" / f"{file_name(profile)}.json"


def render(contract: dict) -> str:
    return json.dumps(contract, indent=2) + "\n"


def main(build: Callable[[], dict], default_path: Path, argv: list[str] | None = None) -> None:
    """Write the contract to the path given on the command line, else to ``default_path``."""
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else default_path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(build()))
