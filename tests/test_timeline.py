"""The timeline of Prefect releases (``fixtures/prefect/releases.toml``): what a run can name,
what it predicts of each release, and that it predicts what real releases did when they were
run (``fixtures/prefect/verified/``, made by ``python -m conformance.prefect.verify``)."""

import pytest

from conformance import profiles
from conformance.clauses import catalogue
from conformance.expectations import Expectations
from conformance.options import Settings
from conformance.prefect import releases
from conformance.prefect.verify import failed, recorded
from reference_server.prefect import timeline as played
from reference_server.prefect.system_blocks import system_blocks

TIMELINE = releases.timeline()
VERSIONS = TIMELINE.versions()
RECORDED = recorded()
SECRET = "prefect.blocks.system.Secret"


def test_every_release_from_3_0_0_to_the_newest_is_known():
    assert VERSIONS[0] == "3.0.0" and VERSIONS[-1] == TIMELINE.newest
    assert len(VERSIONS) == len(set(VERSIONS))
    assert sorted(VERSIONS, key=releases.version_key) == VERSIONS
    assert {"3.4.7", "3.5.0", "3.6.23", "3.6.24", "3.9.1"} <= set(VERSIONS)


@pytest.mark.parametrize(
    "name, version",
    [("3.6", "3.6.29"), ("3.4.7", "3.4.7"), ("3.5", "3.5.0"), ("3.0", "3.0.11")],
)
def test_a_line_names_its_newest_release_and_a_release_itself(name, version):
    release = releases.named(name)
    assert release.version == version
    assert release.line == name[:3]


@pytest.mark.parametrize("name", ["3.10", "2.20.27", "3.4.26", "3", "latest", "3.9.1.1"])
def test_a_name_outside_the_known_releases_is_refused_naming_the_range(name):
    with pytest.raises(releases.UnknownRelease, match="every release from 3.0.0 to"):
        releases.named(name)
    problem = releases.unknown_release(Settings.of(blocks_prefect_release=name))
    assert problem and "Nothing was tested" in problem


def test_the_suite_and_the_reference_server_read_the_same_releases_and_facts():
    assert played.versions() == VERSIONS
    for version in VERSIONS:
        line = releases.line_of(version)
        assert played.facts(version) == dict(releases.named(version).facts), version
        assert played.resolved(line) == TIMELINE.lines[line]


def test_each_fact_changes_where_the_timeline_says():
    checksum = TIMELINE.change_points("secret_schema_checksum")
    assert [since for since, _ in checksum][1:] == ["3.1.7", "3.6.24"]
    assert TIMELINE.change_points("malformed_path_id") == [("3.0.0", 422), ("3.4.8", 404)]
    assert releases.named("3.4.7").fact("malformed_path_id") == 422
    assert releases.named("3.4.8").fact("malformed_path_id") == 404
    assert "PF-NEST-cycle" in releases.named("3.6.29").bugs
    assert "PF-NEST-cycle" not in releases.named("3.7.0").bugs


def secret_checksum_played(version: str) -> str:
    blocks = system_blocks(version)
    found = [
        block["block_schema"]["checksum"]
        for block in blocks
        if block["block_type"]["slug"] == "secret"
    ]
    return found[-1]


@pytest.mark.parametrize("version", VERSIONS)
def test_the_reference_server_plays_each_releases_secret_schema(version):
    """Its system blocks come from the newest capture at or before the release: a capture is
    needed wherever the Secret schema's checksum changes."""
    assert secret_checksum_played(version) == releases.named(version).secret_schema_checksum


@pytest.mark.parametrize("release", releases.ground_truth(), ids=lambda r: r.version)
def test_each_ground_truth_ledger_lists_the_bugs_the_timeline_gives_its_release(release):
    listed = set(Expectations.load([str(release.fixture("ledger"))]).entries)
    assert listed == set(release.bugs)


@pytest.mark.parametrize("line", sorted(TIMELINE.lines, key=releases.version_key))
def test_a_ledger_made_for_a_release_lists_its_bugs(line, tmp_path):
    release = releases.named(line)
    ledger = tmp_path / "ledger.txt"
    ledger.write_text("\n".join(releases.ledger_lines(release)) + "\n")
    entries = Expectations.load([str(ledger)]).entries
    assert set(entries) == set(release.bugs)
    assert all(entry.pins for alternatives in entries.values() for entry in alternatives)


@pytest.mark.parametrize("release", releases.ground_truth(), ids=lambda r: r.version)
def test_a_releases_bugs_are_should_clauses_for_its_runs(release):
    settings = Settings.of(blocks_prefect_release=release.version)
    known = releases.adjusted_catalogue(catalogue(profiles.get("prefect")), settings)
    assert all(known[clause].strength == "SHOULD" for clause in release.bugs)


def test_releases_of_every_line_were_run_and_recorded():
    lines = {releases.line_of(version) for version in RECORDED}
    assert lines == set(TIMELINE.lines), f"no recorded run of {set(TIMELINE.lines) - lines}"


def test_each_fact_was_run_on_both_sides_of_its_change():
    for fact in ("secret_schema_checksum", "malformed_path_id", "PF-NEST-cycle"):
        for since, _ in TIMELINE.change_points(fact)[1:]:
            before = VERSIONS[VERSIONS.index(since) - 1]
            assert {before, since} <= set(RECORDED), f"{fact} at {since}: run {before} and {since}"


@pytest.mark.parametrize("version", sorted(RECORDED, key=releases.version_key))
def test_the_timeline_predicts_what_the_real_release_did(version):
    """Run as itself, without a ledger: no MUST clause failed (level 4 reached), and the SHOULD
    clauses that failed are exactly the release's bugs (an intermittent one may pass)."""
    report = RECORDED[version]
    release = releases.named(version)
    assert report["conformant_level"] >= 4, report["verdict"]
    got = failed(report)
    assert [clause for clause, strength in got.items() if strength == "MUST"] == []
    expected = set(release.bugs)
    assert set(got) - expected == set(), "failed, but no bug of the timeline"
    assert expected - set(got) <= TIMELINE.intermittent, "a bug of the timeline passed"
