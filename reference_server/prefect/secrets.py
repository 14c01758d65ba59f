"""Secret masking of block document data, following the schema's ``secret_fields`` entries.

An entry is a dot path (``"pw"``, ``"child.x"``) or ends in a wildcard (``"headers.*"``).
Paths are walked over the data flattened into non-empty objects, as the real server does.
"""

from typing import Any

MASK = "********"

Path = tuple[str, ...]


def flatten(data: dict) -> dict[Path, Any]:
    flat: dict[Path, Any] = {}

    def walk(value: Any, path: Path) -> None:
        if isinstance(value, dict) and value:
            for key, child in value.items():
                walk(child, (*path, key))
        else:
            flat[path] = value

    for key, value in data.items():
        walk(value, (key,))
    return flat


def unflatten(flat: dict[Path, Any]) -> dict:
    data: dict = {}
    for path, value in flat.items():
        node = data
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return data


def _under_wildcard(entry: Path, path: Path) -> bool:
    star = entry.index("*")
    return path[:star] == entry[:star]


def _subtree(flat: dict[Path, Any], entry: Path) -> dict[Path, Any]:
    """The leaves below ``entry`` when ``entry`` holds a non-empty object."""
    return {
        path: value for path, value in flat.items() if path[: len(entry)] == entry and path != entry
    }


def mask_secrets(data: dict, secret_fields: list[str]) -> dict:
    """``data`` with every secret value replaced by the mask."""
    if not secret_fields:
        return data
    flat = flatten(data)
    for field in secret_fields:
        entry = tuple(field.split("."))
        if flat.get(entry) is not None:
            flat[entry] = MASK
        elif below := _subtree(flat, entry):
            # An object under a plain entry (a Secret holding JSON) is masked whole; the real
            # server returns it in clear (PF-SEC-object-secret).
            for path in below:
                del flat[path]
            flat[entry] = MASK
        elif "*" in entry:
            for path in flat:
                if _under_wildcard(entry, path):
                    flat[path] = MASK
    return unflatten(flat)


def restore_masked_secrets(incoming: dict, stored: dict, secret_fields: list[str]) -> dict:
    """``incoming`` with each mask that stands for a stored secret replaced by that secret.

    Clients (the UI, a load-edit-save round trip) send the mask back; it must not overwrite the
    secret. Unlike the real server, a mask under a wildcard with no stored value at that path is
    stored as sent instead of failing with a 500.
    """
    if not secret_fields:
        return incoming
    flat_in = flatten(incoming)
    flat_stored = flatten(stored)
    for field in secret_fields:
        entry = tuple(field.split("."))
        if flat_stored.get(entry) is not None:
            if flat_in.get(entry) == MASK:
                flat_in[entry] = flat_stored[entry]
        elif (below := _subtree(flat_stored, entry)) and flat_in.get(entry) == MASK:
            del flat_in[entry]
            flat_in.update(below)
        elif "*" in entry:
            for path, value in flat_in.items():
                if value == MASK and _under_wildcard(entry, path) and path in flat_stored:
                    flat_in[path] = flat_stored[path]
    return unflatten(flat_in)
