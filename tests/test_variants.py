"""The suite can fail, for the right reason: each broken variant of the reference server fails
the clause it declares, with a failure message that contains the words it declares; every MUST
clause has a variant or a written reason why no server can break it alone."""

import os
import re
from functools import cache
from pathlib import Path

import pytest

from conformance import profiles
from conformance.clauses import catalogue, header
from conformance.options import DEFAULT_EXAMPLES

from .support import ROOT
from .support.environment import missing, required_in_ci
from .support.full_runs import FULL_RUNS, client_journeys
from .support.suite_runs import run_suite
from .variants import AllowedVariant, Variant, all_variants, allowed_variants, suite_args

VARIANTS = all_variants()
ALLOWED = allowed_variants()
# The budget of generated cases of an allowed variant's whole run: every generated test sends
# this many cases of each operation in each mode, enough for each to meet the variant's reading
# (an answer with an extra key, a reworded error, FastAPI's 422) on every operation.
ALLOWED_EXAMPLES = 5
# the budget of an allowed variant whose reading matters to the generated clauses only (it runs
# nothing else)
SCOPED_EXAMPLES = 20


def failure_messages(run, clause: str) -> list[str]:
    entry = (run.report or {}).get("clauses", {}).get(clause, {})
    return [
        test.get("message", "") for test in entry.get("tests", []) if test["outcome"] == "failed"
    ]


def fails_for_declared_reason(run, clause: str, reasons: tuple[str, ...]) -> bool:
    """Some test of ``clause`` failed with a message containing every one of ``reasons``."""
    return any(
        all(reason in message for reason in reasons) for message in failure_messages(run, clause)
    )


def profile_url(server, name: str) -> str:
    """The base URL of profile ``name`` on a reference server (or a variant of it)."""
    return f"http://127.0.0.1:{server.port}{profiles.get(name).server.base_path}"


def run_against(variant: Variant, server, tmp_path):
    return run_suite(
        *variant_args(variant, server), tmp_path=tmp_path, suite=variant_suite(variant)
    )


@cache
def clause_files(profile: str, clause: str) -> tuple[Path, ...]:
    """The profile's test modules that name ``clause`` (in a clause marker, or as the clause
    of tests a module makes with a factory)."""
    marker = f'"{clause}"'
    folder = profiles.get(profile).catalogue.folder
    return tuple(path for path in sorted(folder.glob("test_*.py")) if marker in path.read_text())


def variant_suite(variant: Variant) -> list[Path]:
    """What a variant's run collects: only the modules with tests of its clause (collecting
    the whole suite would cost most of a run), or the whole suite if none names it."""
    return list(clause_files(variant.profile, variant.clause)) or [ROOT / "conformance"]


def variant_args(variant: Variant, server) -> list[str]:
    """The suite's arguments that run ``variant``'s clause against ``server``."""
    # Whether the clause fails is the question, not the smallest failing case: no shrinking.
    url = profile_url(server, variant.profile)
    args = [f"--target-url={url}", f"--blocks-clause={variant.clause}", "--blocks-seed=0"]
    args.append("--blocks-no-shrink")
    # an implementer's run: the suite's own budget, unless the variant needs more
    args.append(f"--blocks-examples={variant.examples or DEFAULT_EXAMPLES}")
    if variant.only:
        args += ["-k", variant.only]
    for option, variable in variant.needs:
        args.append(f"{option}={required_in_ci(variable, f'{option} for {variant.test_id}')}")
    args += [*suite_args(variant.profile, url), *variant.options]
    return [*args, f"--blocks-profile={variant.profile}"]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.test_id)
def test_broken_variant_fails_its_clause_for_the_declared_reason(variant, start_variant, tmp_path):
    server = start_variant(variant.name)
    run = run_against(variant, server, tmp_path)
    messages = "\n---\n".join(failure_messages(run, variant.clause))
    assert run.returncode == 1, (
        f"{variant.name}: the suite exited {run.returncode}\n{run.output[-3000:]}"
    )
    assert fails_for_declared_reason(run, variant.clause, variant.reasons), (
        f"{variant.name} must fail {variant.clause} with {variant.reasons}; its failures:\n"
        f"{messages or run.output[-3000:]}"
    )
    # the failure names the clause as the catalogue writes it: id, strength, sentence
    heading = header(catalogue(profiles.get(variant.profile))[variant.clause])
    assert all(heading in message for message in failure_messages(run, variant.clause)), heading


