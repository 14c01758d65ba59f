"""A conformance run leaves no object of its own behind and changes no pre-existing object.

By default this runs against a reference server seeded with objects the suite does not own;
with BLOCKS_REAL_TARGET_URL set (CI sets it to the real Prefect server) it runs there too.
"""

import uuid

import httpx

from .conftest import REAL_EXPECTED_FAILURES, required_in_ci, run_suite
from .snapshot import snapshot


def seed_foreign_objects(base_url: str) -> None:
    """Objects another user of the server owns: a type, a schema, named and anonymous documents,
    and a Secret document under the protected type."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        tag = uuid.uuid4().hex[:8]
        block_type = client.post(
            "/block_types/", json={"name": f"Foreign {tag}", "slug": f"foreign-{tag}"}
        ).json()
        fields = {
            "title": f"Foreign {tag}",
            "properties": {"pw": {"type": "string"}},
            "secret_fields": ["pw"],
        }
        schema = client.post(
            "/block_schemas/", json={"block_type_id": block_type["id"], "fields": fields}
        ).json()
        for name, anonymous in ((f"foreign-{tag}", False), (None, True)):
            client.post(
                "/block_documents/",
                json={
                    "name": name,
                    "data": {"pw": "keep-me"},
                    "block_schema_id": schema["id"],
                    "block_type_id": block_type["id"],
                    "is_anonymous": anonymous,
                },
            ).raise_for_status()


def differences(before: dict, after: dict) -> list[str]:
    found = []
    for kind in before:
        added = set(after[kind]) - set(before[kind])
        removed = set(before[kind]) - set(after[kind])
        changed = [
            i for i in set(before[kind]) & set(after[kind]) if before[kind][i] != after[kind][i]
        ]
        found += [f"left behind {kind[:-1]} {after[kind][i]}" for i in added]
        found += [f"deleted pre-existing {kind[:-1]} {i}" for i in removed]
        found += [f"changed pre-existing {kind[:-1]} {i}" for i in changed]
    return found


def assert_run_leaves_target_as_it_was(url: str, tmp_path, *args: str) -> None:
    before = snapshot(url)
    run = run_suite(f"--target-url={url}", *args, tmp_path=tmp_path)
    after = snapshot(url)
    assert run.returncode == 0, run.output[-3000:]
    assert differences(before, after) == []


def test_objects_created_without_a_201_are_swept_too(start_variant, tmp_path):
    server = start_variant("answers_200_on_document_create")
    before = snapshot(server.url)
    run = run_suite(f"--target-url={server.url}", tmp_path=tmp_path)
    assert run.returncode == 1
    assert run.report["run"]["leftovers"] == []
    assert differences(before, snapshot(server.url)) == []


def test_the_comparison_sees_a_leftover_and_a_change(reference_server):
    before = snapshot(reference_server.url)
    seed_foreign_objects(reference_server.url)
    secret = httpx.get(f"{reference_server.url}/block_types/slug/secret").json()
    httpx.patch(f"{reference_server.url}/block_types/{secret['id']}", json={"description": "x"})
    found = differences(before, snapshot(reference_server.url))
    assert any(line.startswith("left behind block_document") for line in found), found
    assert any(line.startswith("changed pre-existing block_type") for line in found), found


def test_the_comparison_sees_a_moved_timestamp_on_any_other_type(reference_server):
    """Only the secret type's 'updated' is exempt (PF-BT-protected-update moves it)."""
    webhook = httpx.get(f"{reference_server.url}/block_types/slug/webhook").json()
    before = snapshot(reference_server.url)
    same = {"description": webhook["description"]}
    httpx.patch(f"{reference_server.url}/block_types/{webhook['id']}", json=same)
    found = differences(before, snapshot(reference_server.url))
    assert f"changed pre-existing block_type {webhook['id']}" in found, found


def test_run_against_reference_server_leaves_no_trace(reference_server, tmp_path):
    seed_foreign_objects(reference_server.url)
    assert_run_leaves_target_as_it_was(reference_server.url, tmp_path)


def test_run_against_real_server_leaves_no_trace(tmp_path):
    url = required_in_ci("BLOCKS_REAL_TARGET_URL", "the real Prefect server")
    assert_run_leaves_target_as_it_was(
        url, tmp_path, f"--blocks-expect-fail={REAL_EXPECTED_FAILURES}"
    )
