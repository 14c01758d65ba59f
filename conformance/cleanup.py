"""Clean-up: the objects a run creates are found from the answers that report them, and at the
end of the run deleted (newest first), then the run's namespaces are swept for objects a server
made without saying so; nothing else on the target is touched.

``CleanUp`` is the part of a ``Profile`` this module reads: the kinds of objects the suite
creates (``Resource``), which answer reports one created (``created_by``, heard after every
exchange of the run's clients) and how a namespace is swept (``sweep``, called at the end).
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from .client import ApiClient, Exchange, LeftBehind, TargetUnreachable
from .namespaces import Swept
from .options import Settings


def nothing_to_prepare(client: ApiClient, settings: Settings) -> str | None:
    return None


# deletes sent at once at clean-up: a real server on SQLite answers a few at once without
# locking its database (it answers many with 503, which the client retries)
DELETES_IN_FLIGHT = 4


@dataclass(frozen=True)
class Resource:
    """A kind of object the suite creates, and how one is deleted. ``delete`` is a path
    template with ``{id}``, or, for an API that cannot delete this kind itself, a function
    ``(client, id) -> Exchange`` that deletes it some other way (a test hook) or raises
    ``client.LeftBehind`` with the reason it stays; an answer in ``gone`` means it is gone."""

    kind: str
    delete: str | Callable[[ApiClient, str], Exchange]
    gone: tuple[int, ...] = (204, 404)


@dataclass(frozen=True)
class CleanUp:
    """What the suite creates on a target and how it goes away again.

    ``resources``: the kinds, in the order clean-up deletes them. ``created_by(client, path,
    exchange)``: the (kind, id) pairs an answer reports created (``path`` is below the base
    URL), called after every exchange of the run's clients. ``sweep(client, prefix)``: the
    objects whose name starts with ``prefix`` (``namespaces.Swept``), called at the end of the
    run with its namespace (a server may create objects without answering that it did), and by
    ``blocks-conformance sweep`` with every run's. ``prepare_sweep(client, settings)``: what
    that command does first, outside a run (log the test users in, say): a paragraph saying why
    it cannot sweep, or None."""

    resources: tuple[Resource, ...]
    created_by: Callable[[ApiClient, str, Exchange], list[tuple[str, str]]]
    sweep: Callable[[ApiClient, str], list[Swept]]
    prepare_sweep: Callable[[ApiClient, Settings], str | None] = nothing_to_prepare

    def resource(self, kind: str) -> Resource:
        return next(resource for resource in self.resources if resource.kind == kind)


class ObjectsCreated:
    """A listener: the objects an answer reports created (as the profile reads it) go into the
    client's registry, which clean-up deletes."""

    def __init__(self, client: ApiClient, part: CleanUp) -> None:
        self.client = client
        self.part = part

    def heard(self, path: str, exchange: Exchange) -> None:
        for kind, object_id in self.part.created_by(self.client, path, exchange):
            self.client.created.add(kind, object_id)


def clean_up(client: ApiClient, part: CleanUp, *namespaces: str) -> list[str]:
    """Delete every object the client's run created, newest first, then sweep the namespaces
    for objects a server created without answering 201 (or another process of the run created:
    the real clients' journeys); return what could not be deleted."""
    leftovers = delete_recorded(client, part)
    try:
        for namespace in namespaces:
            for found in part.sweep(client, namespace):
                client.created.add(found.kind, found.id)
    except TargetUnreachable as error:
        return [*leftovers, f"namespace sweep: {error}"]
    return leftovers + delete_recorded(client, part)


def delete_recorded(client: ApiClient, part: CleanUp) -> list[str]:
    """Delete what the client created, kind by kind in the profile's order, newest first
    (``deleted_all``); return what could not be deleted."""
    leftovers = []
    created = client.created
    for resource in part.resources:
        ids = list(reversed(created.ids.get(resource.kind, [])))
        for object_id, (left_behind, leftover) in zip(
            ids, deleted_all(client, resource, ids), strict=True
        ):
            entry = f"{resource.kind} {object_id}: {left_behind or leftover}"
            if left_behind and entry not in created.left_behind:  # the sweep finds it again
                created.left_behind.append(entry)
            elif leftover:
                leftovers.append(entry)
        created.ids.pop(resource.kind, None)
    return leftovers


def deleted_all(client: ApiClient, resource: Resource, ids: list[str]) -> list[tuple[str, str]]:
    """Delete the objects ``ids`` of one kind, a few at a time (``DELETES_IN_FLIGHT``: against
    a target 50 ms away, a default run's thousand deletes take a minute one by one), and one by
    one once the server is busy (the client had to retry: a real server on SQLite answers
    deletes sent at once with 503). A delete that failed is tried once more, alone."""
    outcomes: list[tuple[str, str]] = []
    in_flight = DELETES_IN_FLIGHT
    for start in range(0, len(ids), DELETES_IN_FLIGHT * 8):
        batch = ids[start : start + DELETES_IN_FLIGHT * 8]
        retried = client.counters.retried
        with ThreadPoolExecutor(in_flight) as pool:
            outcomes += pool.map(partial(deleted, client, resource), batch)
        if client.counters.retried > retried:
            in_flight = 1
    return [
        deleted(client, resource, object_id) if outcome[1] else outcome
        for object_id, outcome in zip(ids, outcomes, strict=True)
    ]


def deleted(client: ApiClient, resource: Resource, object_id: str) -> tuple[str, str]:
    """Delete one object: ("", "") when it is gone, else why it is left behind (the API cannot
    delete it) or why the delete failed."""
    try:
        answer = delete_object(client, resource, object_id)
    except LeftBehind as reason:
        return str(reason), ""
    except TargetUnreachable as error:
        return "", str(error)
    if answer.status not in resource.gone:
        return "", f"DELETE answered {answer.status}"
    return "", ""


def delete_object(client: ApiClient, resource: Resource, object_id: str) -> Exchange:
    """Delete one object of the kind ``resource`` (through the API, or the profile's own way
    for a kind the API cannot delete)."""
    if callable(resource.delete):
        return resource.delete(client, object_id)
    return client.delete(resource.delete.format(id=object_id))


def delete_all_but(client: ApiClient, part: CleanUp, kept: set[str]) -> None:
    """Delete what the client created but the objects ``kept`` (an oracle's objects that no
    target object is paired with, say)."""
    for resource in part.resources:
        for object_id in list(client.created.ids.get(resource.kind, [])):
            if object_id not in kept:
                try:
                    delete_object(client, resource, object_id)
                except LeftBehind:
                    continue  # deleted at clean-up, or reported left behind there
                client.forget(resource.kind, object_id)
