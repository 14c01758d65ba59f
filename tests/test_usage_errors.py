"""Options a run cannot use end it before any test with a paragraph that says why (exit code
4), and no message ever shows a credential given to the suite: a malformed header is named,
never printed."""

import pytest

from .support.suite_runs import run_suite

SECRET = "s3cret-t0ken-9f2e"


def assert_not_shown(run, *secrets: str) -> None:
    shown = [run.output]
    for twin in (".json", ".md", ".html"):
        path = run.report_path.with_suffix(twin)
        if path.exists():
            shown.append(path.read_text())
    for secret in secrets:
        assert all(secret not in text for text in shown), run.output[-2000:]


@pytest.mark.parametrize(
    ("level", "profile", "levels"),
    [
        ("7", "prefect", "its levels are 1 to 5 (1 save, 2 load, 3 filter, 4 nested, 5 clients)"),
        ("0", "prefect", "its levels are 1 to 5 (1 save, "),
        ("5", "kragle", "its levels are 1 to 4 (1 create and read, "),
    ],
)
def test_a_level_outside_the_profile_s_levels_names_the_range(tmp_path, level, profile, levels):
    run = run_suite(f"--blocks-level={level}", f"--blocks-profile={profile}", tmp_path=tmp_path)
    assert run.returncode == 4, run.output[-2000:]
    assert f"--blocks-level {level} is not a level of the {profile} profile: {levels}" in run.output
    assert "Nothing was tested." in run.output and " passed" not in run.output


@pytest.mark.parametrize(
    ("header", "why"),
    [
        (f"Bearer {SECRET}", "a --target-header has no ':'"),
        (f"Bearer {SECRET}: x", "a --target-header has a name that is not a header name"),
        (
            f"Authorization: Bearer {SECRET}\nX-Next: 1",
            "--target-header 'Authorization: ...' has a line break",
        ),
        (f": {SECRET}", "a --target-header has no name before its ':'"),
    ],
    ids=["no colon", "not a name", "line break", "no name"],
)
def test_a_malformed_target_header_is_named_not_shown(tmp_path, header, why):
    run = run_suite(f"--target-header={header}", tmp_path=tmp_path)
    assert run.returncode == pytest.ExitCode.USAGE_ERROR
    assert why in run.output, run.output[-2000:]
    assert_not_shown(run, SECRET)


def test_a_malformed_oracle_header_is_named_not_shown(tmp_path):
    run = run_suite(f"--blocks-oracle-header=Token {SECRET}", tmp_path=tmp_path)
    assert run.returncode == pytest.ExitCode.USAGE_ERROR
    assert "a --blocks-oracle-header has no ':'" in run.output
    assert_not_shown(run, SECRET)


def test_a_peak_token_with_a_line_break_names_its_option_not_its_value(tmp_path):
    run = run_suite(
        "--blocks-profile=peak-press", f"--blocks-peak-press-token={SECRET}\n", tmp_path=tmp_path
    )
    assert run.returncode == pytest.ExitCode.USAGE_ERROR
    assert (
        "the Authorization header the peak-press profile makes from --blocks-peak-press-token"
        in run.output
    )
    assert_not_shown(run, SECRET)


def test_a_wrong_kragle_password_fails_the_login_without_showing_it(tmp_path):
    run = run_suite(
        "--blocks-profile=kragle", f"--blocks-kragle-password={SECRET}", "-x", tmp_path=tmp_path
    )
    assert run.returncode == 1
    assert "POST /authenticate as conformance-a must answer 200" in run.output
    assert_not_shown(run, SECRET)


def test_credentials_in_the_target_url_stay_out_of_the_exit_paragraph(tmp_path):
    run = run_suite(f"--target-url=http://ci:{SECRET}@127.0.0.1:9/api", tmp_path=tmp_path)
    assert run.returncode == 4
    assert "the target http://<redacted>@127.0.0.1:9/api is not usable" in run.output
    assert_not_shown(run, SECRET)
