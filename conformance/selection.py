"""Which tests of the suite a run collects and runs: every test names known clauses, gets the
markers of their levels and areas (``-m level1``), and is kept or deselected by
``--blocks-clause``, ``--blocks-level`` and the options it ``needs``; the catalogue options
(``--blocks-list-clauses``, ``--blocks-clauses-doc``) print or write the catalogue with the tests
of each clause and run nothing."""

from collections import defaultdict
from pathlib import Path

import pytest

from .clauses import CatalogueError, Clause, catalogue, render_markdown
from .report import RunRecord
from .run import Run


def clause_ids(item: pytest.Item) -> list[str]:
    return [clause for mark in item.iter_markers("clause") for clause in mark.args]


def clause_selected(clause_id: str, patterns: list[str]) -> bool:
    return any(
        clause_id.startswith(p[:-1]) if p.endswith("*") else clause_id == p for p in patterns
    )


def covering_tests(items: list[pytest.Item]) -> dict[str, list[str]]:
    covering: dict[str, list[str]] = defaultdict(list)
    for item in items:
        name = f"{item.path.name}::{getattr(item, 'originalname', item.name)}"
        for clause_id in clause_ids(item):
            if name not in covering[clause_id]:
                covering[clause_id].append(name)
    return covering


def known_clauses(run: Run) -> dict[str, Clause]:
    """The catalogue as this run sees it (the profile may adjust it to its settings)."""
    try:
        clauses = catalogue(run.profile)
    except CatalogueError as error:
        raise pytest.UsageError(f"blocks-conformance: bad clause catalogue: {error}") from None
    return run.profile.catalogue.adjust(clauses, run.settings)


def test_key(run: Run, item: pytest.Item) -> str:
    """A test's id whatever the rootdir (a checkout or an installed wheel): the key of its
    example database and of its exchanges in a recorded run."""
    profile = run.profile
    try:
        where = item.path.relative_to(profile.catalogue.folder)
    except ValueError:
        where = item.path.name
    return f"{profile.name}/{where}::{item.name}"


def in_suite(run: Run, path: Path) -> bool:
    return run.profile.catalogue.folder in Path(path).resolve().parents


class Selection:
    """The collection hooks of a conformance run; the clauses whose tests cannot run (an
    option they need is missing) go into ``record.not_run`` with why."""

    def __init__(self, run: Run, record: RunRecord) -> None:
        self.run = run
        self.record = record
        self.covering: dict[str, list[str]] = {}

    @pytest.hookimpl(wrapper=True)
    def pytest_collection(self, session: pytest.Session):
        with self.run.timed("collection"):
            return (yield)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        """Check every suite test names known clauses, mark it with their levels and areas (so
        ``-m level1`` works), and apply --blocks-clause and --blocks-level."""
        known = known_clauses(self.run)
        self.mark([item for item in items if in_suite(self.run, item.path)], known)
        keep, drop, waiting = [], [], []  # waiting: wanted, but an option it needs is missing
        for item in items:
            if not in_suite(self.run, item.path):
                keep.append(item)
                continue
            wanted = self.wanted(clause_ids(item), known)
            missing = self.missing_option(item) if wanted else None
            if missing:
                waiting.append(item)
                for clause_id in clause_ids(item):
                    self.record.not_run.setdefault(clause_id, missing)
            (keep if wanted and not missing else drop).append(item)
        if self.run.settings.catalogue_only:
            # Catalogue only: note the covering tests, then run nothing (quieter than collect-only).
            self.covering = covering_tests(keep + waiting)
            drop, keep = drop + keep, []
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep

    def mark(self, items: list[pytest.Item], known: dict[str, Clause]) -> None:
        """Each test's clauses as user properties (the reports read them) and markers."""
        problems = []
        for item in items:
            ids = clause_ids(item)
            if not ids:
                problems.append(f"{item.nodeid}: no @pytest.mark.clause(...)")
            for clause_id in ids:
                clause = known.get(clause_id)
                if clause is None:
                    problems.append(f"{item.nodeid}: unknown clause {clause_id}")
                    continue
                item.user_properties.append(("clause", clause_id))
                item.add_marker(f"level{clause.level}")
                item.add_marker(clause.area)
        if problems:
            raise pytest.UsageError("clause markers are wrong:\n  " + "\n  ".join(problems))

    def wanted(self, ids: list[str], known: dict[str, Clause]) -> bool:
        """Whether --blocks-clause and --blocks-level select a test of these clauses."""
        patterns, level = self.run.settings.clause_patterns, self.run.settings.level
        return (not patterns or any(clause_selected(i, patterns) for i in ids)) and (
            level is None or any(known[i].level <= level for i in ids)
        )

    def missing_option(self, item: pytest.Item) -> str | None:
        """Why the test cannot run here: each ``needs`` marker whose option was not given, or
        was given with no value that serves it (``unmet=True``: say, no client release a
        journey applies to), its module's first."""
        unmet = []
        for mark in item.iter_markers("needs"):  # the test's own first, its module's last
            option, why = mark.args
            if (
                mark.kwargs.get("unmet") or not self.run.settings.value(option)
            ) and why not in unmet:
                unmet.insert(0, why)
        return "; ".join(unmet) or None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        config, profile = session.config, self.run.profile
        if doc := config.getoption("blocks_clauses_doc"):
            Path(doc).write_text(render_markdown(profile, self.covering))
        if config.getoption("blocks_list_clauses"):
            writer = config.get_terminal_writer()
            for clause in known_clauses(self.run).values():
                tests = self.covering.get(clause.id, [])
                writer.line(f"{clause.id}  {profile.name} L{clause.level} {clause.strength}")
                writer.line(f"    {clause.text}")
                if clause.source:
                    writer.line(f"    source: {clause.source}")
                writer.line(f"    tests: {', '.join(tests) if tests else 'none (not covered)'}")
