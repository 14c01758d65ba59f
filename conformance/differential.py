"""Differential mode: every request the suite sends to the target is also answered by an
oracle (a live server, or a recorded run of one), and the two answers are compared.

Values a server invents are paired, not compared: a UUID first seen at a place in a target
answer is paired with the UUID at the same place in the oracle's answer, and later requests to
the oracle carry the paired ids. Timestamps are compared by format and by movement (an object's
``updated`` moves on both servers or on neither). Everything else is compared exactly: status,
content type, body structure and values, list order.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .client import ApiClient, Exchange, TargetUnreachable, body_of_record
from .profiles import no_identity
from .timestamps import NotATimestamp, parse

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
SHOWN = 600
RECORDED_ANOTHER_REQUEST = "request (the recorded run sent another body here)"


@dataclass
class Answer:
    """What a server answered: the parts the comparison looks at."""

    status: int
    content_type: str
    body: str
    # a recorded answer to a request whose body was not the one sent now (the generated
    # traffic of the replay took another turn): the body the recorded run sent
    other_request: bytes | None = None

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return NOT_JSON


NOT_JSON = object()


@dataclass
class Difference:
    test: str
    clauses: list[str]
    method: str
    path: str
    request: str
    where: str  # "status", "content type", or "body at $.x.y"
    target: str  # the target's value there
    oracle: str  # the oracle's value there
    target_answer: str
    oracle_answer: str

    def headline(self) -> str:
        return (
            f"{self.method} {self.path}: {self.where}: target {self.target}, oracle {self.oracle}"
        )

    def describe(self) -> str:
        return describe_difference(self.as_json())

    def as_json(self) -> dict:
        return asdict(self)


def describe_difference(difference: dict) -> str:
    """A difference as printed: where, the request, both values and both answers."""
    request = f"{difference['method']} {difference['path']}"
    lines = [f"{difference['where']} differs", f"  request: {request}"]
    if difference["request"]:
        lines.append(f"           {difference['request']}")
    lines += [
        f"  target:  {difference['target']}",
        f"  oracle:  {difference['oracle']}",
        f"  target answered: {difference['target_answer']}",
        f"  oracle answered: {difference['oracle_answer']}",
    ]
    return "\n".join(lines)


def short(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN] + f"... ({len(text)} chars)"


def shown(value: Any) -> str:
    return short(json.dumps(value)) if value is not NOT_JSON else "(not JSON)"


# ---- pairing and comparison -----------------------------------------------------------------


@dataclass
class Pairing:
    """Target ids paired with oracle ids, and the timestamps last seen for each object."""

    ids: dict[str, str] = field(default_factory=dict)
    seen: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def to_oracle(self, text: str) -> str:
        """``text`` (a path, query or body) with the target's ids as the oracle's."""
        return UUID.sub(lambda match: self.ids.get(match.group(0), match.group(0)), text)

    def bytes_to_oracle(self, content: bytes) -> bytes:
        # latin-1 maps every byte to one character and back, so any body survives
        return self.to_oracle(content.decode("latin-1")).encode("latin-1")


class Comparison:
    """Walks a target and an oracle answer side by side, pairing ids as it goes. Lists of
    objects with an identity (``identity(item)``, the profile's: a slug, a name) are matched
    by it, so that one object only one server has does not shift every pairing after it."""

    def __init__(
        self,
        pairing: Pairing,
        identity: Callable[[dict], str | None],
        unordered_keys: frozenset[str] = frozenset(),
    ) -> None:
        self.pairing = pairing
        self.identity = identity
        self.unordered_keys = unordered_keys
        self.problems: list[tuple[str, str, str]] = []  # (where, target, oracle)

    def compare(self, target: Any, oracle: Any, where: str = "$", owner: str = "") -> None:
        if isinstance(target, dict) and isinstance(oracle, dict):
            mine, theirs = self.identity(target), self.identity(oracle)
            if mine is not None and theirs is not None and not self.same_object(mine, theirs):
                # two different objects: their ids must not be paired
                self.problems.append((f"{where} (which object)", mine, theirs))
                return
            self._compare_objects(target, oracle, where, owner)
        elif isinstance(target, list) and isinstance(oracle, list):
            if self._compare_by_identity(target, oracle, where, owner):
                return
            if len(target) != len(oracle):
                self._list_lengths_differ(target, oracle, where)
                return
            for index, (mine, theirs) in enumerate(zip(target, oracle, strict=True)):
                self.compare(mine, theirs, f"{where}[{index}]", owner)
        elif isinstance(target, str) and isinstance(oracle, str):
            self._compare_strings(target, oracle, where, owner)
        elif target != oracle or type(target) is not type(oracle):
            self.problems.append((where, shown(target), shown(oracle)))

    def same_object(self, mine: str, theirs: str) -> bool:
        """Whether two identities name the same object: equal once paired ids are translated,
        or equal but for ids not paired yet (a generated name such as anonymous-<uuid>), which
        are then paired."""
        if self.pairing.to_oracle(mine) == theirs:
            return True
        unpaired = [i for i in UUID.findall(mine) if i not in self.pairing.ids]
        if not unpaired or UUID.sub("-", mine) != UUID.sub("-", theirs):
            return False
        for target_id, oracle_id in zip(UUID.findall(mine), UUID.findall(theirs), strict=True):
            self.pairing.ids.setdefault(target_id, oracle_id)
        return self.pairing.to_oracle(mine) == theirs

    def identities(self, items: list) -> list[str] | None:
        keys = [self.identity(item) if isinstance(item, dict) else None for item in items]
        if not items or None in keys or len(set(keys)) != len(keys):
            return None
        return keys

    def _compare_by_identity(self, target: list, oracle: list, where: str, owner: str) -> bool:
        """Lists whose items all have distinct identities on both sides: the items only one
        side has, the order of the common ones, and each common item. False: not such lists."""
        mine, theirs = self.identities(target), self.identities(oracle)
        if mine is None or theirs is None:
            return False
        unmatched = [key for key in theirs if key not in {self.pairing.to_oracle(k) for k in mine}]
        for key in mine:
            if self.pairing.to_oracle(key) not in theirs:
                shape = UUID.sub("-", key)
                alike = [other for other in unmatched if UUID.sub("-", other) == shape]
                if len(alike) == 1:  # the one object of that shape, its ids not paired yet
                    self.same_object(key, alike[0])
                    unmatched.remove(alike[0])
        mine = [self.pairing.to_oracle(key) for key in mine]  # ids inside names, paired
        only_target = [key for key in mine if key not in theirs]
        only_oracle = [key for key in theirs if key not in mine]
        if only_target or only_oracle:
            self.problems.append(
                (
                    f"{where} (items)",
                    f"{len(target)} items, only here: {only_target[:10]}",
                    f"{len(oracle)} items, only here: {only_oracle[:10]}",
                )
            )
        common_mine = [key for key in mine if key in theirs]
        common_theirs = [key for key in theirs if key in mine]
        if common_mine != common_theirs:
            self.problems.append((f"{where} (order)", str(common_mine), str(common_theirs)))
        by_key = dict(zip(theirs, oracle, strict=True))
        for index, key in enumerate(mine):
            if key in by_key:
                self.compare(target[index], by_key[key], f"{where}[{key}]", owner)
        return True

    def _list_lengths_differ(self, target: list, oracle: list, where: str) -> None:
        """One difference naming the items only one side has (by name, slug or id), rather
        than a cascade of shifted elements."""
        mine, theirs = [label(item) for item in target], [label(item) for item in oracle]
        only_target = [item for item in mine if item not in theirs]
        only_oracle = [item for item in theirs if item not in mine]
        self.problems.append(
            (
                f"{where} (length)",
                f"{len(target)} items"
                + (f", only here: {only_target[:10]}" if only_target else ""),
                f"{len(oracle)} items"
                + (f", only here: {only_oracle[:10]}" if only_oracle else ""),
            )
        )

    def _compare_objects(self, target: dict, oracle: dict, where: str, owner: str) -> None:
        if isinstance(target.get("id"), str) and isinstance(oracle.get("id"), str):
            self._compare_strings(target["id"], oracle["id"], f"{where}.id", owner)
            owner = target["id"]
        missing = [key for key in oracle if key not in target]
        extra = [key for key in target if key not in oracle]
        if missing:
            self.problems.append((f"{where} (keys)", f"no {missing}", f"has {missing}"))
        if extra:
            self.problems.append((f"{where} (keys)", f"has {extra}", f"no {extra}"))
        for key in target:
            if key not in oracle or (key == "id" and owner == target.get("id")):
                continue
            mine, theirs = target[key], oracle[key]
            if key in self.unordered_keys and isinstance(mine, list) and isinstance(theirs, list):
                mine = self.sorted_alike(mine)
                theirs = sorted(theirs, key=lambda item: json.dumps(item, sort_keys=True))
            self.compare(mine, theirs, f"{where}.{key}", owner)

    def sorted_alike(self, items: list) -> list:
        """The target's items in the order the oracle's equal items sort in."""
        return sorted(
            items, key=lambda item: self.pairing.to_oracle(json.dumps(item, sort_keys=True))
        )

    def _compare_strings(self, target: str, oracle: str, where: str, owner: str) -> None:
        if TIMESTAMP.match(target) or TIMESTAMP.match(oracle):
            return self._compare_timestamps(target, oracle, where, owner)
        mine, theirs = UUID.findall(target), UUID.findall(oracle)
        if len(mine) == len(theirs):
            for target_id, oracle_id in zip(mine, theirs, strict=True):
                self.pairing.ids.setdefault(target_id, oracle_id)
        if self.pairing.to_oracle(target) != oracle:
            self.problems.append((where, json.dumps(target), json.dumps(oracle)))

    def _compare_timestamps(self, target: str, oracle: str, where: str, owner: str) -> None:
        try:
            parse(target), parse(oracle)
        except NotATimestamp:
            self.problems.append(
                (f"{where} (timestamp format)", json.dumps(target), json.dumps(oracle))
            )
            return
        key = (owner, where.rsplit(".", 1)[-1])
        if not owner:
            return
        before = self.pairing.seen.get(key)
        self.pairing.seen[key] = (target, oracle)
        if before is None:
            return
        target_moved = parse(target) != parse(before[0])
        oracle_moved = parse(oracle) != parse(before[1])
        if target_moved != oracle_moved:
            self.problems.append(
                (
                    f"{where} (movement since the last answer)",
                    "moved" if target_moved else "did not move",
                    "moved" if oracle_moved else "did not move",
                )
            )


def label(item: Any) -> str:
    if isinstance(item, dict):
        for key in ("slug", "name", "checksum", "id"):
            if isinstance(item.get(key), str):
                return item[key]
    return json.dumps(item)[:80]


def compare_answers(
    target: Answer,
    oracle: Answer,
    pairing: Pairing,
    unordered: bool = False,
    identity: Callable[[dict], str | None] = no_identity,
    unordered_keys: frozenset[str] = frozenset(),
) -> list[tuple[str, str, str]]:
    problems = []
    if target.status != oracle.status:
        problems.append(("status", str(target.status), str(oracle.status)))
    if media_type(target.content_type) != media_type(oracle.content_type):
        problems.append(("content type", target.content_type, oracle.content_type))
    mine, theirs = target.json, oracle.json
    if mine is NOT_JSON or theirs is NOT_JSON:
        if pairing.to_oracle(target.body) != oracle.body:
            problems.append(("body", short(target.body), short(oracle.body)))
        return problems
    if unordered and isinstance(mine, list) and isinstance(theirs, list):
        mine = sorted(mine, key=lambda item: pairing.to_oracle(json.dumps(item, sort_keys=True)))
        theirs = sorted(theirs, key=lambda item: json.dumps(item, sort_keys=True))
    comparison = Comparison(pairing, identity, unordered_keys)
    comparison.compare(mine, theirs)
    return problems + [(f"body at {where}", a, b) for where, a, b in comparison.problems]


def media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


# ---- oracles --------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str  # below the base URL
    query: str
    body: bytes  # the body as sent (b"" for none)
    test: str
    clauses: list[str]
    headers: dict[str, str] = field(default_factory=dict)  # set for this request only


class LiveOracle:
    """Another server of the same API, sent every request the target gets."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    def answer(self, request: Request, pairing: Pairing) -> Answer:
        kwargs: dict = {"params": httpx.QueryParams(pairing.to_oracle(request.query))}
        kwargs["headers"] = {name: pairing.to_oracle(v) for name, v in request.headers.items()}
        if request.body:
            kwargs["content"] = pairing.bytes_to_oracle(request.body)
        exchange = self.client.request(request.method, pairing.to_oracle(request.path), **kwargs)
        return Answer(exchange.status, exchange.headers.get("content-type", ""), exchange.text)

    def close(self, namespace: str) -> list[str]:
        leftovers = self.client.clean_up(namespace)
        self.client.close()
        return leftovers


class TranscriptOracle:
    """A recorded run (``--blocks-record-exchanges``, JSON lines, optionally gzipped) answering
    in its place: the k-th request of a test gets the k-th recorded answer of that test when
    method and path agree, else the first unused recorded exchange with the same request."""

    def __init__(self, path: Path) -> None:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt") as handle:
            records = [json.loads(line) for line in handle if line.strip()]
        self.by_test: dict[str, list[dict]] = defaultdict(list)
        for record in records:
            self.by_test[record.get("key") or record.get("test", "")].append(record)
        namespaces = {record["namespace"] for record in records if record.get("namespace")}
        if len(namespaces) != 1:
            raise ValueError(
                f"a transcript must come from one run in one namespace (found {len(namespaces)}"
                "; record it without pytest-xdist)"
            )
        self.namespace = namespaces.pop()
        self.used: set[int] = set()
        self.position: dict[str, int] = defaultdict(int)

    def answer(self, request: Request, pairing: Pairing, key: str) -> Answer | None:
        path, body = pairing.to_oracle(request.path), pairing.bytes_to_oracle(request.body)
        recorded = self.by_test.get(key, [])
        start = self.position[key]
        for index in range(start, len(recorded)):
            record = recorded[index]
            if id(record) in self.used:
                continue
            if record["method"] == request.method and record.get("raw_path") == path:
                same_body = body_of_record(record) == body
                if index == start or same_body:
                    self.used.add(id(record))
                    self.position[key] = index + 1
                    return Answer(
                        record["status"],
                        record.get("content_type") or "",
                        record["body"],
                        None if same_body else body_of_record(record),
                    )
        return None


def delete_unpaired(client: ApiClient, paired: set[str]) -> None:
    for resource in client.profile.resources:
        for object_id in list(client.created.ids.get(resource.kind, [])):
            if object_id not in paired and isinstance(resource.delete, str):
                client.delete(resource.delete.format(id=object_id))
                client.forget(resource.kind, object_id)


# ---- the mirror -----------------------------------------------------------------------------


class Mirror:
    """Sends each request of the target's client to the oracle, compares, and keeps the
    differences (install it with ``client.observer = mirror.observe``)."""

    def __init__(self, oracle: LiveOracle | TranscriptOracle, client: ApiClient) -> None:
        self.oracle = oracle
        self.client = client
        self.base_path = httpx.URL(client.base_url).path.rstrip("/")
        self.pairing = Pairing()
        self.differences: list[Difference] = []
        self.compared = 0
        # creates only one server answered 201 during the current test: (identity, id)
        self.one_sided: dict[str, list[tuple[str, str]]] = {"target": [], "oracle": []}
        self._lock = threading.RLock()

    def observe(self, path: str, exchange: Exchange) -> None:
        context = self.client.context
        if not context.get("test"):
            return  # clean-up and probes are not part of any test
        request = Request(
            exchange.method,
            exchange.raw_path.removeprefix(self.base_path),
            exchange.query,
            exchange.request_content,
            context["test"],
            list(context.get("clauses", [])),
            exchange.request_headers,
        )
        key = context.get("key", context["test"])
        target = Answer(exchange.status, exchange.headers.get("content-type", ""), exchange.text)
        with self._lock:
            try:
                self._compare_with_oracle(request, key, exchange, target)
            except Exception as error:  # a broken comparison must not break the test
                self._add(request, exchange, target, None, "comparison", "", repr(error))

    def _compare_with_oracle(self, request, key, exchange, target) -> None:
        try:
            if isinstance(self.oracle, TranscriptOracle):
                oracle = self.oracle.answer(request, self.pairing, key)
            else:
                oracle = self.oracle.answer(request, self.pairing)
        except TargetUnreachable as error:
            self._add(request, exchange, target, None, "oracle", "answered", str(error))
            return
        if oracle is None:
            self._add(request, exchange, target, None, "oracle", "a request", "none recorded")
            return
        self.compared += 1
        profile = self.client.profile
        unordered = (request.method, request.path) in profile.unordered
        found = compare_answers(
            target, oracle, self.pairing, unordered, profile.identity, profile.unordered_keys
        )
        if found and oracle.other_request is not None:
            # not the same question: the answers say nothing about the servers
            recorded = short(oracle.other_request.decode("utf-8", "replace"))
            found = [
                (RECORDED_ANOTHER_REQUEST, short(request.body.decode("utf-8", "replace")), recorded)
            ]
        for where, mine, theirs in found:
            self._add(request, exchange, target, oracle, where, mine, theirs)
        if target.status != oracle.status:
            self._note_one_sided_create("target", target)
            self._note_one_sided_create("oracle", oracle)

    def _note_one_sided_create(self, side: str, answer: Answer) -> None:
        body = answer.json
        if (
            answer.status != 201
            or not isinstance(body, dict)
            or not isinstance(body.get("id"), str)
        ):
            return
        identity = self.client.profile.identity(body)
        if identity is not None:
            self.one_sided[side].append((identity, body["id"]))

    def pair_racing_creates(self) -> None:
        """Simultaneous creates of one object reach the two servers in different orders, so
        the 201 of one server may answer another request than the other server's 201. Objects
        created on one side only during a test are paired by identity, so that neither is
        taken for an object only one server has."""
        oracle_created = dict(self.one_sided["oracle"])
        for identity, target_id in self.one_sided["target"]:
            oracle_id = oracle_created.get(self.pairing.to_oracle(identity))
            if oracle_id is not None and oracle_id not in self.pairing.ids.values():
                self.pairing.ids.setdefault(target_id, oracle_id)
        self.one_sided = {"target": [], "oracle": []}

    def _add(self, request, exchange, target, oracle, where, mine, theirs) -> None:
        self.differences.append(
            Difference(
                test=request.test,
                clauses=request.clauses,
                method=request.method,
                path=request.path + (f"?{request.query}" if request.query else ""),
                request=short(request.body.decode("utf-8", "replace")),
                where=where,
                target=mine,
                oracle=theirs,
                target_answer=short(f"{target.status} {target.body}"),
                oracle_answer=short(f"{oracle.status} {oracle.body}") if oracle else "(none)",
            )
        )

    def end_test(self) -> None:
        """Delete on the oracle what only it created during the test (a create the target
        refused): left in place, it would show as a difference in every later listing. The
        target is never touched: its objects are the suite's, for its own tests."""
        with self._lock:
            self.pair_racing_creates()
            if isinstance(self.oracle, LiveOracle):
                delete_unpaired(self.oracle.client, set(self.pairing.ids.values()))

    def take(self, test: str) -> list[Difference]:
        """The differences found during ``test``, removed from the list."""
        with self._lock:
            found = [d for d in self.differences if d.test == test]
            self.differences = [d for d in self.differences if d.test != test]
        return found
