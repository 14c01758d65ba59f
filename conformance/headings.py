"""The heading of a failure: a test's failure starts with the clauses the test names, each as
``[<id> <strength>] <the catalogue's sentence>``, so that the clause is written once (in
``clauses.toml``) and every failure says which promise broke and how strong it is; the check
adds only what it compared and what the server did.

The session heads each failed test report (``TestHooks``) from the clauses its marker names:
the first line of the failure's message, and the line of the short summary.
"""

from typing import Any

from .checks import ConformanceFailure
from .clauses import Clause, header

ERROR_LINE = "E   "


def failure_names(kind: type = ConformanceFailure) -> list[str]:
    """How pytest names the exception of a check's failure (``ConformanceFailure`` or one of
    its kinds: a wrong shape, a failed shared step), which the heading replaces by what the
    check did."""
    names = [f"{kind.__module__}.{kind.__qualname__}: "]
    for subclass in kind.__subclasses__():
        names += failure_names(subclass)
    return names


def heading(clauses: list[Clause]) -> list[str]:
    return [header(clause) for clause in clauses]


def tag(clauses: list[Clause]) -> str:
    """The clauses as the one-line summary of a failure names them: ``[PF-BD-create MUST]``."""
    return " ".join(f"[{clause.id} {clause.strength}]" for clause in clauses)


def head(report: Any, clauses: list[Clause]) -> None:
    """Head the failure of ``report`` (a pytest report) with its clauses: in the traceback's
    error lines, and in the crash line the short summary shows; a failure pytest gives as text
    gets them as its first lines."""
    if not clauses or report.longrepr is None:
        return
    lines = heading(clauses)
    longrepr = report.longrepr
    entries = getattr(getattr(longrepr, "reprtraceback", None), "reprentries", None)
    if not entries or not hasattr(entries[-1], "lines"):
        report.longrepr = "\n".join([*lines, str(longrepr)])
        return
    entry = entries[-1]
    shown = [checked(line) for line in entry.lines]
    first_error = next((i for i, line in enumerate(shown) if line.startswith("E ")), len(shown))
    entry.lines = [
        *shown[:first_error],
        *(ERROR_LINE + line for line in lines),
        *shown[first_error:],
    ]
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        message = crash.message
        for name in failure_names():
            message = message.removeprefix(name)
        crash.message = f"{tag(clauses)} {message}"


def checked(line: str) -> str:
    """A check's failure says what the check compared, not which exception it raised."""
    for name in failure_names():
        if line.startswith(ERROR_LINE + name):
            return ERROR_LINE + "checked: " + line.removeprefix(ERROR_LINE + name)
    return line
