"""The pages people look at, tested as people see them: each run's HTML page and the matrix
across runs, opened from ``file://`` in headless Chromium (Debian's, driven by Playwright).

The runs behind them (the embedded reference server and two broken variants) are made once a
session (not once a module: pytest-xdist may run other modules' tests between this module's,
which would make a module's fixtures again), and its tests share one worker and one browser
(``xdist_group``). Each test that
looks at a page saves a screenshot of it in its ``tmp_path``.
"""

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conformance import html_report, matrix
from conformance.cli import main as cli

from .support.servers import variant_server
from .support.suite_runs import SuiteRun, run_suite

pytestmark = pytest.mark.xdist_group("html_reports")

# a level-1 failure (a duplicate name accepted) and a level-4 one (nested secrets in clear)
BROKEN = ("accepts_duplicate_names", "unmasks_nested_secrets")
QUICK = ("--blocks-level=4", "--blocks-examples=2", "--blocks-no-shrink")


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> dict[str, SuiteRun]:
    folder = tmp_path_factory.mktemp("html-report-runs")
    made = {"embedded": run_suite(*QUICK, tmp_path=folder)}
    for name in BROKEN:
        server = variant_server(name, folder)
        try:
            made[name] = run_suite(f"--target-url={server.url}", *QUICK, tmp_path=folder)
        finally:
            server.kill()
    for name, run in made.items():
        assert run.report is not None, f"{name}: no report\n{run.output[-2000:]}"
    return made


@pytest.fixture
def broken(runs) -> SuiteRun:
    return runs["accepts_duplicate_names"]


@contextmanager
def opened(browser, path: Path, javascript: bool = True) -> Iterator:
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        yield page
        assert errors == [], f"the page's script failed: {errors}"
    finally:
        context.close()


