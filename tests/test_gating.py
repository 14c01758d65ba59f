"""CI gating for implementers: exit codes, expected failures, reports, levels, xdist, the
clause document."""

import json
import xml.etree.ElementTree as ElementTree

import jsonschema
import pytest

from conformance import matrix, profiles
from conformance.clauses import catalogue
from conformance.expectations import Expectations, all_expected

from .support import LEDGERS, REAL_EXPECTED_FAILURES, ROOT
from .support.suite_runs import run_suite

REPORT_SCHEMA = json.loads((ROOT / "fixtures" / "schemas" / "report.json").read_text())


def expect_file(tmp_path, *lines: str):
    path = tmp_path / "expected-failures.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_all_passing_exits_zero(reference_server, tmp_path):
    run = run_suite(
        f"--target-url={reference_server.url}", "--blocks-clause=PF-API-*", tmp_path=tmp_path
    )
    assert run.returncode == 0, run.output[-2000:]
    jsonschema.validate(run.report, REPORT_SCHEMA)


def test_unexpected_failure_exits_one(start_variant, tmp_path):
    server = start_variant("accepts_duplicate_names")
    run = run_suite(
        f"--target-url={server.url}", "--blocks-clause=PF-BD-409-name", tmp_path=tmp_path
    )
    assert run.returncode == 1
    entry = run.report["clauses"]["PF-BD-409-name"]
    assert entry["status"] == "failed"
    assert "POST" in entry["first_failure"] and "answered 201" in entry["first_failure"]


def test_only_expected_failures_exit_zero(start_variant, tmp_path):
    server = start_variant("accepts_duplicate_names")
    expected = expect_file(tmp_path, "PF-BD-409-name  # we accept duplicates for now")
    run = run_suite(
        f"--target-url={server.url}",
        "--blocks-clause=PF-BD-409-name",
        f"--blocks-expect-fail={expected}",
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-2000:]
    assert run.report["clauses"]["PF-BD-409-name"]["status"] == "expected failure"
    assert (
        "we accept duplicates for now" in run.report["clauses"]["PF-BD-409-name"]["first_failure"]
    )
    jsonschema.validate(run.report, REPORT_SCHEMA)


def test_a_pinned_expected_failure_that_matches_exits_zero(start_variant, tmp_path):
    server = start_variant("accepts_duplicate_names")
    expected = expect_file(tmp_path, 'PF-BD-409-name  expect="answered 201"  # known')
    run = run_suite(
        f"--target-url={server.url}",
        "--blocks-clause=PF-BD-409-name",
        f"--blocks-expect-fail={expected}",
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-2000:]
    assert run.report["clauses"]["PF-BD-409-name"]["status"] == "expected failure"


def test_a_listed_clause_failing_otherwise_than_pinned_is_an_unexpected_failure(
    start_variant, tmp_path
):
    """The real server's ledger expects PF-BD-409-concurrent to lose a connection; a server
    that lets every simultaneous create of one name succeed fails it for another reason."""
    server = start_variant("checks_names_against_a_stale_cache")
    run = run_suite(
        f"--target-url={server.url}",
        "--blocks-clause=PF-BD-409-concurrent",
        f"--blocks-expect-fail={REAL_EXPECTED_FAILURES}",
        tmp_path=tmp_path,
    )
    assert run.returncode == 1, run.output[-2000:]
    entry = run.report["clauses"]["PF-BD-409-concurrent"]
    assert entry["status"] == "failed"
    failure = entry["first_failure"]
    assert "unexpected failure of a listed test" in failure
    assert "'no answer'" in failure  # what the entry expected
    assert "answered {201: " in failure  # what happened
    assert "unexpected failure of a listed test" in run.output


def test_a_malformed_expect_fail_line_is_a_usage_error(reference_server, tmp_path):
    expected = expect_file(tmp_path, "PF-API-health  expect=unquoted  # reason")
    run = run_suite(
        f"--target-url={reference_server.url}",
        "--blocks-clause=PF-API-health",
        f"--blocks-expect-fail={expected}",
        tmp_path=tmp_path,
    )
    assert run.returncode == pytest.ExitCode.USAGE_ERROR
    assert f"{expected}:1" in run.output


