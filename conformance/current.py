"""The test being run, as the session hands it to the listeners that file exchanges under it
(the recording of ``--blocks-record-exchanges``, the differences of differential mode).

The session's per-test hooks hold a ``TestInProgress``; a listener is given it (a callable) when
its client is assembled, so the run object never holds a current test.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CurrentTest:
    """A test being run: its node id, its clauses and its key (its id whatever the rootdir),
    the run's namespace, and whether its cases are generated (a recording may not hold them)."""

    nodeid: str
    clauses: tuple[str, ...] = ()
    key: str = ""
    namespace: str = ""
    generated: bool = False

    def as_record(self) -> dict:
        return {
            "test": self.nodeid,
            "clauses": list(self.clauses),
            "key": self.key,
            "namespace": self.namespace,
        }


class TestInProgress:
    """The test being run in this process, or None between tests (clean-up and probes belong
    to no test); called, it answers which."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self) -> None:
        self.test: CurrentTest | None = None

    def __call__(self) -> CurrentTest | None:
        return self.test

    def begin(self, test: CurrentTest) -> None:
        self.test = test

    def end(self) -> None:
        self.test = None
