"""The HTML page of a run (``--blocks-report PATH`` writes it as ``PATH`` with ``.html``): one
self-contained file made from the JSON report's dict alone, so the page and the JSON can never
disagree.

At the top the verdict, one bar per level, the counts (MUST failures and SHOULD misses apart)
and the run's facts; below, each level and each clause with its status, sentence, quoted
source and tests, and a failure's message, request and response. Everything the page shows is
escaped (server answers are untrusted text); its CSS and JavaScript are inline, and a Content
Security Policy forbids it any request. Without JavaScript every clause is shown, opened; the
script closes them and adds filters by status, level and strength and a search box.
"""

from __future__ import annotations

import json
import re
from html import escape
from importlib import resources
from string import Template
from typing import Any

from .differential import describe_difference

STATUSES = ("passed", "failed", "expected failure", "blocked", "skipped", "not covered")
# the CSS class of each status (a class name has no spaces)
STATUS_CLASS = {
    "passed": "passed",
    "failed": "failed",
    "expected failure": "xfail",
    "blocked": "blocked",
    "skipped": "skipped",
    "not covered": "uncovered",
}
# the CSS class of each kind of verdict (report.VERDICT_KINDS)
VERDICT_CLASS = {
    "conformant": "ok",
    "partial": "partial",
    "not conformant": "none",
    "not established": "unestablished",
    "not tested": "untested",
}
CLAUSE_ID = re.compile(r"\b[A-Z]+-[A-Z]+-[a-z0-9-]*[a-z0-9]\b")
# no request of any kind: styles and scripts are inline, images (a UI journey's screenshots)
# data: URLs
POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="$policy">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
$css</style>
</head>
<body>
$body
<script>
$script</script>
</body>
</html>
""")


def asset(name: str) -> str:
    """A style sheet or script of ``conformance/assets`` (inlined into the pages)."""
    return resources.files("conformance").joinpath("assets", name).read_text()


def page(title: str, body: str, script: str = "") -> str:
    return PAGE.substitute(
        policy=POLICY,
        title=escape(title),
        css=asset("report.css"),
        body=body,
        script=script,
    )


def verdict_class(report: dict) -> str:
    """ok: every level conformant; partial: some level, and a MUST clause of the next failed;
    none: not conformant; unestablished: the next level's MUST clauses were not all run;
    untested: nothing was tested (a report older than version 3 says none of the last two)."""
    if report.get("verdict_kind") in VERDICT_CLASS:
        return VERDICT_CLASS[report["verdict_kind"]]
    reached = report["conformant_level"]
    if reached == 0:
        return "none"
    return "ok" if str(reached) == max(report["levels"], key=int, default="0") else "partial"


def render(report: dict) -> str:
    """The page of one run, from its JSON report."""
    run = report["run"]
    title = f"Blocks conformance ({run['profile']}): {report['verdict']}"
    body = "\n".join(
        [
            "<header>",
            "<h1>Blocks conformance</h1>",
            f'<p id="verdict" class="verdict {verdict_class(report)}">'
            f"{linked_clauses(report['verdict'], report['clauses'])}</p>",
            root_causes_section(report),
            counts_list(report),
            level_bars(report),
            facts_list(run),
            "</header>",
            controls(report),
            f"<main{opening_attributes(report)}>",
            now_passing(report),
            differences_section(report),
            cleanup_section(run),
            *(level_section(report, level) for level in report["levels"]),
            '<p id="no-match" class="hidden">No clause matches the filters.</p>',
            "</main>",
            FOOTER,
        ]
    )
    return page(title, body, asset("report.js"))


def linked_clauses(text: str, clauses: dict) -> str:
    """``text`` escaped, each id of a clause of the page a link to that clause."""

    def link(found: re.Match) -> str:
        clause_id = found.group(0)
        return f'<a href="#{clause_id}">{clause_id}</a>' if clause_id in clauses else clause_id

    return CLAUSE_ID.sub(link, escape(text))


def opening(report: dict) -> dict[str, str]:
    """How the script opens the page: on the clauses that did not pass, whenever one did not,
    with the first root cause open (or else the first failed clause)."""
    entries = report["clauses"]
    if all(entry["status"] == "passed" for entry in entries.values()):
        return {}
    causes = report.get("root_causes") or []
    first = causes[0]["clause"] if causes else None
    failed = [cid for cid, entry in entries.items() if entry["status"] == "failed"]
    first = first or (failed[0] if failed else None)
    return {"status": "not passed", **({"clause": first} if first in entries else {})}


def opening_attributes(report: dict) -> str:
    shown = opening(report)
    return "".join(f' data-open-{name}="{escape(value)}"' for name, value in shown.items())


def root_causes_section(report: dict) -> str:
    """The root causes, first on the page: each shared step that failed, how, and the clauses
    whose tests it blocked (links)."""
    causes = report.get("root_causes") or []
    if not causes:
        return ""
    items = []
    for cause in causes:
        clause_id = cause["clause"]
        blocked = ", ".join(
            f'<a href="#{escape(c)}"><code>{escape(c)}</code></a>' for c in cause["blocked_clauses"]
        )
        tests = cause["blocked_tests"]
        items.append(
            f'<li><a href="#{escape(clause_id)}"><code>{escape(clause_id)}</code></a> '
            f'<span class="strength">{escape(str(cause["strength"]))}</span> '
            f"{escape(cause['status'])}: {escape(cause['failure'])}"
            f'<p class="muted">Blocked {tests} test{"s" if tests != 1 else ""} of '
            f"{len(cause['blocked_clauses'])} clauses: {blocked}</p></li>"
        )
    return (
        '<section id="root-causes"><h2>Root causes</h2>'
        "<p>Shared steps that failed (creating what the tests need). Each is reported once, "
        "under its own clause; the tests that needed it are blocked, neither passed nor "
        f"failed.</p><ol>{''.join(items)}</ol></section>"
    )


def clause_counts(report: dict) -> dict[str, int]:
    clauses = report["clauses"].values()
    counts = {status: 0 for status in STATUSES}
    for entry in clauses:
        counts[entry["status"]] += 1
    counts["MUST failures"] = sum(
        1 for e in clauses if e["status"] == "failed" and e["strength"] == "MUST"
    )
    counts["SHOULD misses"] = sum(
        1 for e in clauses if e["status"] == "failed" and e["strength"] == "SHOULD"
    )
    counts["clauses"] = len(report["clauses"])
    return counts


def counts_list(report: dict) -> str:
    counts = clause_counts(report)
    shown = [
        ("passed", f"of {counts['clauses']} passed"),
        ("MUST failures", "MUST failures"),
        ("SHOULD misses", "SHOULD misses"),
        ("expected failure", "expected failures"),
        ("blocked", "blocked"),
        ("skipped", "skipped"),
        ("not covered", "not covered"),
    ]
    items = [
        f'<li id="count-{key.replace(" ", "-")}"><b>{counts[key]}</b>{escape(label)}</li>'
        for key, label in shown
    ]
    return '<ul class="counts">' + "".join(items) + "</ul>"


def level_bars(report: dict) -> str:
    names = report.get("level_names", {})
    rows = []
    for level, counts in report["levels"].items():
        total = sum(counts.values()) or 1
        segments = "".join(
            f'<span class="seg-{STATUS_CLASS[status]}" style="width:{100 * n / total:.3f}%" '
            f'title="{n} {escape(status)}"></span>'
            for status in STATUSES
            if (n := counts.get(status, 0))
        )
        text = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts.get(s))
        name = f" · {names[level]}" if level in names else ""
        rows.append(
            f'<a href="#level-{level}">Level {escape(level)}{escape(name)}</a>'
            f'<div class="bar" id="bar-{level}" role="img" aria-label="{escape(text)}">'
            f"{segments}</div>"
            f'<span class="muted">{escape(text)}</span>'
        )
    legend = "".join(
        f'<span><i class="seg-{STATUS_CLASS[s]}"></i>{escape(s)}</span>' for s in STATUSES
    )
    return f'<div class="levels">{"".join(rows)}</div><div class="legend">{legend}</div>'


def run_facts(run: dict) -> list[tuple[str, str]]:
    """The run's facts as (name, text) pairs, in the order people look for them."""
    target = (run.get("url") or "") + (" (embedded reference server)" if run["embedded"] else "")
    suite = run.get("suite") or {}
    version = " ".join(
        part
        for part in (suite.get("version"), f"({suite['commit']})" if suite.get("commit") else "")
        if part
    )
    cases = ", ".join(f"{n} {kind}" for kind, n in sorted(run.get("generated_cases", {}).items()))
    facts = [
        ("profile", run["profile"]),
        ("target", target),
        *((name, str(value)) for name, value in run.get("profile_facts", {}).items()),
        ("levels run", f"1 to {run['level']}" if run.get("level") else "all"),
        ("seed", f"--blocks-seed {run['seed']} (--blocks-examples {run['examples']})"),
        ("suite", version or "unknown"),
        ("started", run.get("started", "")),
        ("duration", f"{run['duration_seconds']:.1f} s" if "duration_seconds" in run else ""),
        (
            "requests sent",
            f"{run['requests']} ({run['retried_requests']} retried, "
            f"{run['request_seconds']:.1f} s waiting for the target)",
        ),
        ("generated cases", cases),
        ("expected failures", ", ".join(run.get("expect_fail_files", []))),
        ("oracle", run.get("oracle") or ""),
        ("namespaces", ", ".join(run.get("namespaces", []))),
    ]
    return [(name, text) for name, text in facts if text]


