"""Secret values: a block schema names them in ``fields.secret_fields``, each entry a dot path
into a document's data (``password``, ``child.token``) or a path ending in ``.*`` (everything
under that key, a SecretDict). Reads show each one as ``********`` unless the caller asks for
secrets; a write that sends ``********`` back where a secret is stored keeps the secret."""

import copy
from typing import Any

MASK = "********"


def secret_entries(fields: dict) -> list[tuple[list[str], bool]]:
    """Each entry of ``secret_fields`` as (path, whether everything under it is secret)."""
    entries = fields.get("secret_fields")
    if not isinstance(entries, list):
        return []
    found = []
    for entry in entries:
        if not isinstance(entry, str) or not entry:
            continue
        if entry == "*":
            found.append(([], True))
        elif entry.endswith(".*"):
            found.append((entry[:-2].split("."), True))
        else:
            found.append((entry.split("."), False))
    return found


def walk(data: Any, path: list[str]) -> Any:
    """The value at ``path`` through nested objects, or None when the path leaves them."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def masked_all(value: Any) -> Any:
    """Every value under ``value`` masked; a non-empty object keeps its keys."""
    if isinstance(value, dict) and value:
        return {key: masked_all(item) for key, item in value.items()}
    return MASK


def masked(data: dict, fields: dict) -> dict:
    """``data`` as a read without secrets shows it. Any stored value of a secret but null is
    masked whole, objects and lists included: a secret may hold JSON."""
    shown = copy.deepcopy(data)
    for path, everything in secret_entries(fields):
        if not path:
            shown = masked_all(shown) if shown else shown
            continue
        parent = walk(shown, path[:-1])
        key = path[-1]
        if not isinstance(parent, dict) or key not in parent:
            continue
        if everything:
            parent[key] = masked_all(parent[key])
        elif parent[key] is not None:
            parent[key] = MASK
    return shown


def unmasked(sent: Any, stored: Any, everything: bool) -> Any:
    """A sent value with each mask replaced by the stored value it hides."""
    if sent == MASK and stored is not None:
        return copy.deepcopy(stored)
    if everything and isinstance(sent, dict) and isinstance(stored, dict):
        return {
            key: unmasked(value, stored[key], True) if key in stored else value
            for key, value in sent.items()
        }
    return sent


def keeping_secrets(sent: dict, stored: dict, fields: dict) -> dict:
    """The data of a write with the masks sent back replaced by the stored secrets."""
    result = copy.deepcopy(sent)
    for path, everything in secret_entries(fields):
        if not path:
            result = unmasked(result, stored, True)
            continue
        parent, before = walk(result, path[:-1]), walk(stored, path[:-1])
        key = path[-1]
        if (
            isinstance(parent, dict)
            and isinstance(before, dict)
            and key in parent
            and key in before
        ):
            parent[key] = unmasked(parent[key], before[key], everything)
    return result
