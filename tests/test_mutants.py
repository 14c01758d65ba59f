"""The suite can fail: each broken variant of the reference server makes its clause fail.

Each variant is run against the tests of the clause it breaks (``--clause``); the unbroken
server is run against the whole suite."""

import pytest

from .conftest import run_suite
from .miniatures import CAUGHT_BY, MUTANTS


def test_the_unbroken_reference_server_passes_every_clause(reference_server, tmp_path):
    run = run_suite(f"--target-url={reference_server.url}", "--fail-on-skip", tmp_path=tmp_path)
    assert run.returncode == 0, run.output[-3000:]
    assert run.clauses_with("failed") == set()
    assert run.clauses_with("skipped") == set()


GENERATED_ONLY = [
    "fails_on_long_names",
    "keeps_updated_on_patch",
    "lists_drop_recreated_documents",
    "coerces_schema_fields",
]


@pytest.mark.parametrize("name", sorted(set(MUTANTS) - set(GENERATED_ONLY)))
def test_broken_variant_is_caught(name, start_mutant, tmp_path):
    """Variants only generated cases can find are run by the last test, with their budget."""
    server = start_mutant(name)
    run = run_suite(
        f"--target-url={server.url}", f"--clause={CAUGHT_BY[name]}", "--seed=0", tmp_path=tmp_path
    )
    failed = run.clauses_with("failed")
    assert run.returncode == 1, f"{name}: the suite exited {run.returncode}\n{run.output[-3000:]}"
    assert CAUGHT_BY[name] in failed, (
        f"{name} must fail {CAUGHT_BY[name]}; failed: {sorted(failed)}"
    )


FILTER_MUTANTS = [
    "like_is_exact_match",
    "ignores_offset",
    "name_desc_sorts_ascending",
    "lists_anonymous_documents_by_default",
    "or_behaves_like_and",
]


@pytest.mark.parametrize("name", FILTER_MUTANTS)
def test_generated_filters_catch_broken_filters_on_their_own(name, start_mutant, tmp_path):
    server = start_mutant(name)
    run = run_suite(
        f"--target-url={server.url}",
        "--clause=PF-FLT-model",
        "--examples=50",
        "--seed=0",
        tmp_path=tmp_path,
    )
    assert "PF-FLT-model" in run.clauses_with("failed"), run.output[-3000:]
    assert "the filtered names must be" in run.output, run.output[-3000:]
    assert "documents of this case:" in run.output, run.output[-3000:]


@pytest.mark.parametrize("name", GENERATED_ONLY)
def test_generated_tests_catch_what_hand_written_ones_miss(name, start_mutant, tmp_path):
    server = start_mutant(name)
    hand_written = run_suite(f"--target-url={server.url}", "-m", "not generated", tmp_path=tmp_path)
    assert hand_written.returncode == 0, f"{name} is caught by hand-written tests too"
    generated = run_suite(
        f"--target-url={server.url}",
        f"--clause={CAUGHT_BY[name]}",
        "--examples=60",
        "--seed=0",
        tmp_path=tmp_path,
    )
    assert CAUGHT_BY[name] in generated.clauses_with("failed"), generated.output[-3000:]
    if CAUGHT_BY[name] == "PF-GEN-stateful":  # the shrunk run, as the HTTP calls that repeat it
        assert "HTTP calls of this run:" in generated.output, generated.output[-3000:]
    if CAUGHT_BY[name] in ("PF-GEN-contract", "PF-GEN-invalid-rejected"):
        assert "request:  " in generated.output, generated.output[-3000:]
