"""Differential mode: every request the suite sends to the target is also answered by an
oracle (a live server, or a recorded run of one), and the two answers are compared.

Values a server invents are paired, not compared: an id (where the profile's ``Invented`` says
ids appear: any UUID for Prefect and Peak Press, the ``id`` and ``owner`` keys for Kragle) first
seen at a place in a target answer is paired with the value at the same place in the oracle's
answer, and later requests to the oracle carry the paired values (path, query, body, headers,
session cookies). Timestamps are compared by format and by movement (an object's ``updated``
moves on both servers or on neither). Numbers are compared by value (JSON has one number type:
1e+20 is 100000000000000000000). Everything else is compared exactly: status, content type,
body structure and values, list order.
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
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from .cleanup import CleanUp, clean_up, delete_all_but
from .client import ApiClient, Exchange, TargetUnreachable, body_of_record
from .timestamps import NotATimestamp, parse

if TYPE_CHECKING:
    from .current import CurrentTest

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
SHOWN = 600
RECORDED_ANOTHER_REQUEST = "request (the recorded run sent another body here)"


@dataclass(frozen=True)
class Invented:
    """Where a profile's servers put values they invent (ids, session tokens), so that
    differential mode pairs them instead of comparing them.

    ``in_text``: invented values inside the strings of answers (paired where found), and, unless
    ``in_requests`` is given, where they appear in requests. ``keys``: JSON keys whose values
    (strings or numbers) are invented. ``cookies``: cookies whose values are invented (paired
    from the two servers' Set-Cookie headers)."""

    in_text: re.Pattern | None = UUID
    keys: frozenset[str] = frozenset()
    in_requests: re.Pattern | None = None
    cookies: tuple[str, ...] = ()

    @property
    def request_pattern(self) -> re.Pattern | None:
        return self.in_requests or self.in_text


def no_identity(item: dict) -> str | None:
    return None


def nothing_created(method: str, path: str, body: bytes, answer: Answer) -> None:
    return None


@dataclass(frozen=True)
class DifferentialRules:
    """What differential mode must know of a profile's answers to compare two servers', read
    for every answer compared.

    ``unordered``: answers whose lists have no defined order (compared as multisets), as
    (method, path below the base URL). ``unordered_keys``: object keys whose lists are sets.
    ``identity(item)``: what identifies an object in a list answer across two servers (a slug,
    a name), so that list items are matched by it; None: by position. ``sort_key(item)``: what
    a list answer is sorted by where equal values may come in any order (an order that differs
    only among equal values is an "order of tied items"). ``invented``: where the servers put
    values they invent. ``created_identity(method, path, body, answer)``: the (identity, id) of
    the object an answer reports created, or None; creates that only one server made during a
    test (racing creates won by different requests) are paired by identity."""

    unordered: frozenset[tuple[str, str]] = frozenset()
    unordered_keys: frozenset[str] = frozenset()
    identity: Callable[[dict], str | None] = no_identity
    sort_key: Callable[[dict], str | None] = no_identity
    invented: Invented = field(default_factory=Invented)
    created_identity: Callable[[str, str, bytes, Answer], tuple[str, str] | None] = nothing_created


@dataclass
class Answer:
    """What a server answered: the parts the comparison looks at."""

    status: int
    content_type: str
    body: str
    # a recorded answer to a request whose body was not the one sent now (the generated
    # traffic of the replay took another turn): the body the recorded run sent
    other_request: bytes | None = None
    cookies: dict[str, str] = field(default_factory=dict)  # set by the answer

    @classmethod
    def of(cls, exchange: Exchange) -> Answer:
        cookies = dict(exchange.response.cookies) if exchange.response is not None else {}
        return cls(
            exchange.status, exchange.headers.get("content-type", ""), exchange.text, None, cookies
        )

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


def same_number(target: Any, oracle: Any) -> bool:
    """Whether two JSON numbers have one value: a database may write a stored number in its
    own form (PostgreSQL's jsonb answers 1e+20 as 100000000000000000000), and JSON has one
    number type. Booleans are not numbers here."""
    numbers = (int, float)
    if not (isinstance(target, numbers) and isinstance(oracle, numbers)):
        return False
    if isinstance(target, bool) or isinstance(oracle, bool):
        return False
    if isinstance(target, int) and isinstance(oracle, int):
        return target == oracle
    try:
        return float(target) == float(oracle)
    except OverflowError:  # an integer beyond any float
        return False


@dataclass
class Pairing:
    """Target ids paired with oracle ids, and the timestamps last seen for each object."""

    invented: Invented = field(default_factory=Invented)
    ids: dict[str, str] = field(default_factory=dict)
    seen: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def to_oracle(self, text: str) -> str:
        """``text`` (a path, query, body or header) with the target's ids as the oracle's."""
        pattern = self.invented.request_pattern
        if pattern is None:
            return text
        return pattern.sub(lambda match: self.ids.get(match.group(0), match.group(0)), text)

    def found_in(self, text: str) -> list[str]:
        """The invented values inside an answer's string."""
        pattern = self.invented.in_text
        return pattern.findall(text) if pattern is not None else []

    def shape(self, text: str) -> str:
        """``text`` with its invented values blanked (two names alike but for their ids)."""
        pattern = self.invented.in_text
        return pattern.sub("-", text) if pattern is not None else text

    def pair(self, target: str, oracle: str) -> bool:
        """Pair two values (unless the target's is paired already); whether they agree."""
        return self.ids.setdefault(target, oracle) == oracle

    def bytes_to_oracle(self, content: bytes) -> bytes:
        # latin-1 maps every byte to one character and back, so any body survives
        return self.to_oracle(content.decode("latin-1")).encode("latin-1")


class Comparison:
    """Walks a target and an oracle answer side by side, pairing ids as it goes; lists go to a
    ``ListComparison``."""

    def __init__(self, pairing: Pairing, rules: DifferentialRules) -> None:
        self.pairing = pairing
        self.rules = rules
        self.lists = ListComparison(self)
        self.problems: list[tuple[str, str, str]] = []  # (where, target, oracle)

    def compare(self, target: Any, oracle: Any, where: str = "$", owner: str = "") -> None:
        if isinstance(target, dict) and isinstance(oracle, dict):
            mine, theirs = self.rules.identity(target), self.rules.identity(oracle)
            if mine is not None and theirs is not None and not self.same_object(mine, theirs):
                # two different objects: their ids must not be paired
                self.problems.append((f"{where} (which object)", mine, theirs))
                return
            self._compare_objects(target, oracle, where, owner)
        elif isinstance(target, list) and isinstance(oracle, list):
            self.lists.compare(target, oracle, where, owner)
        elif isinstance(target, str) and isinstance(oracle, str):
            self._compare_strings(target, oracle, where, owner)
        elif same_number(target, oracle):
            return
        elif target != oracle or type(target) is not type(oracle):
            self.problems.append((where, shown(target), shown(oracle)))

    def same_object(self, mine: str, theirs: str) -> bool:
        """Whether two identities name the same object: equal once paired ids are translated,
        or equal but for ids not paired yet (a generated name such as anonymous-<uuid>), which
        are then paired."""
        if self.pairing.to_oracle(mine) == theirs:
            return True
        pairing = self.pairing
        unpaired = [i for i in pairing.found_in(mine) if i not in pairing.ids]
        if not unpaired or pairing.shape(mine) != pairing.shape(theirs):
            return False
        for target_id, oracle_id in zip(
            pairing.found_in(mine), pairing.found_in(theirs), strict=True
        ):
            pairing.pair(target_id, oracle_id)
        return pairing.to_oracle(mine) == theirs

    def _compare_invented(self, target: Any, oracle: Any, where: str) -> None:
        """Values a server invents under a key (Kragle's integer ids): paired, not compared;
        they must be of one type and pair one to one."""
        if type(target) is not type(oracle) or not self.pairing.pair(str(target), str(oracle)):
            self.problems.append((f"{where} (paired value)", shown(target), shown(oracle)))

    def _compare_objects(self, target: dict, oracle: dict, where: str, owner: str) -> None:
        invented = self.pairing.invented.keys
        if isinstance(target.get("id"), str) and isinstance(oracle.get("id"), str):
            self._compare_strings(target["id"], oracle["id"], f"{where}.id", owner)
            owner = target["id"]
        elif "id" in invented and "id" in target and "id" in oracle:
            self._compare_invented(target["id"], oracle["id"], f"{where}.id")
            owner = str(target["id"])
        missing = [key for key in oracle if key not in target]
        extra = [key for key in target if key not in oracle]
        if missing:
            self.problems.append((f"{where} (keys)", f"no {missing}", f"has {missing}"))
        if extra:
            self.problems.append((f"{where} (keys)", f"has {extra}", f"no {extra}"))
        for key in target:
            if key not in oracle or (key == "id" and owner == str(target.get("id"))):
                continue
            mine, theirs = target[key], oracle[key]
            if key in invented and not isinstance(mine, dict | list):
                self._compare_invented(mine, theirs, f"{where}.{key}")
                continue
            unordered = key in self.rules.unordered_keys
            if unordered and isinstance(mine, list) and isinstance(theirs, list):
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
        mine, theirs = self.pairing.found_in(target), self.pairing.found_in(oracle)
        if len(mine) == len(theirs):
            for target_id, oracle_id in zip(mine, theirs, strict=True):
                self.pairing.pair(target_id, oracle_id)
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


class ListComparison:
    """Two lists side by side. Lists of objects with an identity (the profile's: a slug, a
    name) are matched by it, so that one object only one server has does not shift every
    pairing after it; other lists item by item."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.pairing = comparison.pairing
        self.identity = comparison.rules.identity
        self.sort_key = comparison.rules.sort_key

    def problem(self, where: str, target: str, oracle: str) -> None:
        self.comparison.problems.append((where, target, oracle))

    def compare(self, target: list, oracle: list, where: str, owner: str) -> None:
        if self._compare_by_identity(target, oracle, where, owner):
            return
        if len(target) != len(oracle):
            self._lengths_differ(target, oracle, where)
            return
        for index, (mine, theirs) in enumerate(zip(target, oracle, strict=True)):
            self.comparison.compare(mine, theirs, f"{where}[{index}]", owner)

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
        self._pair_alike(mine, theirs)
        mine = [self.pairing.to_oracle(key) for key in mine]  # ids inside names, paired
        only_target = [key for key in mine if key not in theirs]
        only_oracle = [key for key in theirs if key not in mine]
        if only_target or only_oracle:
            self.problem(
                f"{where} (items)",
                f"{len(target)} items, only here: {only_target[:10]}",
                f"{len(oracle)} items, only here: {only_oracle[:10]}",
            )
        common_mine = [key for key in mine if key in theirs]
        common_theirs = [key for key in theirs if key in mine]
        by_key = dict(zip(theirs, oracle, strict=True))
        if common_mine != common_theirs:
            tied = self._only_ties(common_mine, common_theirs, by_key)
            order = "order of tied items" if tied else "order"
            self.problem(f"{where} ({order})", str(common_mine), str(common_theirs))
        for index, key in enumerate(mine):
            if key in by_key:
                self.comparison.compare(target[index], by_key[key], f"{where}[{key}]", owner)
        return True

    def _pair_alike(self, mine: list[str], theirs: list[str]) -> None:
        """An identity only the target has, alike but for ids to the one such identity only
        the oracle has, names the same object: its ids are paired."""
        unmatched = [key for key in theirs if key not in {self.pairing.to_oracle(k) for k in mine}]
        for key in mine:
            if self.pairing.to_oracle(key) not in theirs:
                shape = self.pairing.shape(key)
                alike = [other for other in unmatched if self.pairing.shape(other) == shape]
                if len(alike) == 1:  # the one object of that shape, its ids not paired yet
                    self.comparison.same_object(key, alike[0])
                    unmatched.remove(alike[0])

    def _only_ties(self, mine: list[str], theirs: list[str], by_key: dict[str, Any]) -> bool:
        """Whether two orders of the same items differ only among items of one sort key (a
        name that two documents share), whose order the API leaves to the database."""
        keys_of = [[self.sort_key(by_key[key]) for key in order] for order in (mine, theirs)]
        return None not in keys_of[0] and keys_of[0] == keys_of[1]

    def _lengths_differ(self, target: list, oracle: list, where: str) -> None:
        """One difference naming the items only one side has (by name, slug or id), rather
        than a cascade of shifted elements."""
        mine = [self.label(item) for item in target]
        theirs = [self.label(item) for item in oracle]
        only_target = [item for item in mine if item not in theirs]
        only_oracle = [item for item in theirs if item not in mine]
        target_text = f"{len(target)} items"
        oracle_text = f"{len(oracle)} items"
        if only_target:
            target_text += f", only here: {only_target[:10]}"
        if only_oracle:
            oracle_text += f", only here: {only_oracle[:10]}"
        self.problem(f"{where} (length)", target_text, oracle_text)

    def label(self, item: Any) -> str:
        """How an item of a list is named in a difference: its identity, or its id."""
        if isinstance(item, dict):
            found = self.identity(item)
            if found is not None:
                return found
            if isinstance(item.get("id"), str | int):
                return str(item["id"])
        return json.dumps(item)[:80]


def compare_answers(
    target: Answer,
    oracle: Answer,
    pairing: Pairing,
    rules: DifferentialRules,
    unordered: bool = False,
) -> list[tuple[str, str, str]]:
    problems = []
    for name in pairing.invented.cookies:
        if name in target.cookies and name in oracle.cookies:
            pairing.pair(target.cookies[name], oracle.cookies[name])
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
    comparison = Comparison(pairing, rules)
    comparison.compare(mine, theirs)
    return problems + [(f"body at {where}", a, b) for where, a, b in comparison.problems]


def media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


# ---- oracles --------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str  # below the base URL (a path outside it, such as a test hook, as it is)
    query: str
    body: bytes  # the body as sent (b"" for none)
    test: str
    clauses: list[str]
    key: str  # the test's key (its id whatever the rootdir), which a transcript is keyed by
    headers: dict[str, str] = field(default_factory=dict)  # set for this request only
    outside: bool = False  # the path is not below the base URL (a test hook)
    generated: bool = False  # sent by a generated test


class Oracle(Protocol):
    """What differential mode compares with: a live server or a recorded run of one."""

    namespace: str | None  # a recorded run's namespace (the replay must use it), else None

    def answer(self, request: Request, pairing: Pairing) -> Answer | None:
        """The oracle's answer to the target's request (ids translated), None if it has none."""

    def end_test(self, pairing: Pairing) -> None:
        """The test is over: forget what only the oracle made during it."""

    def close(self, *namespaces: str) -> list[str]:
        """Clean up what the run made on the oracle; what could not be deleted."""


class LiveOracle:
    """Another server of the same API, sent every request the target gets. Its client
    translates what it sends (ids, session tokens, the URLs of test hooks beside the base URL)
    to the oracle's own, clean-up included."""

    namespace = None

    def __init__(self, client: ApiClient, target_url: str, cleanup: CleanUp) -> None:
        self.client = client
        self.cleanup = cleanup
        client.outgoing = self.translate  # the oracle's client speaks the oracle's terms
        self.target_url = httpx.URL(target_url)
        self.pairing: Pairing | None = None

    def translate(self, path: str, kwargs: dict) -> tuple[str, dict]:
        """A request of the oracle's client in the oracle's terms (``ApiClient.outgoing``)."""
        pairing = self.pairing
        if pairing is None:
            return path, kwargs
        path = relocated(pairing.to_oracle(path), self.target_url, httpx.URL(self.client.base_url))
        kwargs = dict(kwargs)
        if kwargs.get("headers"):
            kwargs["headers"] = {k: pairing.to_oracle(v) for k, v in kwargs["headers"].items()}
        if isinstance(kwargs.get("params"), httpx.QueryParams):
            kwargs["params"] = httpx.QueryParams(pairing.to_oracle(str(kwargs["params"])))
        elif isinstance(kwargs.get("params"), dict):
            kwargs["params"] = {k: pairing.to_oracle(str(v)) for k, v in kwargs["params"].items()}
        if isinstance(kwargs.get("content"), bytes):
            kwargs["content"] = pairing.bytes_to_oracle(kwargs["content"])
        return path, kwargs

    def answer(self, request: Request, pairing: Pairing) -> Answer:
        self.pairing = pairing
        path = request.path
        if request.outside:
            path = str(self.target_url.copy_with(raw_path=request.path.encode()))
        kwargs: dict = {"params": httpx.QueryParams(request.query), "headers": request.headers}
        if request.body:
            kwargs["content"] = request.body
        return Answer.of(self.client.request(request.method, path, **kwargs))

    def end_test(self, pairing: Pairing) -> None:
        # what the oracle's client created that no target object is paired with
        delete_all_but(self.client, self.cleanup, set(pairing.ids.values()))

    def close(self, *namespaces: str) -> list[str]:
        leftovers = clean_up(self.client, self.cleanup, *namespaces)
        self.client.close()
        return leftovers


def relocated(path: str, target: httpx.URL, oracle: httpx.URL) -> str:
    """A URL of the target's server (a test hook beside its base URL) moved to the oracle's:
    the same path relative to the base URL. Paths below the base URL stay as they are."""
    if "://" not in path:
        return path
    url = httpx.URL(path)
    if (url.scheme, url.host, url.port) != (target.scheme, target.host, target.port):
        return path
    base = target.path.rstrip("/").split("/")
    parts = url.path.split("/")
    common = 0
    while common < min(len(base), len(parts)) and base[common] == parts[common]:
        common += 1
    up = len(base) - common
    oracle_base = oracle.path.rstrip("/").split("/")
    moved = "/".join(oracle_base[: len(oracle_base) - up] + parts[common:])
    return str(
        oracle.copy_with(
            raw_path=(moved or "/").encode() + (b"?" + url.query if url.query else b"")
        )
    )


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

    def answer(self, request: Request, pairing: Pairing) -> Answer | None:
        path, body = pairing.to_oracle(request.path), pairing.bytes_to_oracle(request.body)
        key = request.key
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

    def end_test(self, pairing: Pairing) -> None:
        """Nothing to forget: a recording holds no objects."""

    def close(self, *namespaces: str) -> list[str]:
        return []


# ---- the mirror -----------------------------------------------------------------------------


class Mirror:
    """A listener of the target's client (at ``base_url``): sends each of its requests to the
    oracle, compares the answers by the profile's ``rules``, and keeps the differences, each
    with the test that sent it (``current_test()``, given by the session)."""

    def __init__(
        self,
        oracle: Oracle,
        base_url: str,
        rules: DifferentialRules,
        current_test: Callable[[], CurrentTest | None],
    ) -> None:
        self.oracle = oracle
        self.rules = rules
        self.current_test = current_test
        self.base_path = httpx.URL(base_url).path.rstrip("/")
        self.pairing = Pairing(rules.invented)
        self.differences: list[Difference] = []
        self.compared = 0
        # generated requests a recording does not hold (its run drew other cases): not compared
        self.unrecorded = 0
        # creates only one server made during the current test: (identity, id)
        self.one_sided: dict[str, list[tuple[str, str]]] = {"target": [], "oracle": []}
        self._lock = threading.RLock()

    def heard(self, path: str, exchange: Exchange) -> None:
        test = self.current_test()
        if test is None:
            return  # clean-up and probes are not part of any test
        raw_path = exchange.raw_path
        outside = not (raw_path == self.base_path or raw_path.startswith(self.base_path + "/"))
        request = Request(
            exchange.method,
            raw_path if outside else raw_path.removeprefix(self.base_path),
            exchange.query,
            exchange.request_content,
            test.nodeid,
            list(test.clauses),
            test.key,
            exchange.request_headers,
            outside,
            test.generated,
        )
        target = Answer.of(exchange)
        with self._lock:
            try:
                self._compare_with_oracle(request, exchange, target)
            except Exception as error:  # a broken comparison must not break the test
                self._add(request, target, None, "comparison", "", repr(error))

    def _compare_with_oracle(self, request: Request, exchange: Exchange, target: Answer) -> None:
        try:
            oracle = self.oracle.answer(request, self.pairing)
        except TargetUnreachable as error:
            self._add(request, target, None, "oracle", "answered", str(error))
            return
        unrecorded = oracle is None or oracle.other_request is not None
        if unrecorded and request.generated:
            # Hypothesis draws also from the constants of the suite's own source and of the
            # modules loaded beside it: a run elsewhere may generate other cases than the
            # recorded run did. Those say nothing about the servers.
            self.unrecorded += 1
            return
        if oracle is None:
            self._add(request, target, None, "oracle", "a request", "none recorded")
            return
        self.compared += 1
        unordered = (request.method, request.path) in self.rules.unordered
        found = compare_answers(target, oracle, self.pairing, self.rules, unordered)
        if found and oracle.other_request is not None:
            # not the same question: the answers say nothing about the servers
            recorded = short(oracle.other_request.decode("utf-8", "replace"))
            found = [
                (RECORDED_ANOTHER_REQUEST, short(request.body.decode("utf-8", "replace")), recorded)
            ]
        for where, mine, theirs in found:
            self._add(request, target, oracle, where, mine, theirs)
        if target.status != oracle.status:
            self._note_one_sided_create("target", request, target)
            self._note_one_sided_create("oracle", request, oracle)

    def _note_one_sided_create(self, side: str, request: Request, answer: Answer) -> None:
        created = self.rules.created_identity(request.method, request.path, request.body, answer)
        if created is not None:
            self.one_sided[side].append(created)

    def pair_racing_creates(self) -> None:
        """Simultaneous creates of one object reach the two servers in different orders, so
        the success of one server may answer another request than the other server's. Objects
        created on one side only during a test are paired by identity, so that neither is
        taken for an object only one server has."""
        oracle_created = dict(self.one_sided["oracle"])
        for identity, target_id in self.one_sided["target"]:
            oracle_id = oracle_created.get(self.pairing.to_oracle(identity))
            if oracle_id is not None and oracle_id not in self.pairing.ids.values():
                self.pairing.pair(target_id, oracle_id)
        self.one_sided = {"target": [], "oracle": []}

    def _add(self, request, target, oracle, where, mine, theirs) -> None:
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
            self.oracle.end_test(self.pairing)

    def take(self, test: str) -> list[Difference]:
        """The differences found during ``test``, removed from the list."""
        with self._lock:
            found = [d for d in self.differences if d.test == test]
            self.differences = [d for d in self.differences if d.test != test]
        return found
