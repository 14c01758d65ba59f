"""The reference server under load and abuse: concurrent writers, concurrent duplicates, kill -9,
oversized and malformed bodies, secrets at rest, and the auth string."""

import base64
import sqlite3
import sys
import threading
import time
import uuid

import httpx
import pytest

from .support.servers import ServerProcess
from .support.suite_runs import run_suite

SERVER = [sys.executable, "-m", "reference_server"]


def type_and_schema(url: str) -> tuple[str, str]:
    slug = f"robust-{uuid.uuid4().hex[:8]}"
    block_type = httpx.post(f"{url}/block_types/", json={"name": slug, "slug": slug}).json()
    fields = {"title": slug, "properties": {"pw": {"type": "string"}}, "secret_fields": ["pw"]}
    schema = httpx.post(
        f"{url}/block_schemas/", json={"block_type_id": block_type["id"], "fields": fields}
    )
    return block_type["id"], schema.json()["id"]


def document(type_id: str, schema_id: str, name: str, pw: str = "x") -> dict:
    return {
        "name": name,
        "data": {"pw": pw},
        "block_type_id": type_id,
        "block_schema_id": schema_id,
    }


def run_together(count: int, work) -> list:
    """``work(index)`` in ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        results[index] = work(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_eight_concurrent_writers_get_no_errors(reference_server):
    url = reference_server.url
    type_id, schema_id = type_and_schema(url)

    def write(index: int) -> list[int]:
        with httpx.Client(timeout=30) as client:
            return [
                client.post(
                    f"{url}/block_documents/", json=document(type_id, schema_id, f"w{index}-{n}")
                ).status_code
                for n in range(25)
            ]

    statuses = [status for batch in run_together(8, write) for status in batch]
    assert statuses == [201] * 200


def test_concurrent_duplicates_have_exactly_one_winner(reference_server):
    url = reference_server.url
    type_id, schema_id = type_and_schema(url)
    clients = [httpx.Client(timeout=30) for _ in range(32)]
    try:
        for attempt in range(20):
            name = f"dup-{attempt}"
            statuses = run_together(
                32,
                lambda i, name=name: (
                    clients[i]
                    .post(f"{url}/block_documents/", json=document(type_id, schema_id, name))
                    .status_code
                ),
            )
            assert sorted(statuses) == [201] + [409] * 31, f"attempt {attempt}: {statuses}"
    finally:
        for client in clients:
            client.close()


@pytest.mark.parametrize("round_", range(5))
def test_acknowledged_writes_survive_kill_9(tmp_path, round_):
    db = tmp_path / "crash.db"
    server = ServerProcess(SERVER, tmp_path, db=db)
    type_id, schema_id = type_and_schema(server.url)
    acknowledged: list[str] = []
    stop = threading.Event()

    def write() -> None:
        with httpx.Client(timeout=5) as client:
            for n in range(100_000):
                if stop.is_set():
                    return
                try:
                    answer = client.post(
                        f"{server.url}/block_documents/", json=document(type_id, schema_id, f"c{n}")
                    )
                except httpx.TransportError:
                    return
                if answer.status_code == 201:
                    acknowledged.append(answer.json()["id"])

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.3 + 0.1 * round_)
    server.kill()
    stop.set()
    writer.join(timeout=10)
    assert acknowledged, "no write was acknowledged before the kill"
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restarted = ServerProcess(SERVER, tmp_path, db=db)
    try:
        with httpx.Client(timeout=10) as client:
            missing = [
                i
                for i in acknowledged
                if client.get(f"{restarted.url}/block_documents/{i}").status_code != 200
            ]
        assert missing == [], f"{len(missing)} of {len(acknowledged)} acknowledged writes lost"
    finally:
        restarted.stop()


@pytest.fixture
def small_limit_server(tmp_path):
    server = ServerProcess([*SERVER, "--max-body-bytes", "2048"], tmp_path)
    yield server
    server.stop()


def test_oversized_bodies_get_413(small_limit_server):
    url = small_limit_server.url
    big = {"name": "x" * 4096, "slug": "big"}
    assert httpx.post(f"{url}/block_types/", json=big).status_code == 413

    def chunks():
        yield b'{"name": "'
        for _ in range(10):
            yield b"y" * 1024
        yield b'", "slug": "chunked"}'

    streamed = httpx.post(
        f"{url}/block_types/", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert httpx.get(f"{url}/block_types/slug/chunked").status_code == 404


@pytest.mark.parametrize("body", [b"{not json", b'{"name": ', b"\xff\xfe", b"[1, 2"])
def test_malformed_json_gets_the_real_servers_422(reference_server, body):
    """Prefect 3.8.8 answers each of these bodies 422 with one json_invalid error."""
    answer = httpx.post(
        f"{reference_server.url}/block_documents/",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["exception_message"] == "Invalid request received."
    assert [error["type"] for error in answer.json()["exception_detail"]] == ["json_invalid"]


@pytest.mark.parametrize("method", ["GET", "PUT"])
@pytest.mark.parametrize("block_id", [str(2**63), "9" * 25, "\u00b2", "5%0A"])
def test_kragle_ids_beyond_storage_are_no_such_object(reference_server, method, block_id):
    """An id SQLite cannot hold names no block: Kragle's code 6, not an unhandled error (a
    generated PUT /blocktypes/9223372036854775808 once got a plain-text 500)."""
    path = "blocktypes/byid" if method == "GET" else "blocktypes"
    url = f"http://127.0.0.1:{reference_server.port}/kragle/api/v1/{path}/{block_id}"
    answer = httpx.request(method, url, json={} if method == "PUT" else None)
    assert answer.headers["content-type"] == "application/json", answer.text
    assert answer.json()["code"] == 6, answer.text


@pytest.mark.parametrize("param", ["auth_type", "response_type"])
@pytest.mark.parametrize("value", [[], {}], ids=["list", "object"])
def test_kragle_enum_parameters_of_other_types_are_invalid(reference_server, param, value):
    """An enum parameter given a list or an object is an invalid definition (code 9), not an
    unhandled error (a generated auth_type [] once got a plain-text 500: a list is no key of a
    set)."""
    from conformance.kragle.helpers import minimal_definition

    definition = minimal_definition()
    definition["actions"][0]["action_params"][param] = value
    base = f"http://127.0.0.1:{reference_server.port}/kragle/api/v1"
    with httpx.Client(base_url=base) as client:
        login = {"username": "conformance-a", "password": "conformance-a-password"}
        client.post("/authenticate", json=login).raise_for_status()
        answer = client.post("/validate/blocktypes", json={"name": "x", "definition": definition})
    assert answer.headers["content-type"] == "application/json", answer.text
    assert answer.json()["code"] == 9, answer.text


@pytest.mark.parametrize("size", ["%C2%B2", "1%0A"])
def test_peak_page_sizes_of_other_than_ascii_digits_are_refused(reference_server, size):
    """str.isdigit() accepts "²", which int() refuses: a 400 naming the parameter, not a 500."""
    answer = httpx.get(
        f"http://127.0.0.1:{reference_server.port}/peak/v1/blocks/specs/?pageSize={size}",
        headers={"authorization": "peak-conformance-token"},
    )
    assert answer.status_code == 400, answer.text
    assert "pageSize" in answer.json()["detail"], answer.text


def test_secrets_are_not_stored_in_plain_text(reference_server):
    url = reference_server.url
    type_id, schema_id = type_and_schema(url)
    secret = f"plain-text-secret-{uuid.uuid4().hex}"
    created = httpx.post(
        f"{url}/block_documents/", json=document(type_id, schema_id, "vault", secret)
    )
    assert created.status_code == 201
    assert (
        httpx.get(f"{url}/block_documents/{created.json()['id']}?include_secrets=true").json()[
            "data"
        ]["pw"]
        == secret
    )
    files = [
        p
        for p in reference_server.db.parent.iterdir()
        if p.name.startswith(reference_server.db.name)
    ]
    assert any(p.suffix == ".key" for p in files)
    for path in files:
        assert secret.encode() not in path.read_bytes(), f"{path.name} holds the secret in clear"


@pytest.fixture
def auth_server(tmp_path):
    server = ServerProcess([*SERVER, "--auth-string", "admin:s3cret"], tmp_path)
    yield server
    server.stop()


def test_auth_string_is_required_except_for_health(auth_server):
    url = auth_server.url
    credentials = "Basic " + base64.b64encode(b"admin:s3cret").decode()
    assert httpx.get(f"{url}/health").status_code == 200
    refused = httpx.get(f"{url}/block_types/slug/secret")
    assert refused.status_code == 401 and refused.json() == {"exception_message": "Unauthorized"}
    wrong = httpx.get(
        f"{url}/block_types/slug/secret", headers={"Authorization": "Basic d3Jvbmc6d3Jvbmc="}
    )
    assert wrong.status_code == 401
    assert (
        httpx.get(
            f"{url}/block_types/slug/secret", headers={"Authorization": credentials}
        ).status_code
        == 200
    )


def test_whole_suite_passes_with_credentials_in_target_header(auth_server, tmp_path):
    credentials = "Basic " + base64.b64encode(b"admin:s3cret").decode()
    run = run_suite(
        f"--target-url={auth_server.url}",
        f"--target-header=Authorization: {credentials}",
        "--blocks-fail-on-skip",
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.output[-3000:]
    assert run.report["conformant_level"] == 4
