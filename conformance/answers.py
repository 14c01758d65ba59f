"""What a profile's answers look like: the JSON Schemas of its bodies and which statuses are
errors, and the validation of a body against one of those schemas.

``Answers`` is the part of a ``Profile`` that ``checks`` reads whenever a test judges an answer;
every ``Exchange`` carries the ``Answers`` of the API it was sent to.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
from referencing import Registry, Resource


def client_error(status: int) -> bool:
    return 400 <= status < 500


def no_promise(method: str, path: str, status: int) -> str | None:
    return None


@dataclass(frozen=True)
class Answers:
    """The shapes of a profile's answers, read by ``checks`` each time a test judges one.

    ``schemas``: the folder of JSON Schemas, one file per answer shape (``Profile`` fills in
    ``fixtures/schemas/<profile>/`` when it is not given). ``error_schema``: the schema every
    error answer's body must match (None: no shape is required of errors). ``is_error``: which
    statuses are error answers. ``promised_by(method, path, status)``: the clause whose
    sentence promises the shape of such an answer (a create's), or None; a test of another
    clause that finds that shape wrong is blocked by it (``steps``)."""

    schemas: Path | None = None
    error_schema: str | None = "error"
    is_error: Any = client_error  # (status) -> bool
    promised_by: Any = no_promise  # (method, path, status) -> clause id or None

    def errors(self, name: str, body: Any) -> list[str]:
        """Why ``body`` does not match the schema ``name``, first by location."""
        if self.schemas is None:
            raise ValueError("the profile's answers have no schema folder")
        return schema_errors(self.schemas, name, body)


@cache
def _schemas(folder: Path) -> tuple[Registry, dict[str, str]]:
    """The JSON Schemas of a folder as a registry, and each file's ``$id`` by its name."""
    resources, ids = [], {}
    for path in sorted(folder.glob("*.json")):
        contents = json.loads(path.read_text())
        resources.append((contents["$id"], Resource.from_contents(contents)))
        ids[path.stem] = contents["$id"]
    return Registry().with_resources(resources), ids


@cache
def _quick_validator(folder: Path, name: str) -> jsonschema_rs.Draft202012Validator:
    """A compiled validator of schema ``name``: it only says whether a body is valid, which is
    most of the time the whole answer, about a hundred times faster than ``jsonschema``."""
    registry, ids = _schemas(folder)
    resources = [(uri, registry[uri].contents) for uri in ids.values()]
    return jsonschema_rs.Draft202012Validator(
        {"$ref": ids[name]}, registry=jsonschema_rs.Registry(resources)
    )


def schema_errors(folder: Path, name: str, body: Any) -> list[str]:
    """Why ``body`` does not match schema ``name`` of ``folder``, first by location; empty when
    it matches. An invalid body is described by ``jsonschema`` (its messages are the ones the
    suite shows); the compiled validator only tells a valid one quickly."""
    if _quick_validator(folder, name).is_valid(body):
        return []
    registry, ids = _schemas(folder)
    validator = jsonschema.Draft202012Validator({"$ref": ids[name]}, registry=registry)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if not errors:  # the two validators disagree: the stricter one is heard
        errors = list(_quick_validator(folder, name).iter_errors(body))
        return [f"{error.instance_path_str or '(root)'}: {error.message}" for error in errors]
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
        for error in errors
    ]