def test_expected_failure_by_test_id(start_variant, tmp_path):
    server = start_variant("accepts_duplicate_names")
    expected = expect_file(
        tmp_path, "test_block_documents.py::test_duplicate_name_in_the_same_type_conflicts"
    )
    run = run_suite(
        f"--target-url={server.url}",
        "--blocks-clause=PF-BD-409-name",
        f"--blocks-expect-fail={expected}",
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-2000:]


def test_expected_failure_that_now_passes_is_listed_for_removal(reference_server, tmp_path):
    expected = expect_file(tmp_path, "PF-API-health  # was broken once")
    run = run_suite(
        f"--target-url={reference_server.url}",
        "--blocks-clause=PF-API-health",
        f"--blocks-expect-fail={expected}",
        tmp_path=tmp_path,
    )
    assert run.returncode == 0
    assert run.report["expected_failures_now_passing"] == ["PF-API-health"]
    assert "remove from the expect-fail file): PF-API-health" in run.output
    markdown = run.report_path.with_suffix(".md").read_text()
    assert "Now passing: remove from the expect-fail file" in markdown


def test_unknown_expect_fail_entry_is_a_usage_error(reference_server, tmp_path):
    expected = expect_file(tmp_path, "PF-NO-such-clause")
    run = run_suite(
        f"--target-url={reference_server.url}",
        "--blocks-clause=PF-API-health",
        f"--blocks-expect-fail={expected}",
        tmp_path=tmp_path,
    )
    assert run.returncode == pytest.ExitCode.USAGE_ERROR
    assert "PF-NO-such-clause" in run.output


def test_markdown_summary_shows_verdict_table_and_failures(start_variant, tmp_path):
    server = start_variant("accepts_duplicate_names")
    run = run_suite(f"--target-url={server.url}", "--blocks-level=1", tmp_path=tmp_path)
    markdown = run.report_path.with_suffix(".md").read_text()
    assert markdown.startswith("## Blocks conformance: not conformant (level 1: ")
    assert " MUST clauses failed: " in markdown.splitlines()[0]
    assert "PF-BD-409-name" in markdown.splitlines()[0]
    assert (
        "| level | passed | failed | expected failure | blocked | skipped | not covered |"
        in markdown
    )
    assert "**PF-BD-409-name** (level 1 MUST, failed)" in markdown
    assert "answered 201" in markdown


def test_level_limits_the_run_and_the_verdict(reference_server, tmp_path):
    run = run_suite(f"--target-url={reference_server.url}", "--blocks-level=2", tmp_path=tmp_path)
    assert run.returncode == 0, run.output[-2000:]
    assert set(run.report["levels"]) == {"1", "2"}
    assert run.report["conformant_level"] == 2
    assert "verdict: Level 2 conformant" in run.output
    levels = {entry["level"] for entry in run.report["clauses"].values()}
    assert levels == {1, 2}


def test_verdict_names_must_clauses_that_were_not_run(reference_server, tmp_path):
    """A run cut down with --blocks-clause or -m cannot claim a level, and must say why (not run),
    in words of its own: it never blames the server ("not conformant" is for a failed MUST
    clause)."""
    run = run_suite(
        f"--target-url={reference_server.url}", "--blocks-clause=PF-API-health", tmp_path=tmp_path
    )
    assert run.returncode == 0, run.output[-2000:]
    assert run.report["conformant_level"] == 0
    assert run.report["verdict"].startswith("Level 1 not established: ")
    assert " MUST clauses not run: " in run.report["verdict"]
    assert "failed" not in run.report["verdict"]
    assert "not conformant" not in run.report["verdict"]
    assert run.report["verdict_kind"] == "not established"
    assert f"verdict: {run.report['verdict']}" in run.output