def facts_list(run: dict) -> str:
    rows = "".join(
        f"<dt>{escape(name)}</dt><dd>{escape(text)}</dd>" for name, text in run_facts(run)
    )
    return f'<dl class="facts" id="facts">{rows}</dl>'


def select(name: str, label: str, options: list[tuple[str, str]]) -> str:
    shown = "".join(f'<option value="{escape(v)}">{escape(t)}</option>' for v, t in options)
    return f'<label>{escape(label)} <select id="{name}">{shown}</select></label>'


def controls(report: dict) -> str:
    """The filters (hidden until the script shows them: without it they would do nothing)."""
    names = report.get("level_names", {})
    statuses = [("all", "all"), ("not passed", "not passed"), *((s, s) for s in STATUSES)]
    levels = [("all", "all")] + [
        (level, f"{level} · {names[level]}" if level in names else level)
        for level in report["levels"]
    ]
    strengths = [("all", "all"), ("MUST", "MUST"), ("SHOULD", "SHOULD")]
    return (
        '<nav id="controls" hidden>'
        + select("status-filter", "status", statuses)
        + select("level-filter", "level", levels)
        + select("strength-filter", "strength", strengths)
        + '<input type="search" id="search" placeholder="search clauses, sources, tests"'
        ' aria-label="search">'
        + '<button type="button" id="expand-all">open all</button>'
        + '<button type="button" id="collapse-all">close all</button>'
        + '<span id="shown-count" class="muted"></span>'
        + "</nav>"
    )


