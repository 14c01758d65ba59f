"""A first run against a server that is not ready yet ends with one reason: the credentials it
refuses, an HTML page where the API answers JSON, or the one root cause that the other
failures come from, in a run that ends in bounded time.

Each test runs the suite against such a target and checks the exit code and the paragraph
(exit code 4: nothing was tested; the report's verdict is that paragraph), or the root cause
first and the tests it blocked.
"""

import base64
import json
import sys
from html import escape

import pytest

from conformance import action, matrix
from conformance.html_report import render

from .support.proxies import Faults, HostileProxy
from .support.servers import ServerProcess, variant_server
from .support.suite_runs import SuiteRun, run_suite
from .support.unready import html_catch_all, unauthorized_everywhere

EXIT_TARGET_UNUSABLE = 4
AUTH_STRING = "admin:first-run-secret"
HYPOTHESIS_WORDS = ("PLEASE REPORT THIS", "spent more than five minutes", "FailedHealthCheck")


@pytest.fixture
def auth_string_server(tmp_path):
    """The reference server with an auth string: /api/health open, 401 everywhere else (as
    the real server with PREFECT_SERVER_API_AUTH_STRING)."""
    server = ServerProcess(None, tmp_path, extra=("--auth-string", AUTH_STRING))
    yield server
    server.kill()


def ended_with_one_paragraph(run: SuiteRun, *words: str) -> str:
    """The run tested nothing, exited 4 and said why in one paragraph, which its reports
    carry as their verdict; the paragraph."""
    assert run.returncode == EXIT_TARGET_UNUSABLE, run.output[-3000:]
    assert "Traceback" not in run.output and "INTERNALERROR" not in run.output, run.output
    assert "FAILED" not in run.output and "ERROR " not in run.output
    report = run.report
    assert report is not None, "an exit-4 run writes its report too"
    paragraph = report["verdict"]
    assert report["unusable"] == paragraph and report["verdict_kind"] == "not tested"
    assert f"blocks-conformance: {paragraph}" in " ".join(run.output.split()), run.output[-3000:]
    for word in words:
        assert word in paragraph, f"{word!r} not in: {paragraph}"
    assert "not conformant" not in paragraph
    markdown = run.report_path.with_suffix(".md").read_text()
    assert markdown.startswith("## Blocks conformance: nothing was tested\n\n" + paragraph)
    assert escape(paragraph) in render(report)
    return paragraph


def never_shows(run: SuiteRun, secret: str) -> None:
    files = [run.report_path.with_suffix(s).read_text() for s in (".json", ".md", ".html")]
    for text in (run.output, *files):
        assert secret not in text


def test_auth_with_health_open_names_the_header_option(auth_string_server, tmp_path):
    url = auth_string_server.url
    run = run_suite(f"--target-url={url}", tmp_path=tmp_path)
    paragraph = ended_with_one_paragraph(
        run,
        f"the target {url} refused the run's credentials",
        f"POST {url}/block_types/filter answered 401",
        f"GET {url}/health answered 200: the server is up",
        "--target-header 'NAME: VALUE'",
        "'Authorization: Basic <base64 of user:password>'",
        "Headers sent: none",
    )
    assert "Check that the server is running" not in paragraph  # not a wrong URL


def test_everything_401_asks_for_credentials_not_a_url(tmp_path):
    with unauthorized_everywhere() as root:
        url = f"{root}/api"
        run = run_suite(f"--target-url={url}", tmp_path=tmp_path)
    ended_with_one_paragraph(
        run,
        f"GET {url}/health answered 401: it asks for credentials even there",
        "--target-header 'NAME: VALUE'",
        "Headers sent: none",
    )


@pytest.mark.parametrize(
    "header, shown",
    [
        ("Authorization:", "Authorization (empty: a secret that was not set?)"),
        ("Authorization: Basic", "Authorization (a scheme with nothing after it"),
    ],
    ids=["empty", "scheme-only"],
)
def test_an_empty_secret_is_named_as_such(auth_string_server, tmp_path, header, shown):
    """A workflow run from a fork gets no secrets: the header goes out empty."""
    run = run_suite(
        f"--target-url={auth_string_server.url}", f"--target-header={header}", tmp_path=tmp_path
    )
    ended_with_one_paragraph(run, "refused the run's credentials", f"Headers sent: {shown}")


def test_a_wrong_credential_is_refused_without_being_shown(auth_string_server, tmp_path):
    wrong = base64.b64encode(b"admin:not-the-secret").decode()
    run = run_suite(
        f"--target-url={auth_string_server.url}",
        f"--target-header=Authorization: Basic {wrong}",
        "--target-header=X-Team: blocks",
        tmp_path=tmp_path,
    )
    ended_with_one_paragraph(run, "Headers sent: Authorization, X-Team (values never shown)")
    never_shows(run, wrong)
    never_shows(run, "not-the-secret")


def test_the_right_credential_passes_the_start_up_check(auth_string_server, tmp_path):
    token = base64.b64encode(AUTH_STRING.encode()).decode()
    run = run_suite(
        f"--target-url={auth_string_server.url}",
        f"--target-header=Authorization: Basic {token}",
        "--blocks-clause=PF-API-health",
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-3000:]
    never_shows(run, token)


def test_an_html_catch_all_is_named_by_its_content_type(tmp_path):
    with html_catch_all() as root:
        url = f"{root}/api"
        run = run_suite(f"--target-url={url}", tmp_path=tmp_path)
    ended_with_one_paragraph(
        run,
        f"the target {url} is not usable: GET {url}/health answered 200 with content type "
        "text/html; charset=utf-8, not JSON",
        "--target-url is the base URL of its prefect API",
    )