@FULL_RUNS
def test_the_unbroken_reference_server_passes_every_prefect_clause(reference_run):
    run = reference_run.run
    assert run.returncode == 0, run.output[-3000:]
    assert run.clauses_with("failed") == set()
    assert run.clauses_with("skipped") == set()
    if client_journeys():
        assert run.report["verdict"] == "Level 5 conformant"
    else:
        assert run.report["verdict"].startswith(
            "Level 4 conformant; level 5 not established: 12 MUST clauses not"
        )


OTHER_PROFILES = [name for name in profiles.names() if name != "prefect"]


@pytest.mark.parametrize("name", OTHER_PROFILES)
def test_the_unbroken_reference_server_passes_every_clause(name, reference_server, tmp_path):
    url = profile_url(reference_server, name)
    run = run_suite(
        f"--target-url={url}",
        f"--blocks-profile={name}",
        "--blocks-fail-on-skip",
        *suite_args(name, url),
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-3000:]
    assert run.clauses_with("failed") == set()
    assert run.clauses_with("skipped") == set()
    assert run.report["verdict"].startswith("Level 4 conformant"), run.report["verdict"]


def test_a_variant_failing_for_another_reason_does_not_count(start_variant, tmp_path):
    """A server that answers 500 to every write does not fail the clause for the reason the
    duplicate-name variant declares: the block type its tests create first is the root cause,
    and the clause is blocked by it."""
    declared = next(v for v in VARIANTS if v.name == "accepts_duplicate_names")
    server = start_variant("answers_500_to_every_write")
    run = run_against(declared, server, tmp_path)
    assert run.returncode == 1
    assert declared.clause in run.clauses_with("blocked")
    assert "PF-BT-create" in run.clauses_with("failed")
    assert not fails_for_declared_reason(run, declared.clause, declared.reasons)


def test_a_variant_whose_clause_passes_does_not_count(reference_server, tmp_path):
    declared = next(v for v in VARIANTS if v.name == "accepts_duplicate_names")
    run = run_against(declared, reference_server, tmp_path)
    assert run.returncode == 0
    assert not fails_for_declared_reason(run, declared.clause, declared.reasons)


@pytest.mark.parametrize("name", profiles.names())
def test_every_must_clause_has_a_variant_or_a_reason(name):
    profile = profiles.get(name)
    broken = {variant.clause for variant in VARIANTS if variant.profile == name}
    missing = [
        clause.id
        for clause in catalogue(profile).values()
        if clause.strength == "MUST" and clause.id not in broken and not clause.no_variant
    ]
    assert missing == [], f"MUST clauses of {name} without a broken variant or a no_variant reason"


def test_variants_name_known_clauses():
    for variant in VARIANTS:
        assert variant.clause in catalogue(profiles.get(variant.profile)), variant.test_id


def optional_in_ci(variable: str, why: str) -> str | None:
    """An environment variable CI must set; locally its absence leaves a part out."""
    value = os.environ.get(variable)
    if not value and os.environ.get("CI"):
        pytest.fail(f"CI must set {variable} ({why})")
    return value or None


def allowed_args(variant: AllowedVariant, server) -> list[str]:
    url = profile_url(server, variant.profile)
    args = [f"--target-url={url}", f"--blocks-profile={variant.profile}", "--blocks-fail-on-skip"]
    examples = ALLOWED_EXAMPLES if variant.scope is None else SCOPED_EXAMPLES
    args += [*suite_args(variant.profile, url), f"--blocks-examples={examples}"]
    if variant.scope is not None:
        args.append(f"--blocks-clause={variant.scope}")
    for option, variable in variant.needs:
        value = optional_in_ci(variable, f"{option} for {variant.name}")
        if value:
            args.append(f"{option}={value}")
    return [*args, *variant.options]