def level_section(report: dict, level: str) -> str:
    names = report.get("level_names", {})
    entries = [(cid, e) for cid, e in report["clauses"].items() if str(e["level"]) == level]
    counts = report["levels"][level]
    text = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts.get(s))
    name = f" · {names[level]}" if level in names else ""
    return (
        f'<section class="level" id="level-{escape(level)}">'
        f"<h2>Level {escape(level)}{escape(name)} "
        f'<span class="muted">({escape(text)})</span></h2>'
        + "\n".join(clause_block(clause_id, entry) for clause_id, entry in entries)
        + "</section>"
    )


def clause_block(clause_id: str, entry: dict) -> str:
    status = entry["status"]
    parts = []
    if entry.get("source"):
        parts.append(f'<p class="source"><b>Source:</b> {escape(entry["source"])}</p>')
    if entry.get("not_run"):
        parts.append(f"<p><b>Not run:</b> needs {escape(entry['not_run'])}</p>")
    if entry.get("blocked_by"):
        steps = ", ".join(f'<a href="#{escape(c)}">{escape(c)}</a>' for c in entry["blocked_by"])
        parts.append(f"<p><b>Blocked by</b> {steps}: a shared step its tests need failed.</p>")
    if entry["tests"]:
        tests = "".join(test_item(test) for test in entry["tests"])
        parts.append(f'<ul class="tests">{tests}</ul>')
    else:
        parts.append('<p class="muted">No test of this clause ran.</p>')
    return (
        f'<details class="clause" id="{escape(clause_id)}" data-status="{escape(status)}" '
        f'data-level="{entry["level"]}" data-strength="{escape(entry["strength"])}" open>'
        f"<summary>{status_badge(status)} <code>{escape(clause_id)}</code> "
        f'<span class="strength">{escape(entry["strength"])}</span> '
        f'<span class="text">{escape(entry["text"])}</span></summary>'
        f'<div class="body">{"".join(parts)}</div></details>'
    )


def status_badge(status: str) -> str:
    return f'<span class="status st-{STATUS_CLASS[status]}">{escape(status)}</span>'


OUTCOME_STATUS = {
    "passed": "passed",
    "failed": "failed",
    "xfailed": "expected failure",
    "blocked": "blocked",
    "skipped": "skipped",
}
MESSAGE_LABELS = {"skipped": "Why it was skipped", "blocked": "Why it was blocked"}


def test_item(test: dict) -> str:
    status = OUTCOME_STATUS.get(test["outcome"], "not covered")
    head = f"{status_badge(status)} <code>{escape(test['nodeid'])}</code>"
    steps = steps_block(test.get("steps"))
    if not test.get("message"):
        return f"<li>{head}{steps}</li>"
    label = MESSAGE_LABELS.get(test["outcome"], "Failure")
    # with the request and response shown apart below, the message (which quotes them too)
    # scrolls in a shorter box
    short = " short" if test.get("exchange") else ""
    failure = f'<div class="failure"><h4>{label}</h4><pre class="message{short}">'
    failure += f"{escape(test['message'])}</pre></div>"
    return f"<li>{head}{failure}{exchange_block(test.get('exchange'))}{steps}</li>"


