"""A matrix across runs: one static page that compares the JSON reports of several runs
(servers, releases, profiles), and a badge per run, written by ``blocks-conformance matrix``.

    blocks-conformance matrix [NAME=]REPORT.json [NAME=]REPORT.json --out DIR

``DIR/index.html`` holds one table per profile: the clauses down the side (by level, in
catalogue order), the runs across the top with their verdict, level and counts, and in each
cell the clause's status in that run, linking to that run's page at the clause. Each run's page
is copied to ``DIR/runs/NAME.html`` (or made from its JSON when none lies beside it), so the
links work from a CI artifact. ``DIR/badges/NAME.json`` is a badge in shields.io's endpoint
format ("blocks conformance | level 4 · 349/372").
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from . import html_report
from .html_report import STATUS_CLASS, page, verdict_class

BADGE_LABEL = "blocks conformance"
SHORT_STATUS = {
    "passed": "pass",
    "failed": "fail",
    "expected failure": "xfail",
    "blocked": "blocked",
    "skipped": "skip",
    "not covered": "n/c",
}
# by html_report.verdict_class: a level not established (MUST clauses only not run) and a run
# that tested nothing have colours of their own, never a failure's
BADGE_COLORS = {
    "ok": "brightgreen",
    "partial": "yellow",
    "none": "red",
    "unestablished": "blue",
    "untested": "lightgrey",
}


class MatrixError(ValueError):
    """A report the matrix cannot use (the message names the file)."""


@dataclass
class Column:
    """One run of the matrix: its report, its name and where its page and badge go."""

    name: str
    slug: str
    source: Path
    report: dict

    @property
    def profile(self) -> str:
        return self.report["run"]["profile"]

    @property
    def page(self) -> str:
        return f"runs/{self.slug}.html"

    @property
    def badge(self) -> str:
        return f"badges/{self.slug}.json"

    def passed(self) -> tuple[int, int]:
        clauses = self.report["clauses"].values()
        return sum(1 for e in clauses if e["status"] == "passed"), len(clauses)


def default_name(report: dict) -> str:
    """A run's name when none is given: its target (``embedded`` for the bundled reference
    server, else the URL's host and path) and its profile's facts (the release line)."""
    run = report["run"]
    if run.get("embedded"):
        target = "embedded"
    else:
        parts = urlsplit(run.get("url") or "")
        target = (parts.netloc + parts.path.rstrip("/")) or run.get("url") or "target"
    facts = " ".join(
        f"{name} {str(value).split()[0]}" for name, value in run.get("profile_facts", {}).items()
    )
    return f"{target} ({facts})" if facts else target


def slug_of(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "run"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def parse_argument(argument: str) -> tuple[str | None, Path]:
    """``REPORT.json`` or ``NAME=REPORT.json`` (a file whose own name has ``=`` is a file)."""
    if "=" in argument and not Path(argument).exists():
        name, _, path = argument.partition("=")
        return name.strip() or None, Path(path)
    return None, Path(argument)


def load_columns(arguments: list[str]) -> list[Column]:
    columns, names, slugs = [], set(), set()
    for argument in arguments:
        name, path = parse_argument(argument)
        try:
            report = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise MatrixError(f"{path}: not a readable JSON report ({error})") from None
        if not isinstance(report, dict) or not {"run", "clauses", "levels"} <= set(report):
            raise MatrixError(f"{path}: not a blocks-conformance report (--blocks-report)")
        name = name or default_name(report)
        if name in names:
            name = f"{name} #{sum(1 for c in columns if c.name.startswith(name)) + 1}"
        names.add(name)
        columns.append(Column(name, slug_of(name, slugs), path, report))
    return columns


def badge(column: Column) -> dict:
    passed, total = column.passed()
    kind = verdict_class(column.report)
    message = f"level {column.report['conformant_level']} · {passed}/{total}"
    return {
        "schemaVersion": 1,
        "label": BADGE_LABEL,
        "message": "not tested: target not usable" if kind == "untested" else message,
        "color": BADGE_COLORS[kind],
    }


def write(arguments: list[str], out: Path) -> list[Column]:
    """The matrix of the reports named by ``arguments`` in folder ``out``."""
    columns = load_columns(arguments)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    (out / "badges").mkdir(exist_ok=True)
    for column in columns:
        beside = column.source.with_suffix(".html")
        if beside.is_file():
            shutil.copyfile(beside, out / column.page)
        else:
            (out / column.page).write_text(html_report.render(column.report))
        (out / column.badge).write_text(json.dumps(badge(column), ensure_ascii=False) + "\n")
    (out / "index.html").write_text(render(columns))
    return columns


def render(columns: list[Column]) -> str:
    profiles = list(dict.fromkeys(column.profile for column in columns))
    tables = [profile_table(p, [c for c in columns if c.profile == p]) for p in profiles]
    body = (
        "<header><h1>Blocks conformance matrix</h1>"
        f'<p class="muted">{len(columns)} runs, {len(profiles)} '
        f"profile{'s' if len(profiles) != 1 else ''}: clauses down the side, runs across the "
        "top; each cell links to the run's page at the clause.</p>"
        '<nav id="controls" hidden><label>rows <select id="row-filter">'
        '<option value="all">all</option>'
        '<option value="differ">where the runs differ</option>'
        '<option value="not-passed">where some run did not pass</option>'
        "</select></label></nav></header>"
        "<main>" + "".join(tables) + "</main>"
    )
    return page("Blocks conformance matrix", body, MATRIX_SCRIPT)


def clause_rows(columns: list[Column]) -> list[tuple[str, dict]]:
    """(clause id, its entry) of every clause of any run, in the first run's catalogue order
    with the others' extra clauses after it, sorted by level."""
    rows: dict[str, dict] = {}
    for column in columns:
        for clause_id, entry in column.report["clauses"].items():
            rows.setdefault(clause_id, entry)
    ordered = sorted(enumerate(rows.items()), key=lambda item: (item[1][1]["level"], item[0]))
    return [row for _, row in ordered]


