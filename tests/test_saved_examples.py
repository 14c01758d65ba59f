"""Failures found by generated tests are kept in the example database and replayed first by the
next run: through a Redis server that separate runs share (.ci/run starts one and sets
BLOCKS_REDIS_URL), and in folders, with a fallback when the default one cannot be used."""

import re

import pytest

from .support.environment import required_in_ci
from .support.suite_runs import run_suite

# a broken variant only a generated invalid request to POST /block_schemas/ finds
VARIANT = "coerces_schema_fields"
GENERATED = (
    "conformance/prefect/test_openapi.py::"
    "test_generated_invalid_requests_are_refused[POST /block_schemas/]"
)
KEY_PATTERN = "hypothesis-example:blocks-conformance:*"


def case_count(run) -> int:
    return run.report["run"]["generated_cases"].get("schemathesis negative cases", 0)


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def failing_request(run) -> str:
    """The request of the failure message (method, path and body) without what differs from
    target to target: its address, the ids of the run's objects and the run's namespace."""
    found = re.search(r"request: +(\w+) (\S+)\n(.*?)\n\S* +response:", run.output, re.DOTALL)
    assert found, run.output[-3000:]
    method, url, body = found.groups()
    path = url.removeprefix(run.report["run"]["url"])
    body = UUID.sub("<id>", body.replace(run.report["run"]["namespaces"][0], "<ns>"))
    return f"{method} {path} {' '.join(body.replace('E ', '').split())}"


def generated_run(server, tmp_path, *options):
    return run_suite(
        f"--target-url={server.url}",
        GENERATED,
        "--blocks-examples=150",
        *options,
        tmp_path=tmp_path,
        suite=[],
    )


@pytest.fixture
def redis_url():
    """BLOCKS_REDIS_URL's database, without the keys of our saved examples before and after."""
    import redis

    url = required_in_ci("BLOCKS_REDIS_URL", "a Redis server the tests may write to")
    client = redis.Redis.from_url(url)

    def forget() -> None:
        for key in client.scan_iter(KEY_PATTERN):
            client.delete(key)

    forget()
    yield url
    forget()
    client.close()


def test_a_failure_found_by_one_run_is_replayed_first_by_another_sharing_redis(
    start_variant, redis_url, tmp_path
):
    server = start_variant(VARIANT)
    first = generated_run(server, tmp_path, f"--blocks-example-db={redis_url}", "--blocks-seed=1")
    assert first.returncode == 1, first.output[-3000:]
    assert "saved examples replayed: 0" in first.output
    assert case_count(first) > 1, "the failure was found at the first case: nothing to replay"

    other = start_variant(VARIANT)  # another target; another seed; only the Redis URL is shared
    second = generated_run(other, tmp_path, f"--blocks-example-db={redis_url}", "--blocks-seed=2")
    assert second.returncode == 1, second.output[-3000:]
    assert second.report["run"]["saved_examples_replayed"] >= 1
    assert re.search(r"saved examples replayed: [1-9]", second.output)
    # at once: the saved case, and the shrinker's few checks that it is as small as it gets
    assert case_count(second) <= 5 < case_count(first), (case_count(first), case_count(second))
    assert failing_request(second) == failing_request(first)


PASSING = "conformance/prefect/test_openapi.py::test_generated_valid_requests_follow_the_contract"


def quick_run(tmp_path, *options):
    """One generated test against the embedded server, with the example database the options
    (or the defaults) choose."""
    return run_suite(
        f"{PASSING}[GET /block_types/slug/{{slug}}]",
        "--blocks-examples=3",
        *options,
        tmp_path=tmp_path,
        suite=[],
        own_example_db=False,
    )


@pytest.mark.parametrize("user_cache", ["writable", "unwritable"])
def test_without_pytest_cache_the_user_cache_or_memory_is_used_and_said_once(
    user_cache, tmp_path, monkeypatch
):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cache = tmp_path / "cache" if user_cache == "writable" else blocker / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    run = quick_run(tmp_path)  # run_suite's pytest runs with -p no:cacheprovider
    assert run.returncode == 0, run.output[-3000:]
    notes = [line for line in run.output.splitlines() if line.startswith("example database:")]
    expected = (
        f"kept in {cache}/blocks-conformance/examples"
        if user_cache == "writable"
        else "found failures are kept in memory for this run only"
    )
    assert len(notes) == 1 and "pytest has no cache" in notes[0], run.output[-3000:]
    assert expected in notes[0], notes
    where = run.report["run"]["example_db"]
    assert where == (
        f"{cache}/blocks-conformance/examples" if user_cache == "writable" else ":memory:"
    )


def test_a_folder_that_cannot_be_written_is_read_and_said_once(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    run = quick_run(tmp_path, f"--blocks-example-db={blocker / 'examples'}")
    assert run.returncode == 0, run.output[-3000:]
    notes = [line for line in run.output.splitlines() if line.startswith("example database:")]
    assert notes == [
        f"example database: {blocker / 'examples'} cannot be written: its saved failures are "
        "replayed, new ones are not kept"
    ], run.output[-3000:]


def test_the_default_is_a_folder_in_pytests_cache(tmp_path):
    run = quick_run(tmp_path, "-p", "cacheprovider", "-o", f"cache_dir={tmp_path / 'pc'}")
    assert run.returncode == 0, run.output[-3000:]
    assert run.report["run"]["example_db"] == str(tmp_path / "pc/d/blocks-conformance-examples")
    assert "\nexample database:" not in run.output  # nothing to say


def test_an_unreachable_redis_is_a_usage_error(tmp_path):
    from conformance.embedded import free_port

    run = quick_run(tmp_path, f"--blocks-example-db=redis://127.0.0.1:{free_port()}/0")
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output[-3000:]
    assert "Redis did not answer" in run.output