def test_an_exit_4_report_carries_its_paragraph_everywhere(tmp_path):
    """JSON, Markdown and the page (above), the badge and the Action's job summary."""
    with html_catch_all() as root:
        run = run_suite(f"--target-url={root}/api", tmp_path=tmp_path)
    paragraph = run.report["verdict"]
    column = matrix.Column("html", "html", run.report_path, run.report)
    assert matrix.badge(column)["message"] == "not tested: target not usable"
    assert matrix.badge(column)["color"] == "lightgrey"
    folder = tmp_path / "action"
    folder.mkdir()
    (folder / action.REPORT_NAME).with_suffix(".md").write_text(
        run.report_path.with_suffix(".md").read_text()
    )
    assert paragraph in action.summary(folder, EXIT_TARGET_UNUSABLE)
    assert 'class="verdict untested"' in render(run.report)


def test_a_missing_field_is_one_root_cause_and_the_rest_blocked(start_variant, tmp_path):
    server = start_variant("omits_is_anonymous_in_documents")
    run = run_suite(
        f"--target-url={server.url}", "--blocks-level=2", "-m", "not generated", tmp_path=tmp_path
    )
    assert run.returncode == 1, run.output[-3000:]
    report = run.report
    causes = [cause["clause"] for cause in report["root_causes"]]
    assert causes == ["PF-BD-create", "PF-BD-anonymous"]
    assert run.clauses_with("failed") == {"PF-BD-create", "PF-BD-anonymous"}
    blocked = run.clauses_with("blocked")
    assert {"PF-BD-read-name-404", "PF-SEQ-load", "PF-BD-409-name"} <= blocked
    assert sum(cause["blocked_tests"] for cause in report["root_causes"]) >= len(blocked) > 10
    assert sum(counts.get("blocked", 0) for counts in report["levels"].values()) == len(blocked)
    for clause in blocked:
        entry = report["clauses"][clause]
        assert entry["first_failure"] is None and set(entry["blocked_by"]) <= set(causes)
    # reported once: one failed test per root cause, the others skipped as blocked
    assert run.output.count("[PF-BD-create MUST]") >= 1
    assert "checked: the body must match the block_document schema" in run.output
    assert "StepFailed" not in run.output and "WrongShape" not in run.output
    assert "is_anonymous' is a required property" in report["root_causes"][0]["failure"]
    summary = run.output.split("blocks conformance")[-1]
    assert summary.index("root causes") < summary.index("level 1 (save)")
    assert summary.index("    PF-BD-create (MUST, level 1, failed)") < summary.index("PF-BD-anon")
    assert "\nverdict: not conformant (level 1: 2 MUST clauses failed: PF-BD-create, " in summary
    markdown = run.report_path.with_suffix(".md").read_text()
    assert markdown.index("### Root causes") < markdown.index("| level |")


@pytest.fixture
def slow_broken_server(tmp_path):
    """A broken variant the state machine finds, every answer 50 ms late."""
    server = variant_server("keeps_deleted_documents", tmp_path)
    proxy = HostileProxy(f"http://127.0.0.1:{server.port}", Faults(latency=(0.05, 0.05)))
    yield proxy.url("/api")
    proxy.stop()
    server.kill()


def test_shrinking_against_a_slow_target_stops_at_its_budget(slow_broken_server, tmp_path):
    """No Hypothesis health-check text reaches the user; a note says the case shown is the
    smallest found by then. (The time a whole failing run takes is benchmarks/
    failing_runtime.py's: no timed assert here.)"""
    run = run_suite(
        f"--target-url={slow_broken_server}",
        "--blocks-clause=PF-GEN-stateful",
        "--blocks-shrink-seconds=1",
        tmp_path=tmp_path,
    )
    assert run.returncode == 1, run.output[-3000:]
    for words in HYPOTHESIS_WORDS:
        assert words not in run.output
    failure = run.report["clauses"]["PF-GEN-stateful"]["first_failure"]
    assert "shrinking stopped after 1 s, --blocks-shrink-seconds" in failure


def kragle_url(server) -> str:
    return f"http://127.0.0.1:{server.port}/kragle/api/v1"


def test_a_wrong_kragle_password_is_refused_at_start(reference_server, tmp_path):
    url = kragle_url(reference_server)
    run = run_suite(
        f"--target-url={url}",
        "--blocks-profile=kragle",
        "--blocks-kragle-password=not-the-password",
        tmp_path=tmp_path,
    )
    ended_with_one_paragraph(
        run,
        f"POST {url}/authenticate as conformance-a answered 500 with error code 3",
        "--blocks-kragle-user",
        "--blocks-kragle-password",
    )
    never_shows(run, "not-the-password")


@pytest.fixture
def peak_server_with_its_own_token(tmp_path, monkeypatch):
    """The reference server accepting another Peak token than the suite's default."""
    monkeypatch.setenv("BLOCKS_REFERENCE_PEAK_TOKENS", "a-token-of-this-tenant")
    server = ServerProcess([sys.executable, "-m", "reference_server"], tmp_path)
    yield server
    server.kill()


def test_a_missing_peak_token_is_named_by_its_option(peak_server_with_its_own_token, tmp_path):
    url = f"http://127.0.0.1:{peak_server_with_its_own_token.port}/peak"
    run = run_suite(f"--target-url={url}", "--blocks-profile=peak-press", tmp_path=tmp_path)
    ended_with_one_paragraph(
        run,
        f"GET {url}/v1/blocks/specs/?pageSize=1 answered 401",
        "--blocks-peak-press-token",
        "Headers sent: Authorization",
    )
    assert json.dumps(run.report).count("a-token-of-this-tenant") == 0