def column_head(column: Column) -> str:
    report = column.report
    passed, total = column.passed()
    musts = sum(
        1 for e in report["clauses"].values() if e["status"] == "failed" and e["strength"] == "MUST"
    )
    blocked = sum(1 for e in report["clauses"].values() if e["status"] == "blocked")
    return (
        f'<th class="run-head" id="run-{column.slug}">'
        f'<a href="{escape(column.page)}">{escape(column.name)}</a>'
        f'<span class="verdict {verdict_class(report)} level">'
        f"level {report['conformant_level']} · {passed}/{total}</span>"
        f'<span class="verdict-line">{escape(report["verdict"])}</span>'
        f'<span class="verdict-line">{musts} MUST failures · {blocked} blocked · '
        f'<a href="{escape(column.badge)}">badge</a></span></th>'
    )


def cell(column: Column, clause_id: str, row: dict) -> str:
    """The clause's status in the run, linking to the run's page at the clause (``row``: the
    clause as the row names it; a run may hold it with another strength, e.g. a release's own
    bug made SHOULD for that release's runs)."""
    entry = column.report["clauses"].get(clause_id)
    if entry is None:
        return '<td class="absent" data-status="" title="not in this run"></td>'
    status = entry["status"]
    title = f"{column.name}: {clause_id} {status}"
    if entry["strength"] != row["strength"]:
        title += f" ({entry['strength']} in this run)"
    if entry.get("first_failure"):
        lines = [line.strip() for line in entry["first_failure"].splitlines() if line.strip()]
        title += " - " + next((ln for ln in lines if clause_id in ln), lines[0] if lines else "")
    return (
        f'<td data-status="{escape(status)}">'
        f'<a class="st-{STATUS_CLASS[status]}" href="{escape(column.page)}#{escape(clause_id)}"'
        f' title="{escape(title[:300])}">{SHORT_STATUS[status]}</a></td>'
    )


def profile_table(profile: str, columns: list[Column]) -> str:
    heads = "".join(column_head(column) for column in columns)
    names = columns[0].report.get("level_names", {})
    rows, level = [], None
    for clause_id, entry in clause_rows(columns):
        if entry["level"] != level:
            level = entry["level"]
            name = names.get(str(level), "")
            rows.append(
                f'<tr class="level-row"><th colspan="{len(columns) + 1}">Level {level}'
                f"{' · ' + escape(name) if name else ''}</th></tr>"
            )
        cells = "".join(cell(column, clause_id, entry) for column in columns)
        rows.append(
            f'<tr class="clause-row" id="{escape(profile)}-{escape(clause_id)}">'
            f'<th title="{escape(entry["text"])}"><code>{escape(clause_id)}</code> '
            f'<span class="strength">{escape(entry["strength"])}</span> '
            f'<span class="clause-text">{escape(entry["text"])}</span></th>{cells}</tr>'
        )
    return (
        f'<section class="profile" id="profile-{escape(profile)}">'
        f"<h2>Profile {escape(profile)}</h2>"
        f'<table class="matrix"><thead><tr><th>clause</th>{heads}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


MATRIX_SCRIPT = """
(function () {
  "use strict";
  var filter = document.getElementById("row-filter");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.clause-row"));
  var levels = Array.prototype.slice.call(document.querySelectorAll("tr.level-row"));
  function statuses(row) {
    return Array.prototype.map.call(row.querySelectorAll("td"), function (td) {
      return td.getAttribute("data-status");
    });
  }
  function apply() {
    rows.forEach(function (row) {
      var seen = statuses(row);
      var keep = filter.value === "all" ||
        (filter.value === "differ" && seen.some(function (s) { return s !== seen[0]; })) ||
        (filter.value === "not-passed" && seen.some(function (s) { return s && s !== "passed"; }));
      row.classList.toggle("hidden", !keep);
    });
    levels.forEach(function (head) {  // a level's heading only while a row of it is shown
      var next = head.nextElementSibling, any = false;
      while (next && next.classList.contains("clause-row")) {
        any = any || !next.classList.contains("hidden");
        next = next.nextElementSibling;
      }
      head.classList.toggle("hidden", !any);
    });
  }
  document.getElementById("controls").hidden = false;
  filter.addEventListener("change", apply);
})();
"""