def screenshot(page, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
    return shot


def page_of(run: SuiteRun) -> Path:
    return run.report_path.with_suffix(".html")


def test_a_run_writes_its_page_beside_its_json_and_markdown(runs):
    for run in runs.values():
        for suffix in (".json", ".md", ".html"):
            assert run.report_path.with_suffix(suffix).is_file()
        assert page_of(run).read_text() == html_report.render(run.report)


def test_the_page_shows_the_verdict_and_the_counts_its_json_holds(browser, broken, tmp_path):
    report = broken.report
    statuses = [entry["status"] for entry in report["clauses"].values()]
    must_failures = sum(
        1
        for entry in report["clauses"].values()
        if entry["status"] == "failed" and entry["strength"] == "MUST"
    )
    with opened(browser, page_of(broken)) as page:
        screenshot(page, tmp_path, "run-page")
        assert page.inner_text("#verdict") == report["verdict"]
        assert report["verdict"].startswith("not conformant (level 1: ")
        assert page.inner_text("#count-passed b") == str(statuses.count("passed"))
        assert page.inner_text("#count-MUST-failures b") == str(must_failures) != "0"
        assert page.inner_text("#count-not-covered b") == str(statuses.count("not covered"))
        for level, counts in report["levels"].items():
            label = page.get_attribute(f"#bar-{level}", "aria-label")
            assert label == ", ".join(
                f"{counts[s]} {s}" for s in html_report.STATUSES if counts.get(s)
            )
        facts = page.inner_text("#facts")
        assert report["run"]["url"] in facts and str(report["run"]["requests"]) in facts


def test_opening_a_failed_clause_shows_its_request_and_response(browser, broken, tmp_path):
    exchange = next(
        test["exchange"]
        for test in broken.report["clauses"]["PF-BD-409-name"]["tests"]
        if test["outcome"] == "failed"
    )
    with opened(browser, page_of(broken)) as page:
        clause = page.locator("#PF-BD-409-name")
        request, response = clause.locator("pre.request"), clause.locator("pre.response")
        assert page.locator("#PF-BD-anonymous").get_attribute("open") is None  # closed
        assert request.is_visible()  # the first failed clause: the page opens on it
        clause.locator("summary").click()
        assert not request.is_visible()
        clause.locator("summary").click()
        screenshot(page, tmp_path, "failed-clause")
        assert request.is_visible() and response.is_visible()
        assert request.inner_text().startswith(f"POST {exchange['url']}")
        assert response.inner_text().startswith("201 (application/json)")
        assert "must answer 409" in clause.locator("pre.message").first.inner_text()


def test_the_failed_filter_hides_passed_clauses(browser, broken, tmp_path):
    failed = {c for c, e in broken.report["clauses"].items() if e["status"] == "failed"}
    with opened(browser, page_of(broken)) as page:
        page.select_option("#status-filter", "failed")
        screenshot(page, tmp_path, "failed-filter")
        shown = page.eval_on_selector_all(
            "details.clause", "all => all.filter(c => c.offsetParent !== null).map(c => c.id)"
        )
        assert set(shown) == failed
        assert not page.locator("#PF-API-health").is_visible()
        page.fill("#search", "409-name")
        assert page.eval_on_selector_all(
            "details.clause", "all => all.filter(c => c.offsetParent !== null).map(c => c.id)"
        ) == ["PF-BD-409-name"]


def test_without_javascript_every_clause_is_shown_open(browser, broken, tmp_path):
    with opened(browser, page_of(broken), javascript=False) as page:
        screenshot(page, tmp_path, "no-javascript")
        clauses = page.locator("details.clause")
        assert clauses.count() == len(broken.report["clauses"])
        assert page.eval_on_selector_all("details.clause", "all => all.every(c => c.open)")
        assert page.locator("#PF-BD-409-name pre.request").is_visible()
        assert not page.locator("#controls").is_visible()  # filters that could not work


@pytest.fixture(scope="session")
def root_cause_run(tmp_path_factory) -> SuiteRun:
    """A run against a server whose documents leave out is_anonymous: one root cause, the
    tests that needed a document blocked."""
    folder = tmp_path_factory.mktemp("html-report-root-cause")
    server = variant_server("omits_is_anonymous_in_documents", folder)
    try:
        run = run_suite(
            f"--target-url={server.url}", "--blocks-level=2", *QUICK[1:], tmp_path=folder
        )
    finally:
        server.kill()
    assert run.report is not None and run.report["root_causes"], run.output[-2000:]
    return run


def shown_clauses(page) -> list[str]:
    return page.eval_on_selector_all(
        "details.clause", "all => all.filter(c => c.offsetParent !== null).map(c => c.id)"
    )


def test_a_failing_run_opens_on_what_did_not_pass_with_its_root_cause_open(
    browser, root_cause_run, tmp_path
):
    report = root_cause_run.report
    first = report["root_causes"][0]["clause"]
    not_passed = {c for c, e in report["clauses"].items() if e["status"] != "passed"}
    with opened(browser, page_of(root_cause_run)) as page:
        screenshot(page, tmp_path, "root-cause")
        assert page.input_value("#status-filter") == "not passed"
        assert set(shown_clauses(page)) == not_passed
        assert page.eval_on_selector(f"#{first}", "clause => clause.open")
        opened_ids = page.eval_on_selector_all(
            "details.clause", "all => all.filter(c => c.open).map(c => c.id)"
        )
        assert opened_ids == [first]
        assert page.locator(f"#{first} pre.request").first.is_visible()
        causes = page.locator("#root-causes")
        assert causes.is_visible() and first in causes.inner_text()
        # the root causes come first: above the counts and the bars
        above = page.evaluate(
            "document.getElementById('root-causes').getBoundingClientRect().top"
            " < document.querySelector('.counts').getBoundingClientRect().top"
        )
        assert above
        blocked = page.locator("details.clause[data-status='blocked']").first
        blocked.locator("summary").click()
        assert f"blocked by {first}" in blocked.inner_text()


def test_a_run_where_everything_passed_opens_on_every_clause_closed(browser, runs, tmp_path):
    with opened(browser, page_of(runs["embedded"])) as page:
        assert page.input_value("#status-filter") == "all"
        assert page.eval_on_selector_all("details.clause", "all => all.every(c => !c.open)")
        assert len(shown_clauses(page)) == len(runs["embedded"].report["clauses"])


def test_the_verdicts_clause_ids_link_to_their_clauses(browser, root_cause_run, tmp_path):
    report = root_cause_run.report
    with opened(browser, page_of(root_cause_run)) as page:
        assert page.inner_text("#verdict") == report["verdict"]
        links = page.eval_on_selector_all(
            "#verdict a", "all => all.map(a => [a.textContent, a.getAttribute('href')])"
        )
        assert links and all(href == f"#{text}" for text, href in links)
        assert all(text in report["clauses"] for text, _ in links)
        target = next(text for text, _ in links if text != report["root_causes"][0]["clause"])
        page.locator(f"#verdict a[href='#{target}']").first.click()
        assert page.eval_on_selector(f"#{target}", "clause => clause.open")


class Links(HTMLParser):
    """Every src and href of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.found += [value or "" for name, value in attrs if name in ("src", "href")]


def requests_of(browser, path: Path) -> list[str]:
    """Every request a page makes, beside its own load (each routed to a counter that refuses
    it)."""
    context = browser.new_context()
    made: list[str] = []

    def count(route) -> None:
        if route.request.url == path.as_uri():
            route.continue_()
        else:
            made.append(route.request.url)
            route.abort()

    try:
        context.route("**/*", count)
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_load_state("networkidle")
        page.select_option("#status-filter", "failed")
    finally:
        context.close()
    return made


def test_the_page_makes_no_network_request(browser, broken, tmp_path):
    assert requests_of(browser, page_of(broken)) == []
    links = Links()
    links.feed(page_of(broken).read_text())
    assert links.found and all(link.startswith("#") for link in links.found), links.found
    # the counter sees what a page asks for
    control = tmp_path / "control.html"
    control.write_text(
        '<img src="http://example.invalid/a.png"><script>fetch("http://127.0.0.1:9/")</script>'
        '<select id="status-filter"><option>failed</option></select>'
    )
    assert len(requests_of(browser, control)) == 2


def test_untrusted_text_is_shown_not_run(browser, broken, tmp_path):
    """A server's answer is text on the page, whatever it holds."""
    hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
    report = copy.deepcopy(broken.report)
    clause = report["clauses"]["PF-BD-409-name"]
    failing = next(test for test in clause["tests"] if test["outcome"] == "failed")
    failing["exchange"]["response_body"] = hostile
    failing["message"] = hostile
    clause["text"] = hostile
    report["verdict"] = hostile
    page_path = tmp_path / "hostile.html"
    page_path.write_text(html_report.render(report))
    with opened(browser, page_path) as page:
        assert page.evaluate("window.pwned") is None
        assert page.inner_text("#verdict") == hostile
        page.eval_on_selector("#PF-BD-409-name", "clause => { clause.open = true; }")
        assert hostile in page.locator("#PF-BD-409-name pre.response").inner_text()


def test_differences_and_ledger_entries_that_now_pass_have_sections(browser, broken, tmp_path):
    difference = {
        "test": "conformance/prefect/test_block_types.py::test_create",
        "clauses": ["PF-BT-create"],
        "method": "POST",
        "path": "/block_types/",
        "request": '{"name": "x"}',
        "where": "body at $ (keys)",
        "target": "has ['etag']",
        "oracle": "no ['etag']",
        "target_answer": '201 {"id": "a", "etag": "1"}',
        "oracle_answer": '201 {"id": "b"}',
        "ignored": None,
    }
    report = copy.deepcopy(broken.report)
    report["run"] |= {"oracle": "http://127.0.0.1:9/api", "oracle_compared": 12}
    report["differences"] = [difference, {**difference, "ignored": "races.txt: who wins"}]
    report["expected_failures_now_passing"] = ["PF-API-health"]
    page_path = tmp_path / "differential.html"
    page_path.write_text(html_report.render(report))
    with opened(browser, page_path) as page:
        differences = page.locator("#differences")
        assert "12 answers compared with the oracle http://127.0.0.1:9/api: 1 differences, " in (
            differences.inner_text()
        )
        assert (
            differences.locator("li.difference pre")
            .inner_text()
            .startswith("body at $ (keys) differs")
        )
        assert "ignored: races.txt: who wins" in differences.locator("li.ignored").inner_text()
        assert page.locator("#now-passing li").all_inner_texts() == ["PF-API-health"]
    assert requests_of(browser, page_path) == []  # the oracle's URL is text, not a link


@pytest.fixture(scope="session")
def matrix_dir(runs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("matrix")
    arguments = [str(runs["embedded"].report_path)]
    arguments += [f"{name}={runs[name].report_path}" for name in BROKEN]
    assert cli(["matrix", *arguments, "--out", str(out)]) == 0
    return out


def test_the_matrix_shows_each_cell_as_its_report_says(browser, runs, matrix_dir, tmp_path):
    names = ["embedded (prefect release 3.9.1)", *BROKEN]
    reports = [runs["embedded"].report, *(runs[name].report for name in BROKEN)]
    with opened(browser, matrix_dir / "index.html") as page:
        screenshot(page, tmp_path, "matrix")
        heads = page.eval_on_selector_all("th.run-head > a", "all => all.map(a => a.textContent)")
        assert heads == names
        cells = page.eval_on_selector_all(
            "tr.clause-row",
            """rows => rows.map(row => [row.querySelector("code").textContent,
                Array.from(row.querySelectorAll("td a")).map(a => [a.textContent,
                    a.getAttribute("href")])])""",
        )
    assert len(cells) == len(reports[0]["clauses"])
    for clause_id, shown in cells:
        for (text, href), report in zip(shown, reports, strict=True):
            assert text == matrix.SHORT_STATUS[report["clauses"][clause_id]["status"]]
            page_name, anchor = href.split("#")
            assert anchor == clause_id and (matrix_dir / page_name).is_file()
    failed = dict(cells)["PF-BD-409-name"]
    assert [text for text, _ in failed] == ["pass", "fail", "pass"]


def test_a_matrix_cell_opens_the_run_page_at_its_clause(browser, matrix_dir, tmp_path):
    with opened(browser, matrix_dir / "index.html") as page:
        page.select_option("#row-filter", "not-passed")
        assert not page.locator("tr[id='prefect-PF-API-health']").is_visible()
        page.locator("tr[id='prefect-PF-NEST-secrets'] td a").nth(2).click()
        page.wait_for_url("**/runs/*.html#PF-NEST-secrets")
        screenshot(page, tmp_path, "matrix-link")
        assert page.eval_on_selector("#PF-NEST-secrets", "clause => clause.open")
        assert page.locator("#PF-NEST-secrets pre.request").first.is_visible()


def test_each_run_has_a_badge_in_shields_endpoint_format(runs, matrix_dir):
    badge = json.loads((matrix_dir / "badges" / "accepts-duplicate-names.json").read_text())
    report = runs["accepts_duplicate_names"].report
    passed = sum(1 for e in report["clauses"].values() if e["status"] == "passed")
    assert badge == {
        "schemaVersion": 1,
        "label": "blocks conformance",
        "message": f"level 0 · {passed}/{len(report['clauses'])}",
        "color": "red",
    }
    embedded = json.loads(
        (matrix_dir / "badges" / "embedded-prefect-release-3-9-1.json").read_text()
    )
    assert embedded["message"].startswith("level 4 · ") and embedded["color"] == "brightgreen"


def test_runs_of_different_profiles_sit_in_separate_tables(runs, tmp_path):
    kragle = run_suite(
        "--blocks-profile=kragle",
        "--blocks-clause=KR-AUTH-*",
        "-m",
        "not generated",
        tmp_path=tmp_path,
    )
    out = tmp_path / "matrix"
    assert (
        cli(
            [
                "matrix",
                str(kragle.report_path),
                str(runs["embedded"].report_path),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    page = (out / "index.html").read_text()
    assert 'id="profile-kragle"' in page and 'id="profile-prefect"' in page
    kragle_table = page.split('id="profile-kragle"')[1].split("</table>")[0]
    assert "KR-AUTH-cookie" in kragle_table and "PF-" not in kragle_table


def test_a_file_that_is_no_report_is_named(tmp_path, capsys):
    other = tmp_path / "other.json"
    other.write_text('{"tests": []}')
    assert cli(["matrix", str(other), "--out", str(tmp_path / "out")]) == 2
    assert f"{other}: not a blocks-conformance report" in capsys.readouterr().err