OPTION = re.compile(r"--blocks-[a-z0-9-]+")


def left_out_for_options_not_given(run, args: list[str]) -> set[str]:
    """The clauses not covered, each of which needs an option the run was not given (the UI
    journeys of a run without --blocks-prefect-ui); any other clause not covered is not."""
    given = {arg.split("=", 1)[0] for arg in args}
    return {
        clause
        for clause, entry in run.report["clauses"].items()
        if entry["status"] == "not covered"
        and set(OPTION.findall(entry.get("not_run", ""))) - given
    }


@pytest.mark.parametrize("variant", ALLOWED, ids=lambda variant: variant.name)
def test_allowed_variant_passes_the_whole_suite(variant, start_variant, tmp_path):
    """Another reading the sources allow passes every MUST clause and every SHOULD clause but
    the ones it declares (which ask for the answer it did not choose), generated cases with
    the suite's default budget included (a scoped one: the clauses it names, on CI's budget)."""
    clients_missing = [v for _, v in variant.needs if not os.environ.get(v)]
    if variant.scope is not None and clients_missing:
        missing(f"{', '.join(clients_missing)} not set: {variant.name}'s clauses need it")
    server = start_variant(variant.name)
    args = allowed_args(variant, server)
    run = run_suite(*args, tmp_path=tmp_path)
    failed = run.clauses_with("failed")
    possible = set(variant.fails) | set(variant.may_fail)
    # a clause the run left out for want of a client cannot fail (locally, without it)
    must_fail = set(variant.fails) - run.clauses_with("not covered")
    assert must_fail <= failed <= possible, (
        f"{variant.name} must fail {sorted(variant.fails)} (and may fail "
        f"{sorted(variant.may_fail)}); failed {sorted(failed)}:\n{run.output[-3000:]}"
    )
    assert run.clauses_with("skipped") == set(), run.output[-3000:]
    if variant.scope is not None:  # a part of the suite: no verdict to claim
        assert run.returncode == 0 and run.clauses_with("passed"), run.output[-3000:]
        return
    assert run.report["verdict"].startswith("Level "), run.report["verdict"]
    top = max(int(level) for level in run.report["level_names"])
    journeys_left_out = any(option for option, _ in variant.needs) and not all(
        os.environ.get(variable) for _, variable in variant.needs
    )
    if journeys_left_out:
        return
    left_out = left_out_for_options_not_given(run, args)
    assert run.clauses_with("not covered") == left_out, run.report["verdict"]
    if left_out:  # the top level's clauses that need an option this variant's run does not take
        assert run.report["verdict"].startswith(
            f"Level {top - 1} conformant; level {top} not established: "
        )
    else:
        assert run.report["verdict"] == f"Level {top} conformant", run.report["verdict"]


@pytest.mark.parametrize("variant", ALLOWED, ids=lambda variant: variant.name)
def test_allowed_variants_name_known_clauses_and_should_failures(variant):
    clauses = catalogue(profiles.get(variant.profile))
    for clause in (*variant.clauses, *variant.fails, *variant.may_fail):
        assert clause in clauses, f"{variant.name}: unknown clause {clause}"
    failing = (*variant.fails, *variant.may_fail)
    musts = [clause for clause in failing if clauses[clause].strength == "MUST"]
    assert musts == [], f"{variant.name} may fail SHOULD clauses only, not {musts}"


@pytest.mark.parametrize("name", profiles.names())
def test_every_profile_has_a_deviation_catalogue_of_broken_variants(name):
    """At least twelve classic implementer mistakes per profile, each a broken variant (which
    the variant test above proves its clause kills)."""
    from .variants import CLASSIC

    mistakes = CLASSIC.get(name, {})
    broken = {variant.name for variant in VARIANTS if variant.profile == name}
    assert len(mistakes) >= 12, f"{name}: {len(mistakes)} classic mistakes"
    assert set(mistakes) <= broken, sorted(set(mistakes) - broken)
