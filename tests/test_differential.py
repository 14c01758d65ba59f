"""Differential mode (``--blocks-oracle-url``, ``--blocks-oracle-transcript``): two reference
servers, whose ids differ, compare clean; servers that no clause fails but that answer
differently are caught by the comparison alone; the ignore file's pins decide what is ignored;
a recorded run replays as the oracle."""

import ast
import gzip
import json
from pathlib import Path

import pytest

from conformance.client import Exchange
from conformance.current import CurrentTest
from conformance.differential import Answer, Mirror, Pairing, compare_answers
from conformance.expectations import Expectations
from conformance.prefect.profile import PROFILE

from .support import ROOT
from .support.servers import ServerProcess
from .support.suite_runs import run_suite
from .test_variants import profile_url
from .variants import DifferingVariant, differing_variants, suite_args

RULES = PROFILE.differential
# what any two right servers answer differently (races, random names)
RACES = ROOT / "fixtures" / "differential" / "races.txt"
# create, read, update, filter and delete sequences, nested references, documents and filters
COMPARED_AREAS = "test_sequences or test_references or test_block_documents or test_filters"


def differential(target: str, oracle: str, *args: str, tmp_path):
    return run_suite(
        f"--target-url={target}",
        f"--blocks-oracle-url={oracle}",
        "--blocks-seed=0",
        "--blocks-examples=5",
        f"--blocks-oracle-ignore={RACES}",
        *args,
        tmp_path=tmp_path,
    )


def unignored(run) -> list[dict]:
    return [d for d in (run.report or {}).get("differences", []) if not d.get("ignored")]


@pytest.fixture
def oracle_server(tmp_path):
    server = ServerProcess(None, tmp_path)
    yield server
    server.stop()


def test_two_reference_servers_compare_clean(reference_server, oracle_server, tmp_path):
    """Every id differs between the two servers; paired, every answer compares equal."""
    run = differential(
        reference_server.url, oracle_server.url, "-k", COMPARED_AREAS, tmp_path=tmp_path
    )
    assert run.returncode == 0, run.output[-4000:]
    assert unignored(run) == [], run.output[-4000:]
    compared = run.report["run"]["oracle_compared"]
    assert compared > 1000, f"only {compared} answers compared"
    assert "0 differences" in run.output


@pytest.mark.parametrize("name", ["kragle", "peak-press"])
def test_two_reference_servers_compare_clean_in_every_profile(
    name, reference_server, oracle_server, tmp_path
):
    """Kragle's integer ids and session cookies, and Peak Press's multipart creates and test
    hook, pair across two servers: every answer compares equal."""
    target, oracle = (profile_url(server, name) for server in (reference_server, oracle_server))
    run = differential(
        target, oracle, f"--blocks-profile={name}", *suite_args(name, target), tmp_path=tmp_path
    )
    assert run.returncode == 0, run.output[-4000:]
    assert unignored(run) == [], run.output[-4000:]
    assert run.report["run"]["oracle_compared"] > 300


