"""Nothing secret in any report: header values, Basic credentials, cookies, passwords and tokens
given to the suite or met on the way never reach the JSON, Markdown, HTML or JUnit files, even
from a server that shows them back in its answers."""

import base64
import json

import pytest

from conformance import profiles
from conformance.options import Settings
from conformance.redaction import REDACTED, Redactor, forms_of

from .support.proxies import Faults, HostileProxy
from .support.suite_runs import run_suite

HEADER_SECRET = "hdr-known-value-7f3a9c"
PASSWORD = "leaky-password-91c2e4"
BASIC = base64.b64encode(f"conf-user:{PASSWORD}".encode()).decode()
COOKIE_VALUE = "cookie-known-value-4b8e1d"
# every form in which a file could hold one of them
REPORT_FILES = {".json", ".md", ".html", ".xml"}
SECRETS = [HEADER_SECRET, PASSWORD, BASIC, f"conf-user:{PASSWORD}", COOKIE_VALUE]


@pytest.fixture
def leaky_proxy(reference_server):
    """The reference server behind a server that sets a session cookie on every answer and
    answers every fourth request with a 500 showing the request's headers and the cookie."""
    faults = Faults(echo_headers_every=4, session_cookie=f"sessionid={COOKIE_VALUE}")
    proxy = HostileProxy(reference_server.url.removesuffix("/api"), faults)
    yield proxy
    proxy.stop()


def test_no_report_file_holds_a_secret_a_server_showed_back(leaky_proxy, tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    junit = reports / "junit.xml"
    run = run_suite(
        f"--target-url={leaky_proxy.url('/api')}",
        "--blocks-clause=PF-BT-*",
        "-m",
        "not generated",
        f"--target-header=X-Api-Key: {HEADER_SECRET}",
        f"--target-header=Authorization: Basic {BASIC}",
        f"--junitxml={junit}",
        "-o",
        "junit_logging=all",
        tmp_path=reports,
    )
    assert run.returncode == 1, run.output[-2000:]
    written = sorted(path for path in reports.iterdir() if path.suffix in REPORT_FILES)
    assert {path.suffix for path in written} == REPORT_FILES
    messages = json.dumps(run.report["clauses"])
    # the leaked answers reached the report, and only their secrets were taken out
    assert "X-Api-Key" in messages and "Authorization" in messages and REDACTED in messages
    for path in written:
        text = path.read_text()
        found = [secret for secret in SECRETS if secret in text]
        assert found == [], f"{path.name} holds {found}"
    assert not [secret for secret in SECRETS if secret in run.output]


def test_every_form_of_a_credential_is_redacted():
    redactor = Redactor([f"Basic {BASIC}", "sessionid=abcd1234; other=zzzz9876"])
    for text in (
        f"Authorization: Basic {BASIC}",
        f'{{"password": "{PASSWORD}"}}',  # the decoded Basic token's password, anywhere
        "conf-user%3A" + PASSWORD,  # percent-encoded
        "cookie value abcd1234 and zzzz9876",
    ):
        cleaned = redactor.text(text)
        assert PASSWORD not in cleaned and BASIC not in cleaned, cleaned
        assert "abcd1234" not in cleaned and "zzzz9876" not in cleaned
        assert REDACTED in cleaned


def test_a_value_with_quotes_is_redacted_inside_json_too():
    redactor = Redactor(['se"cr\\et-1'])
    assert redactor.text(json.dumps({"k": 'se"cr\\et-1'})) == '{"k": "<redacted>"}'


def test_values_too_short_to_be_secrets_are_left_alone():
    assert forms_of("ab") == set()
    assert Redactor(["ab"]).text("tab stop") == "tab stop"


def test_credential_header_lines_are_redacted_whatever_their_value():
    text = "GET /x\nCookie: fresh=unknown-to-the-run\nauthorization: Bearer never-seen"
    cleaned = Redactor().text(text)
    assert "unknown-to-the-run" not in cleaned and "never-seen" not in cleaned
    assert cleaned.startswith("GET /x\nCookie: <redacted>")


@pytest.mark.parametrize(
    ("profile", "option", "value"),
    [
        ("kragle", "blocks_kragle_password", "kragle-pw-123456"),
        ("kragle", "blocks_kragle_second_password", "kragle-pw-654321"),
        ("peak-press", "blocks_peak_press_token", "peak-token-abcdef"),
        ("prefect", "blocks_oracle_header", ["X-Oracle: oracle-secret-42"]),
        ("prefect", "target_url", "http://user:url-password-9@127.0.0.1:4200/api"),
        ("prefect", "blocks_example_db", "redis://:redis-password-7@127.0.0.1:6379/0"),
    ],
)
def test_options_holding_secrets_are_known_to_the_run(profile, option, value):
    settings = Settings.of(**{option: value})
    redactor = Redactor.for_run(settings, profiles.get(profile).credentials.headers(settings))
    secret = {
        "blocks_oracle_header": "oracle-secret-42",
        "target_url": "url-password-9",
        "blocks_example_db": "redis-password-7",
    }.get(option, value)
    assert secret not in redactor.text(f"a message quoting {secret}")


def test_a_profile_default_token_is_known_to_the_run():
    """Peak Press sends its token as the Authorization header when none is given."""
    from conformance.peak_press.options import REFERENCE_TOKEN

    redactor = Redactor.for_run(
        Settings.of(), profiles.get("peak-press").credentials.headers(Settings.of())
    )
    assert REFERENCE_TOKEN not in redactor.text(f"sent {REFERENCE_TOKEN}")