PICTURE = re.compile(r"data:image/(jpeg|png);base64,[A-Za-z0-9+/=]+")


def call_line(call: dict) -> str:
    where = "target" if call.get("forwarded") else "suite"
    line = f"{call['method']} {call['path']} -> {call['status']} ({where})"
    if call.get("request_body"):
        line += f"\n    sent {call['request_body']}"
    if call.get("status", 0) >= 400 and call.get("response_body"):
        line += f"\n    answered {call['response_body']}"
    return line


def step_item(step: dict) -> str:
    """One step of a UI journey: the page at its end beside the API calls the UI made."""
    picture = step.get("picture") or ""
    image = (
        f'<figure><img src="{escape(picture)}" alt="the page at step {escape(step["name"])}" '
        'loading="lazy"></figure>'
        if PICTURE.fullmatch(picture)
        else '<p class="muted">(no picture)</p>'
    )
    calls = step.get("calls") or []
    shown = "\n".join(call_line(call) for call in calls) or "(none)"
    failed = " failed" if step.get("failed") else ""
    opened = " open" if failed else ""
    return (
        f'<li class="step{failed}">{image}'
        f"<figcaption><b>{escape(step['name'])}</b>{' (failed here)' if failed else ''}: "
        f"{escape(step['caption'])}</figcaption>"
        f"<details{opened}><summary>{len(calls)} API calls the UI made</summary>"
        f'<pre class="calls">{escape(shown)}</pre></details></li>'
    )


def steps_block(steps: list[dict] | None) -> str:
    if not steps:
        return ""
    items = "".join(step_item(step) for step in steps)
    return f'<div class="ui-steps"><h4>The UI, step by step</h4><ol>{items}</ol></div>'


def readable(body: str) -> str:
    """A JSON body indented (a body cut short, or not JSON, as it is)."""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def exchange_block(exchange: dict[str, Any] | None) -> str:
    if not exchange:
        return ""
    request = f"{exchange['method']} {exchange['url']}"
    if exchange.get("request_body") is not None:
        request += "\n" + readable(exchange["request_body"])
    response = f"{exchange['status']} ({exchange.get('content_type') or 'no content-type'})"
    if exchange.get("response_body"):
        response += "\n" + readable(exchange["response_body"])
    return (
        '<div class="exchange">'
        f'<div><h4>Request</h4><pre class="request">{escape(request)}</pre></div>'
        f'<div><h4>Response</h4><pre class="response">{escape(response)}</pre></div>'
        "</div>"
    )


def now_passing(report: dict) -> str:
    entries = report.get("expected_failures_now_passing") or []
    if not entries:
        return ""
    items = "".join(f"<li><code>{escape(entry)}</code></li>" for entry in entries)
    return (
        '<section id="now-passing"><h2>Expected to fail, but passed</h2>'
        "<p>Remove these entries from the expect-fail file: the list only shrinks.</p>"
        f"<ul>{items}</ul></section>"
    )


def differences_section(report: dict) -> str:
    run = report["run"]
    if not run.get("oracle"):
        return ""
    differences = report.get("differences", [])
    found = [d for d in differences if not d["ignored"]]
    head = (
        f"{run.get('oracle_compared', 0)} answers compared with the oracle "
        f"{run['oracle']}: {len(found)} differences, {len(differences) - len(found)} ignored"
    )
    items = []
    for difference in differences:
        clauses = ", ".join(difference["clauses"]) or "no clause"
        ignored = f" (ignored: {difference['ignored']})" if difference["ignored"] else ""
        items.append(
            f'<li class="{"ignored" if ignored else "difference"}">'
            f"<code>{escape(difference['test'])}</code> [{escape(clauses)}]{escape(ignored)}"
            f"<pre>{escape(describe_difference(difference))}</pre></li>"
        )
    return (
        f'<section id="differences"><h2>Differences from the oracle</h2><p>{escape(head)}</p>'
        f"<ol>{''.join(items)}</ol></section>"
    )


def cleanup_section(run: dict) -> str:
    parts = []
    for key, title in (
        ("leftovers", "Clean-up could not delete"),
        ("left_behind", "Left behind (the API cannot delete them)"),
    ):
        if run.get(key):
            items = "".join(f"<li>{escape(entry)}</li>" for entry in run[key])
            parts.append(f'<section id="{key}"><h2>{title}</h2><ul>{items}</ul></section>')
    return "".join(parts)


FOOTER = (
    "<footer>Made by blocks-conformance from the run's JSON report (the same data; its shape is "
    "fixtures/schemas/report.json).</footer>"
)
