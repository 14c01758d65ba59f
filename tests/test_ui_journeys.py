"""Level 5, the UI (conformance/prefect/test_ui_journeys.py): the real Prefect UI of the client's
wheel, served by the suite on loopback and driven in Debian's chromium.

The full run against the reference server (tests/full_runs.py; with PREFECT_PYTHON, as in CI,
it takes --blocks-prefect-ui) is Level 5 with every PF-JRN-ui clause passed, and its page shows
each step's picture beside the UI's calls. The suite's UI server serves the UI's files without
their base placeholder, points the UI at its own origin, forwards the blocks API with the run's
headers and answers the UI's other routes as docs/profiles/prefect.md lists them. A run asking
for the UI without Chromium or Playwright stops with exit 4 and names what to install. That each
PF-JRN-ui clause can fail, and that other readings pass, is tests/test_variants.py's work."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from conformance import html_report
from conformance.options import Settings
from conformance.prefect import ui_journeys
from conformance.prefect.ui_server import NEUTRAL, PLACEHOLDER, UiServer

from .support.environment import missing, required_in_ci
from .support.full_runs import FULL_RUNS, client_journeys
from .support.suite_runs import run_suite

UI_CLAUSES = (
    "PF-JRN-ui-blocks-page",
    "PF-JRN-ui-catalog",
    "PF-JRN-ui-create",
    "PF-JRN-ui-masked",
    "PF-JRN-ui-edit",
    "PF-JRN-ui-delete",
    "PF-JRN-ui-nested",
)


# ---- the full run with the UI ------------------------------------------------------------------


@pytest.fixture
def ui_run(reference_run):
    if "--blocks-prefect-ui" not in client_journeys():
        missing("PREFECT_PYTHON is not set: the full run leaves the UI out (.ci/run sets it)")
    return reference_run.run


@FULL_RUNS
def test_the_run_with_the_ui_is_level_5_with_every_ui_clause_passed(ui_run):
    report = ui_run.report
    assert report["verdict"] == "Level 5 conformant", ui_run.output[-3000:]
    ui = {c: e for c, e in report["clauses"].items() if c.startswith("PF-JRN-ui-")}
    assert sorted(ui) == sorted(UI_CLAUSES)
    assert {entry["status"] for entry in ui.values()} == {"passed"}
    for clause, entry in ui.items():
        for test in entry["tests"]:
            steps = test.get("steps") or []
            assert steps, f"{clause}: {test['nodeid']} has no steps"
            assert all(step["picture"].startswith("data:image/jpeg;base64,") for step in steps)
            assert not any(step["failed"] for step in steps)


@FULL_RUNS
def test_the_page_shows_each_steps_picture_beside_the_uis_calls(ui_run, browser, tmp_path):
    test = ui_run.report["clauses"]["PF-JRN-ui-edit"]["tests"][0]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(ui_run.report_path.with_suffix(".html").as_uri())
        clause = page.locator("#PF-JRN-ui-edit")
        clause.locator("summary").first.click()
        pictures = clause.locator(".ui-steps img")
        assert pictures.count() == len(test["steps"])
        pictures.last.scroll_into_view_if_needed()
        widths = pictures.evaluate_all("all => all.map(image => image.naturalWidth)")
        assert widths == [1280] * len(test["steps"])  # decoded, at the browser's width
        captions = clause.locator(".ui-steps figcaption").all_inner_texts()
        assert [caption.split(":")[0] for caption in captions] == [s["name"] for s in test["steps"]]
        calls = clause.locator(".ui-steps details summary").all_inner_texts()
        assert calls == [f"{len(s['calls'])} API calls the UI made" for s in test["steps"]]
        clause.screenshot(path=str(tmp_path / "ui-steps.png"))
        print(f"screenshot: {tmp_path / 'ui-steps.png'}")
    finally:
        page.close()


def test_a_header_value_given_to_the_suite_is_kept_out_of_the_steps(tmp_path):
    """The value typed in the Secret form is a --target-header value here: the steps' calls
    (the form's POST body) carry it, and the report must not."""
    python = required_in_ci("PREFECT_PYTHON", "python of a virtualenv with prefect")
    run = run_suite(
        f"--blocks-prefect-python={python}",
        "--blocks-prefect-ui=v1",
        "--blocks-clause=PF-JRN-ui-create",
        "--target-header=X-Tenant: typed-in-the-form",
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-3000:]
    test = run.report["clauses"]["PF-JRN-ui-create"]["tests"][0]
    sent = [call["request_body"] or "" for step in test["steps"] for call in step["calls"]]
    assert any("<redacted>" in body for body in sent), sent
    assert "typed-in-the-form" not in run.report_path.read_text()
    assert "typed-in-the-form" not in run.report_path.with_suffix(".html").read_text()


# ---- a run that cannot drive the UI ------------------------------------------------------------


@pytest.fixture
def client_3_9_1(tmp_path):
    """A stand-in for a Python with prefect 3.9.1 (the run checks the client's release first)."""
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 3.9.1\n")
    fake.chmod(0o755)
    return fake


def test_without_chromium_a_run_asking_for_the_ui_exits_4_and_names_it(client_3_9_1, tmp_path):
    browser = tmp_path / "no-chromium-here"
    run = run_suite(
        f"--blocks-prefect-python={client_3_9_1}",
        "--blocks-prefect-ui",
        f"--blocks-prefect-chromium={browser}",
        "--blocks-clause=PF-JRN-ui-*",
        tmp_path=tmp_path,
    )
    assert run.returncode == 4, run.output[-3000:]
    assert f"there is no Chromium at {browser}. Nothing was tested." in run.output
    assert "apt-get install chromium" in run.output and "--blocks-prefect-chromium" in run.output


def settings(**values) -> Settings:
    asked = {"blocks_prefect_python": ["/somewhere/bin/python"], "blocks_prefect_ui": ["default"]}
    return Settings.of(**{**asked, **values})


def test_without_playwright_the_paragraph_names_what_to_install(monkeypatch):
    monkeypatch.setattr(ui_journeys.importlib.util, "find_spec", lambda name: None)
    said = ui_journeys.unusable_ui(settings())
    assert "Playwright for Python, which is not installed here. Nothing was tested." in said
    assert "pip install 'blocks-conformance[ui]'" in said


def test_a_ui_the_clients_release_does_not_ship_is_a_usage_error(monkeypatch):
    shipped = {"v1": "/wheel/prefect/server/ui", "v2": None, "default": "v1"}
    monkeypatch.setattr(ui_journeys, "shipped_uis", lambda python: shipped)
    assert ui_journeys.missing_uis(["/py"], ["v1", "default"]) is None
    said = ui_journeys.missing_uis(["/py"], ["v2"])
    assert said.startswith("--blocks-prefect-ui v2: the prefect installed for /py ships no v2 UI")


def test_without_a_client_the_ui_clauses_are_left_for_not_covered():
    assert ui_journeys.unusable_ui(settings(blocks_prefect_python=[])) is None
    assert ui_journeys.unusable_ui(Settings.of()) is None


# ---- the suite's server of the UI --------------------------------------------------------------


class Echo(BaseHTTPRequestHandler):
    """A target that answers every request with what it received."""

    def do_POST(self) -> None:  # noqa: N802 (the standard library's names)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers),
                "body": self.rfile.read(length).decode(),
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PATCH = do_DELETE = do_POST  # noqa: N815

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def ui_server(tmp_path):
    """The suite's UI server, with a UI of two files, in front of an echoing target."""
    folder = tmp_path / "ui"
    (folder / "assets").mkdir(parents=True)
    placeholder = PLACEHOLDER.decode()
    (folder / "index.html").write_text(f'<script src="{placeholder}/assets/app.js"></script>')
    (folder / "assets" / "app.js").write_text(f'fetch("{placeholder}/ui-settings")')
    (tmp_path / "secret.js").write_text("outside the UI's folder")
    target = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=target.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{target.server_address[1]}/api"
    server = UiServer(folder, url, {"Authorization": "Bearer run-token"})
    yield server
    server.close()
    target.shutdown()
    target.server_close()


def test_the_ui_is_served_without_its_base_placeholder(ui_server):
    index = httpx.get(f"{ui_server.url}/")
    assert index.text == '<script src="/assets/app.js"></script>'
    script = httpx.get(f"{ui_server.url}/assets/app.js")
    assert script.text == 'fetch("/ui-settings")'
    assert script.headers["content-type"] == "text/javascript"
    # the app's own routes are its index; a missing file, or one outside its folder, is not
    assert httpx.get(f"{ui_server.url}/blocks/catalog/secret").text == index.text
    assert httpx.get(f"{ui_server.url}/assets/gone.js").status_code == 404
    with httpx.Client() as client:
        request = client.build_request("GET", f"{ui_server.url}/assets/../../secret.js")
        request.url = request.url.copy_with(raw_path=b"/assets/../../secret.js")
        assert client.send(request).status_code == 404


def test_the_ui_settings_point_the_ui_at_the_servers_own_origin(ui_server):
    settings = httpx.get(f"{ui_server.url}/ui-settings").json()
    assert settings["api_url"] == f"{ui_server.url}/api"
    assert settings["auth"] is None and settings["csrf_enabled"] is False


def test_blocks_calls_go_to_the_target_with_the_runs_headers_and_are_recorded(ui_server):
    answer = httpx.post(f"{ui_server.url}/api/block_documents/filter?x=1", json={"limit": 3})
    seen = answer.json()
    assert seen["path"] == "/api/block_documents/filter?x=1"
    assert json.loads(seen["body"]) == {"limit": 3}
    assert seen["headers"]["Authorization"] == "Bearer run-token"
    for route in ("/health", "/admin/version", "/block_capabilities/", "/block_types/slug/x"):
        assert httpx.get(f"{ui_server.url}/api{route}").json()["path"] == f"/api{route}"
    calls = ui_server.log.since(0)
    assert [(call.method, call.path, call.forwarded) for call in calls[:2]] == [
        ("POST", "/block_documents/filter?x=1", True),
        ("GET", "/health", True),
    ]
    assert calls[0].request_body == '{"limit":3}' and calls[0].status == 200


class Busy(BaseHTTPRequestHandler):
    """A target whose database is locked for its first ``busy`` answers of each path (503, as
    a real server on SQLite answers then)."""

    busy = 2
    seen: dict[str, int] = {}

    def do_DELETE(self) -> None:  # noqa: N802 (the standard library's names)
        self.seen[self.path] = self.seen.get(self.path, 0) + 1
        status = 503 if self.seen[self.path] <= self.busy else 204
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_a_busy_answer_is_retried_as_the_suites_own_requests_are(tmp_path):
    """The UI's DELETE meets a locked database twice and then succeeds; a target locked for
    good still reaches the UI with its 503."""
    (tmp_path / "index.html").write_text("ui")
    target = ThreadingHTTPServer(("127.0.0.1", 0), Busy)
    threading.Thread(target=target.serve_forever, daemon=True).start()
    server = UiServer(tmp_path, f"http://127.0.0.1:{target.server_address[1]}/api", {})
    try:
        assert httpx.delete(f"{server.url}/api/block_documents/a").status_code == 204
        Busy.busy = 99
        assert httpx.delete(f"{server.url}/api/block_documents/b", timeout=30).status_code == 503
        assert Busy.seen == {"/api/block_documents/a": 3, "/api/block_documents/b": 6}
    finally:
        Busy.busy = 2
        server.close()
        target.shutdown()
        target.server_close()


def test_the_uis_other_routes_get_the_documented_neutral_answers(ui_server):
    for (method, route), (status, body) in NEUTRAL.items():
        answer = httpx.request(method, f"{ui_server.url}/api{route}", json={})
        assert (answer.status_code, answer.json()) == (status, body)
    unknown = httpx.post(f"{ui_server.url}/api/flows/filter", json={})
    assert unknown.status_code == 404
    assert [call.forwarded for call in ui_server.log.since(0)] == [False] * (len(NEUTRAL) + 1)


# ---- the steps on the page ---------------------------------------------------------------------


def test_a_steps_words_are_text_and_only_a_data_picture_is_shown():
    hostile = '<img src=x onerror="alert(1)">'
    steps = [
        {
            "name": "form",
            "caption": hostile,
            "picture": "javascript:alert(1)",
            "calls": [
                {
                    "method": "POST",
                    "path": "/block_documents/",
                    "request_body": hostile,
                    "status": 422,
                    "response_body": hostile,
                    "forwarded": True,
                }
            ],
            "failed": True,
        }
    ]
    shown = html_report.test_item({"nodeid": "t", "outcome": "failed", "steps": steps})
    assert hostile not in shown and "javascript:" not in shown
    assert "(no picture)" in shown and '<li class="step failed">' in shown
    assert "POST /block_documents/ -&gt; 422 (target)" in shown
    assert "<details open>" in shown  # a failing step's calls are open