def test_a_level_reached_with_the_next_not_run_says_so(reference_server, tmp_path):
    """Level 1 passed and the generated tests left out: level 2 is not established, and the
    matrix's badge has the colour of its own."""
    run = run_suite(
        f"--target-url={reference_server.url}",
        "--blocks-level=2",
        "-m",
        "level1 or (level2 and not generated)",
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-2000:]
    verdict = run.report["verdict"]
    assert verdict == (
        "Level 1 conformant; level 2 not established: 1 MUST clause not run: PF-GEN-stateful"
    )
    column = matrix.Column("run", "run", run.report_path, run.report)
    assert matrix.badge(column)["color"] == "blue"


def test_markers_select_by_level_and_area(reference_server, tmp_path):
    run = run_suite(f"--target-url={reference_server.url}", "-m", "secrets", tmp_path=tmp_path)
    ran = {clause for clause, entry in run.report["clauses"].items() if entry["tests"]}
    assert ran and all(clause.startswith("PF-SEC-") for clause in ran)


def test_junit_xml_carries_clause_ids(reference_server, tmp_path):
    junit = tmp_path / "junit.xml"
    run_suite(
        f"--target-url={reference_server.url}",
        "--blocks-clause=PF-API-health",
        f"--junitxml={junit}",
        tmp_path=tmp_path,
    )
    properties = ElementTree.parse(junit).getroot().iter("property")
    assert ("clause", "PF-API-health") in {(p.get("name"), p.get("value")) for p in properties}


def test_parallel_run_under_xdist(tmp_path):
    run = run_suite("-n", "2", "--blocks-level=2", tmp_path=tmp_path)
    assert run.returncode == 0, run.output[-2000:]
    assert len(run.report["run"]["namespaces"]) == 2
    assert run.report["conformant_level"] == 2


@pytest.mark.parametrize("ledger", LEDGERS, ids=lambda path: path.name)
def test_real_server_expected_failures_are_pinned_should_clauses(ledger):
    """A ledger lists SHOULD clauses only (for the release's runs: its own bugs are SHOULD for
    them, fixtures/prefect/releases.toml), each pinned to the failure it expects."""
    from conformance.options import Settings
    from conformance.prefect import releases

    version = ledger.stem.removeprefix("prefect-")
    settings = Settings.of(blocks_prefect_release=version)
    known = releases.adjusted_catalogue(catalogue(profiles.get("prefect")), settings)
    entries = Expectations.load([str(ledger)]).entries
    assert entries
    for name, alternatives in entries.items():
        assert known[name].strength == "SHOULD", f"{name} is a MUST clause"
        for entry in alternatives:
            assert entry.pins, f"{name} is not pinned to the failure it expects"


def test_entries_of_one_id_are_alternatives_and_every_id_must_match(tmp_path):
    listed = tmp_path / "listed.txt"
    listed.write_text(
        'PF-X  expect="answered 500"  # one bug\n'
        'PF-X  expect="answered 404"  # another bug of the same clause\n'
        'test_x.py::test_y  expect="GET"  # the test, too\n'
    )
    expectations = Expectations.load([str(listed)])
    entries = expectations.matching("conformance/test_x.py::test_y", ["PF-X"])
    assert len(entries) == 3
    assert all_expected(entries, "GET /a answered 500")
    assert all_expected(entries, "GET /a answered 404")
    assert not all_expected(entries, "GET /a answered 200")
    assert not all_expected(entries, "POST /a answered 500")  # the test's entry misses


def test_a_failure_that_hypothesis_cannot_replay_is_still_the_servers_failure():
    """A generated case fails once and passes when replayed (the replay's objects got new
    random names): the first failure is raised, not Hypothesis's FlakyFailure."""
    from types import SimpleNamespace

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from conformance.generation import run_seeded

    runs = []

    @settings(database=None, max_examples=5)
    @given(st.integers())
    def check(value):
        runs.append(value)
        if len(runs) == 1:
            raise AssertionError("the filtered names must be [...]")

    run = SimpleNamespace(settings=SimpleNamespace(seed=0))
    with pytest.raises(AssertionError, match="the filtered names must be") as raised:
        run_seeded(check, run)
    assert "did not fail the same way" in "".join(getattr(raised.value, "__notes__", []))