def test_ids_are_paired_through_create_read_update_filter_delete():
    """The same sequence answered by two servers with different ids, nested references
    included: the ids pair as they first appear and later requests carry the oracle's ids."""
    pairing = Pairing()
    parent_t, parent_o = (
        "11111111-1111-4111-8111-111111111111",
        "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    )
    child_t, child_o = (
        "22222222-2222-4222-8222-222222222222",
        "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
    )
    ref_t, ref_o = "33333333-3333-4333-8333-333333333333", "cccccccc-cccc-4ccc-8ccc-cccccccccccc"

    def document(doc_id, child_id, ref_id, updated):
        return {
            "id": doc_id,
            "name": "top",
            "created": "2026-12-02T10:00:00Z",
            "updated": updated,
            "block_type": {"slug": "t", "is_protected": False},
            "data": {"leaf": {"$ref": {"block_document_id": child_id}}},
            "block_document_references": {
                "leaf": {"id": ref_id, "block_document": {"id": child_id}}
            },
        }

    def same(target, oracle, status=200):
        found = compare_answers(
            Answer(status, "application/json", json.dumps(target)),
            Answer(status, "application/json", json.dumps(oracle)),
            pairing,
            RULES,
        )
        assert found == [], found

    first = "2026-12-02T10:00:00Z"
    same(document(parent_t, child_t, ref_t, first), document(parent_o, child_o, ref_o, first), 201)
    assert pairing.to_oracle(f"/block_documents/{parent_t}") == f"/block_documents/{parent_o}"
    body = json.dumps({"data": {"leaf": {"$ref": {"block_document_id": child_t}}}})
    assert child_o in pairing.to_oracle(body)
    # an update moves `updated` on both (by different amounts: compared by movement)
    same(
        document(parent_t, child_t, ref_t, "2026-12-02T10:00:01.5Z"),
        document(parent_o, child_o, ref_o, "2026-12-02T10:00:03Z"),
    )
    same(
        [document(parent_t, child_t, ref_t, "2026-12-02T10:00:01.5Z")],
        [document(parent_o, child_o, ref_o, "2026-12-02T10:00:03Z")],
    )
    # a timestamp moving on one server only is a difference
    found = compare_answers(
        Answer(200, "application/json", json.dumps(document(parent_t, child_t, ref_t, first))),
        Answer(
            200,
            "application/json",
            json.dumps(document(parent_o, child_o, ref_o, "2026-12-02T10:00:03Z")),
        ),
        pairing,
        RULES,
    )
    assert [where for where, _, _ in found] == [
        "body at $.updated (movement since the last answer)"
    ]
    # an id paired with another oracle id is a difference
    found = compare_answers(
        Answer(200, "application/json", json.dumps({"id": parent_t})),
        Answer(200, "application/json", json.dumps({"id": child_o})),
        pairing,
        RULES,
    )
    assert [where for where, _, _ in found] == ["body at $.id"]


def listed(*documents: tuple[str, str]) -> Answer:
    """A list of documents, each as (type slug, name), ids left out."""
    body = [{"name": name, "block_type": {"slug": slug}} for slug, name in documents]
    return Answer(200, "application/json", json.dumps(body))


def test_an_order_that_differs_only_among_equal_names_is_told_apart():
    """Lists are sorted by name: two documents of one name in different types may come in
    either order (the database decides), and the difference says so; any other order is a
    plain order difference."""
    twins = [("widget", "doc"), ("other", "doc")]
    swapped = compare_answers(
        listed(("a", "alpha"), *twins), listed(("a", "alpha"), *twins[::-1]), Pairing(), RULES
    )
    assert [where for where, _, _ in swapped] == ["body at $ (order of tied items)"]
    reordered = compare_answers(
        listed(("a", "alpha"), ("b", "beta")),
        listed(("b", "beta"), ("a", "alpha")),
        Pairing(),
        RULES,
    )
    assert [where for where, _, _ in reordered] == ["body at $ (order)"]


def test_numbers_compare_by_value_and_booleans_are_not_numbers():
    """PostgreSQL's jsonb writes a stored number in its own form (1e+20 comes back as
    100000000000000000000, 1.7976931348623157e+308 as its 309 digits): one JSON number, no
    difference; another value, or true for 1, is one."""
    huge = "179769313486231570" + "0" * 291

    def differences(target: str, oracle: str) -> list[str]:
        answers = [Answer(200, "application/json", f'{{"n": {text}}}') for text in (target, oracle)]
        return [where for where, _, _ in compare_answers(*answers, Pairing(), RULES)]

    assert differences("1e+20", "100000000000000000000") == []
    assert differences("1.7976931348623157e+308", huge) == []
    assert differences("-1.7976931348623155e+308", "-179769313486231550" + "0" * 291) == []
    assert differences("120.0", "120") == []
    assert differences("1e+20", "100000000000000000001" + "0" * 400) == ["body at $.n"]
    assert differences("2", "3") == ["body at $.n"]
    assert differences("true", "1") == ["body at $.n"]


def test_every_clause_is_named_by_a_star_in_ignore_files_only(tmp_path):
    """'*' in an ignore file covers a difference of any clause (what the oracle's database
    decides shows wherever a test lists the run's objects); an expect-fail file refuses it."""
    listing = tmp_path / "any.txt"
    listing.write_text('*  expect="(order of tied items)"  # the database decides\n')
    ignores = Expectations.load([str(listing)], "--blocks-oracle-ignore")
    entries = ignores.matching("conformance/prefect/test_x.py::test_y", ["PF-FLT-keys"])
    assert [entry.reason for entry in entries] == ["the database decides"]
    assert ignores.unknown({"PF-FLT-keys"}, []) == []
    with pytest.raises(pytest.UsageError, match="is for --blocks-oracle-ignore files"):
        Expectations.load([str(listing)])


@pytest.mark.parametrize("variant", differing_variants(), ids=lambda variant: variant.name)
def test_a_difference_no_clause_fails_is_caught_by_the_comparison(
    variant: DifferingVariant, start_variant, oracle_server, tmp_path
):
    server = start_variant(variant.name)
    target, oracle = (profile_url(s, variant.profile) for s in (server, oracle_server))
    options = [f"--blocks-profile={variant.profile}", *suite_args(variant.profile, target)]
    alone = run_suite(f"--target-url={target}", "-k", variant.only, *options, tmp_path=tmp_path)
    assert alone.returncode == 0, f"a clause fails {variant.name}:\n{alone.output[-3000:]}"
    run = differential(target, oracle, "-k", variant.only, *options, tmp_path=tmp_path)
    assert run.returncode == 1, run.output[-3000:]
    caught = [
        d for d in unignored(run) if variant.where in d["where"] and variant.value in d["target"]
    ]
    assert caught, (
        f"{variant.name}: no difference at {variant.where!r} with {variant.value!r}:\n"
        + json.dumps(unignored(run), indent=1)[:3000]
    )
    assert "target:  " in run.output and "oracle answered:" in run.output


@pytest.mark.parametrize(
    "name, only, where, value",
    [
        ("rewords_every_detail", "test_read_by_id", "body at $.detail", "refused"),
        ("adds_extra_fields_everywhere", "test_read_by_id", "(keys)", "x_extra"),
        ("answers_fastapis_default_validation_errors", "malformed_create", "(keys)", "detail"),
    ],
)
def test_what_an_allowed_reading_changes_is_a_difference(
    name, only, where, value, start_variant, oracle_server, tmp_path
):
    """The readings the clauses allow (other words, a key more, FastAPI's own 422s) still
    differ from the real server's answers: the comparison reports each."""
    server = start_variant(name)
    run = differential(server.url, oracle_server.url, "-k", only, tmp_path=tmp_path)
    assert run.returncode == 1, run.output[-3000:]
    caught = [d for d in unignored(run) if where in d["where"] and value in d["target"]]
    assert caught, json.dumps(unignored(run), indent=1)[:3000]


def test_an_ignore_entry_holds_only_for_the_difference_it_pins(
    start_variant, oracle_server, tmp_path
):
    server = start_variant("rewords_the_version_header_error")
    only = "test_bad_api_version_header_is_refused"
    pinned = tmp_path / "pinned.txt"
    pinned.write_text('PF-API-version-header  expect="Unsupported"  # our own words\n')
    other = tmp_path / "other.txt"
    other.write_text('PF-API-version-header  expect="some other text"  # not this difference\n')
    ignored = differential(
        server.url,
        oracle_server.url,
        "-k",
        only,
        f"--blocks-oracle-ignore={pinned}",
        tmp_path=tmp_path,
    )
    assert ignored.returncode == 0, ignored.output[-3000:]
    differences = ignored.report["differences"]
    assert differences and all(d["ignored"] == "our own words" for d in differences)
    mismatched = differential(
        server.url,
        oracle_server.url,
        "-k",
        only,
        f"--blocks-oracle-ignore={other}",
        tmp_path=tmp_path,
    )
    assert mismatched.returncode == 1, mismatched.output[-3000:]
    assert unignored(mismatched)


def suite_test_names(module: Path) -> set[str]:
    """The test functions a suite module defines, by def or by assignment (a factory's)."""
    names: set[str] = set()
    for node in ast.parse(module.read_text()).body:
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                elements = target.elts if isinstance(target, ast.Tuple) else [target]
                names.update(e.id for e in elements if isinstance(e, ast.Name))
    return {name for name in names if name.startswith("test_")}


@pytest.mark.parametrize(
    "transcript",
    sorted((ROOT / "fixtures" / "differential").glob("prefect-*.jsonl.gz")),
    ids=lambda path: path.name,
)
def test_a_shipped_transcript_holds_every_test_of_the_suite_as_it_is(transcript):
    """A hand-written test replays its recorded requests one by one: a test renamed or added
    since the recording would find nothing recorded, and every request of it would be a
    difference in CI's transcript step. Re-record (docs/differential.md) when this fails. The
    modules whose tests need the Prefect client are not recorded (the journeys)."""
    with gzip.open(transcript, "rt") as lines:
        keys = {json.loads(line).get("key") or "" for line in lines if line.strip()}
    # (requests outside any test, the start-up check's and the clean-up's, have no key)
    recorded = {tuple(key.split("[")[0].split("::")) for key in keys if key}
    suite = ROOT / "conformance"
    defined = {
        (str(module.relative_to(suite)), name)
        for module in sorted((suite / "prefect").glob("test_*.py"))
        if "PREFECT.needs" not in module.read_text()
        for name in suite_test_names(module)
    }
    assert sorted(recorded - defined) == [], "recorded tests the suite no longer has"
    assert sorted(defined - recorded) == [], "tests of the suite the recording does not hold"


def test_a_recorded_run_replays_as_the_oracle(reference_server, start_variant, tmp_path):
    recorded = tmp_path / "transcript.jsonl"
    record = run_suite(
        f"--target-url={reference_server.url}",
        "--blocks-seed=0",
        "--blocks-examples=5",
        f"--blocks-record-exchanges={recorded}",
        "-k",
        "test_sequences or test_read_by_id_returns_the_document",
        tmp_path=tmp_path,
    )
    assert record.returncode == 0, record.output[-3000:]
    transcript = tmp_path / "transcript.jsonl.gz"
    transcript.write_bytes(gzip.compress(recorded.read_bytes()))
    server = ServerProcess(None, tmp_path)
    try:
        replayed = run_suite(
            f"--target-url={server.url}",
            f"--blocks-oracle-transcript={transcript}",
            "--blocks-seed=0",
            "--blocks-examples=5",
            "-k",
            "test_sequences or test_read_by_id_returns_the_document",
            tmp_path=tmp_path,
        )
    finally:
        server.stop()
    assert replayed.returncode == 0, replayed.output[-3000:]
    assert replayed.report["run"]["oracle_compared"] > 50
    assert unignored(replayed) == []
    extra = start_variant("adds_extra_fields_everywhere")
    caught = run_suite(
        f"--target-url={extra.url}",
        f"--blocks-oracle-transcript={transcript}",
        "--blocks-seed=0",
        "-k",
        "test_read_by_id_returns_the_document",
        tmp_path=tmp_path,
    )
    assert caught.returncode == 1, caught.output[-3000:]
    assert any("x_extra" in d["target"] for d in unignored(caught))


class ScriptedOracle:
    """An oracle answering from a list, in order."""

    def __init__(self, answers: list[tuple[int, dict]]) -> None:
        self.answers = answers

    namespace = None

    def answer(self, request, pairing) -> Answer:
        status, body = self.answers.pop(0)
        return Answer(status, "application/json", json.dumps(body))

    def end_test(self, pairing) -> None:
        pass

    def close(self, namespace: str) -> list[str]:
        return []


def test_racing_creates_won_by_different_requests_are_paired():
    """Two racing creates of one document: the target's 201 answers the first, the oracle's
    the second. After the test the two documents are paired, so neither is cleaned away as an
    object only one server has."""

    def document(doc_id: str) -> dict:
        return {"id": doc_id, "name": "race", "block_type": {"slug": "widget"}}

    target_id, oracle_id = (
        "11111111-1111-4111-8111-111111111111",
        "22222222-2222-4222-8222-222222222222",
    )
    test = CurrentTest("t", ("PF-BD-409-concurrent",), "t")
    oracle = ScriptedOracle([(409, {"detail": "Block already exists"}), (201, document(oracle_id))])
    mirror = Mirror(oracle, "http://target/api", RULES, lambda: test)
    for status, body in ((201, document(target_id)), (409, {"detail": "Block already exists"})):
        exchange = Exchange(
            "POST", "http://target/api/block_documents/", {}, status, {}, json.dumps(body)
        )
        mirror.heard("/block_documents/", exchange)
    assert len(mirror.take("t")) > 0  # the two answers differ, request by request
    mirror.end_test()
    assert mirror.pairing.ids == {target_id: oracle_id}
