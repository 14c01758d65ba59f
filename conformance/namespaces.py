"""The names of what the suite creates: every object of a run starts with the run's namespace,
``conf-<8 hex>-``, so that its clean-up, and a sweep of what earlier runs left, take exactly
those objects and nothing else.

A profile's ``sweep(client, prefix)`` finds the objects whose name starts with ``prefix`` (the
API's own name filter, or a listing) and says what each is called; which of them belong to a
run is decided here, the same way for every profile.
"""

from __future__ import annotations

import re
from typing import NamedTuple

PREFIX = "conf-"  # the text every run's namespace starts with
# A run's namespace, as every part of the suite makes one (a random or derived 8-hex part).
RUN_NAMESPACE = re.compile(r"conf-[0-9a-f]{8}-")


class Swept(NamedTuple):
    """An object a profile's sweep found: its kind (a ``Resource``'s), id and name."""

    kind: str
    id: str
    name: str


def namespace_of(name: str) -> str | None:
    """The run namespace ``name`` starts with, or None (a name that merely contains
    ``conf-``, or starts with ``conf-`` but not with a run's namespace)."""
    found = RUN_NAMESPACE.match(name)
    return found.group(0) if found else None


def of_earlier_runs(found: list[Swept]) -> dict[str, list[Swept]]:
    """The objects of ``found`` whose name starts with a run's namespace, by namespace."""
    runs: dict[str, list[Swept]] = {}
    for item in found:
        namespace = namespace_of(item.name)
        if namespace is not None:
            runs.setdefault(namespace, []).append(item)
    return dict(sorted(runs.items()))
