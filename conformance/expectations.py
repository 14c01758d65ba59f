"""Expected-failure files (``--blocks-expect-fail FILE``): clause ids or test ids known to fail.

One entry a line; ``#`` starts a comment (the text after it is the reason shown in reports);
blank lines are ignored. A clause id covers every test of that clause; a test id is a pytest
node id, matched by its end (``test_block_types.py::test_x`` matches the full node id).
"""

from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class Expectations:
    reasons: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, paths: list[str]) -> "Expectations":
        reasons = {}
        for path in paths:
            try:
                lines = Path(path).read_text().splitlines()
            except OSError as error:
                raise pytest.UsageError(f"--blocks-expect-fail {path}: {error.strerror}") from error
            for line in lines:
                entry, _, reason = line.partition("#")
                if entry.strip():
                    reasons[entry.strip()] = reason.strip() or "listed in " + Path(path).name
        return cls(reasons)

    def matching(self, nodeid: str, clause_ids: list[str]) -> list[str]:
        """The entries that expect this test to fail."""
        found = [clause for clause in clause_ids if clause in self.reasons]
        found += [entry for entry in self.reasons if "::" in entry and nodeid.endswith(entry)]
        return found

    def unknown(self, clause_ids: set[str], nodeids: list[str]) -> list[str]:
        """Entries that name neither a known clause nor a collected test."""
        return [
            entry
            for entry in self.reasons
            if entry not in clause_ids and not any(n.endswith(entry) for n in nodeids)
        ]
