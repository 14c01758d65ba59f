"""Expected-failure files (``--blocks-expect-fail FILE``): clause ids or test ids known to fail,
each optionally pinned to the failure it expects.

One entry a line: the clause id or test id, then any number of ``expect="TEXT"`` pins, then
``# reason`` (shown in reports); blank lines and comment lines are ignored::

    PF-BD-409-concurrent  expect="'no answer'"  # drops a connection under load

A clause id covers every test of that clause; a test id is a pytest node id, matched by its end
(``test_block_types.py::test_x`` matches the full node id). A failure of a listed test is
expected only when its message contains every pin of the entry; any other failure of it is an
unexpected failure, reported with what was expected and what happened.

The same format lists the oracle's differences a run accepts (``--blocks-oracle-ignore FILE``),
where the id ``*`` stands for every clause: a difference that comes from the oracle's database
rather than from a clause (the order a sort gives to equal names) can show in any test.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ANY_CLAUSE = "*"
PIN = re.compile(r'expect="((?:[^"\\]|\\.)*)"')
ENTRY = re.compile(
    r'^\s*(?P<entry>[^\s#]+)(?P<pins>(?:\s+expect="(?:[^"\\]|\\.)*")*)\s*(?:#(?P<reason>.*))?$'
)


@dataclass(frozen=True)
class Entry:
    name: str
    reason: str
    pins: tuple[str, ...] = ()

    def describe(self) -> str:
        pinned = "".join(f' expect="{pin}"' for pin in self.pins)
        return f"{self.name}{pinned} ({self.reason})"

    def matches(self, failure: str) -> bool:
        return all(pin in failure for pin in self.pins)


@dataclass
class Expectations:
    # entries of one id are alternatives: a failure is expected if it matches one of them
    entries: dict[str, list[Entry]] = field(default_factory=dict)

    @classmethod
    def load(cls, paths: list[str], option: str = "--blocks-expect-fail") -> "Expectations":
        """The entries of the files given to ``option``; only --blocks-oracle-ignore files may
        name every clause (``*``)."""
        entries: dict[str, list[Entry]] = {}
        for path in paths:
            try:
                lines = Path(path).read_text().splitlines()
            except OSError as error:
                raise pytest.UsageError(f"{option} {path}: {error.strerror}") from error
            for number, line in enumerate(lines, start=1):
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                entry = parse_line(line, f"{option} {path}:{number}")
                if entry.name == ANY_CLAUSE and option != "--blocks-oracle-ignore":
                    raise pytest.UsageError(
                        f"{option} {path}:{number}: '{ANY_CLAUSE}' (every clause) is for "
                        "--blocks-oracle-ignore files; name the clause or the test"
                    )
                entries.setdefault(entry.name, []).append(entry)
        return cls(entries)

    def matching(self, nodeid: str, clause_ids: list[str]) -> list[Entry]:
        """The entries that expect this test to fail."""
        names = [clause for clause in clause_ids if clause in self.entries]
        names += [name for name in self.entries if "::" in name and nodeid.endswith(name)]
        names += [ANY_CLAUSE] if ANY_CLAUSE in self.entries else []
        return [entry for name in names for entry in self.entries[name]]

    def unknown(self, clause_ids: set[str], nodeids: list[str]) -> list[str]:
        """Entries that name neither a known clause nor a collected test."""
        return [
            name
            for name in self.entries
            if name not in clause_ids
            and name != ANY_CLAUSE
            and not any(n.endswith(name) for n in nodeids)
        ]


def parse_line(line: str, where: str) -> Entry:
    match = ENTRY.match(line)
    if match is None:
        raise pytest.UsageError(
            f"{where}: expected 'ID [expect=\"TEXT\"]... [# reason]', got {line.strip()!r}"
        )
    pins = tuple(
        pin.replace('\\"', '"').replace("\\\\", "\\") for pin in PIN.findall(match["pins"])
    )
    listed_in = Path(where.split(" ", 1)[-1].rsplit(":", 1)[0]).name
    reason = (match["reason"] or "").strip() or f"listed in {listed_in}"
    return Entry(match["entry"], reason, pins)


def all_expected(entries: list[Entry], failure: str) -> bool:
    """Whether ``failure`` is what the entries expect: for each listed id (a clause, a test),
    one of its entries matches."""
    names = {entry.name for entry in entries}
    return all(
        any(entry.matches(failure) for entry in entries if entry.name == name) for name in names
    )


def mismatch_report(entries: list[Entry], failure: str) -> str:
    """The message of a listed test that failed otherwise than its entries expect."""
    expected = "; ".join(entry.describe() for entry in entries)
    return (
        f"blocks-conformance: unexpected failure of a listed test: the expect-fail entry "
        f"{expected} expects a failure containing "
        + ", ".join(repr(pin) for entry in entries for pin in entry.pins)
        + f", but the failure was:\n{failure}"
    )
