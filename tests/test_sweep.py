"""``blocks-conformance sweep`` removes what a run killed with SIGKILL left, for every profile,
and nothing else: not other users' objects, not names that merely contain ``conf-`` or start
with it without a run's namespace; ``--dry-run`` only lists."""

import json
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from conformance import profiles
from conformance.cli import main as blocks_conformance
from conformance.kragle.helpers import minimal_definition
from conformance.peak_press.options import REFERENCE_TOKEN

from .support.full_runs import seed_foreign_objects
from .support.servers import ServerProcess
from .support.snapshot import snapshot
from .test_no_residue import differences
from .test_stopping import STOPPED_WITHIN, start_suite

RUN_NAME = re.compile(r"^conf-[0-9a-f]{8}-")
# names a sweep must leave alone: one that contains a run's namespace, one that starts with
# conf- and not with a run's namespace, one without the namespace's closing dash
DECOYS = ("my-conf-1a2b3c4d-kept", "conf-notarun-kept", "conf-1a2b3c4d")
KRAGLE_USERS = (
    ("conformance-a", "conformance-a-password"),
    ("conformance-b", "conformance-b-password"),
)


def prefect_objects(url: str) -> dict:
    return snapshot(url)


def prefect_changes(before: dict, after: dict) -> list[str]:
    """What differs but the protected ``secret`` type, which a run killed during
    PF-BT-protected-update leaves changed (no sweep can know its old description)."""
    secret = {i for i, item in before["block_types"].items() if item.get("slug") == "secret"}
    return [line for line in differences(before, after) if line.split()[-1] not in secret]


def changes(before: dict, after: dict) -> list[str]:
    added = [f"left behind {after[i]}" for i in set(after) - set(before)]
    return added + [f"deleted pre-existing {before[i]}" for i in set(before) - set(after)]


def prefect_decoys(url: str) -> None:
    seed_foreign_objects(url)
    with httpx.Client(base_url=url, timeout=30) as client:
        for name in DECOYS:
            slug = name.lower()
            client.post("/block_types/", json={"name": name, "slug": slug}).raise_for_status()
        other = client.post("/block_types/", json={"name": "Decoy", "slug": "decoy"}).json()
        fields = {"title": "Decoy", "properties": {"x": {"type": "string"}}}
        schema = client.post(
            "/block_schemas/", json={"block_type_id": other["id"], "fields": fields}
        )
        for name in DECOYS:
            document = {"name": name, "data": {"x": "kept"}, "block_type_id": other["id"]}
            document["block_schema_id"] = schema.json()["id"]
            client.post("/block_documents/", json=document).raise_for_status()


def kragle_cookies(client: httpx.Client) -> list[str]:
    cookies = []
    for username, password in KRAGLE_USERS:
        answer = client.post("/authenticate", json={"username": username, "password": password})
        answer.raise_for_status()
        cookies.append("; ".join(f"{k}={v}" for k, v in answer.cookies.items()))
    return cookies


def kragle_objects(url: str) -> dict:
    """Every block either test user sees, by id."""
    found = {}
    with httpx.Client(base_url=url, timeout=30) as client:
        for cookie in kragle_cookies(client):
            for page in range(1, 1000):
                body = client.get("/blocktypes", params={"page": page}, headers={"Cookie": cookie})
                items = body.json()["blocktypes"]
                found.update({item["id"]: item["name"] for item in items})
                if len(items) < body.json()["pagesize"]:
                    break
    return found


def kragle_decoys(url: str) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        cookie = kragle_cookies(client)[1]
        for name in DECOYS:
            block = {"name": name, "definition": minimal_definition()}
            client.post("/blocktypes", json=block, headers={"Cookie": cookie}).raise_for_status()


def peak_objects(url: str) -> dict:
    """Every spec and deployment, by id."""
    found = {}
    headers = {"Authorization": REFERENCE_TOKEN}
    with httpx.Client(base_url=url, timeout=30, headers=headers) as client:
        for path, key in (
            ("/v1/blocks/specs/", "specs"),
            ("/v1/blocks/deployments/", "deployments"),
        ):
            for page in range(1, 1000):
                body = client.get(path, params={"pageSize": 100, "pageNumber": page}).json()
                found.update({item["id"]: item["metadata"]["name"] for item in body[key]})
                if page >= body["pageCount"]:
                    break
    return found


def peak_decoys(url: str) -> None:
    headers = {"Authorization": REFERENCE_TOKEN}
    with httpx.Client(base_url=url, timeout=30, headers=headers) as client:
        for name in DECOYS:
            spec = {
                "version": 1,
                "kind": "workflow",
                "metadata": {"name": name, "title": "Decoy", "summary": "kept"},
                "release": {"version": "1.0.0", "notes": "kept"},
                "config": {"steps": {"main": {"type": "standard", "command": "run"}}},
            }
            parts = {"spec": (None, json.dumps(spec))}  # as peak-sdk sends a spec
            client.post("/v1/blocks/specs/", files=parts).raise_for_status()


@dataclass(frozen=True)
class Profiled:
    """What this test needs of one profile: its objects on the target, and how to seed the ones
    a sweep must keep."""

    name: str
    objects: Callable[[str], dict]
    decoys: Callable[[str], None]
    changes: Callable[[dict, dict], list[str]] = changes

    def url(self, server: ServerProcess) -> str:
        base = server.url.removesuffix("/api")
        return base + profiles.get(self.name).server.base_path

    def run_options(self, url: str) -> list[str]:
        return [
            f"--blocks-profile={self.name}",
            *profiles.get(self.name).server.reference_options(url),
        ]


PROFILED = [
    Profiled("prefect", prefect_objects, prefect_decoys, prefect_changes),
    Profiled("kragle", kragle_objects, kragle_decoys),
    Profiled("peak-press", peak_objects, peak_decoys),
]


def run_names(objects: dict) -> set[str]:
    """The names among ``objects`` that start with a run's namespace (Prefect's snapshot holds
    its kinds of objects by kind)."""
    if objects and all(isinstance(value, dict) for value in objects.values()):
        nested = [item for kind in objects.values() for item in kind.values()]
        names = [str(item.get("name") or item.get("slug") or "") for item in nested]
    else:
        names = [str(name) for name in objects.values()]
    return {name for name in names if RUN_NAME.match(name)}


def killed_run(profiled: Profiled, url: str, tmp_path) -> None:
    """A run against ``url``, killed (SIGKILL) once it has objects on the target."""
    process, output = start_suite(url, tmp_path, *profiled.run_options(url))
    deadline = time.monotonic() + STOPPED_WITHIN
    try:
        while not run_names(profiled.objects(url)):
            assert process.poll() is None, (tmp_path / "output.txt").read_text()[-2000:]
            assert time.monotonic() < deadline, "the run created nothing"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        output.close()


def sweep(capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = blocks_conformance(["sweep", *args])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("profiled", PROFILED, ids=[p.name for p in PROFILED])
def test_a_sweep_removes_what_a_killed_run_left_and_nothing_else(profiled, tmp_path, capsys):
    server = ServerProcess(None, tmp_path)
    try:
        url = profiled.url(server)
        profiled.decoys(url)
        before = profiled.objects(url)
        killed_run(profiled, url, tmp_path)
        left = profiled.objects(url)
        options = [f"--target-url={url}", *profiled.run_options(url)]
        code, listed = sweep(capsys, *options, "--dry-run")
        assert code == 0, listed
        assert profiled.objects(url) == left  # a dry run deletes nothing
        namespaces = {RUN_NAME.match(name).group(0) for name in run_names(left)}
        assert all(f"  {namespace}: would delete " in listed for namespace in namespaces), listed
        code, output = sweep(capsys, *options)
        assert code == 0, output
        assert profiled.changes(before, profiled.objects(url)) == [], output
    finally:
        server.kill()


def test_kragle_blocks_without_the_hook_are_listed_as_left_behind(tmp_path, capsys):
    server = ServerProcess(None, tmp_path)
    try:
        kragle = PROFILED[1]
        url = kragle.url(server)
        with httpx.Client(base_url=url, timeout=30) as client:
            cookie = kragle_cookies(client)[0]
            block = {"name": "conf-0123abcd-left", "definition": minimal_definition()}
            client.post("/blocktypes", json=block, headers={"Cookie": cookie}).raise_for_status()
        code, output = sweep(capsys, f"--target-url={url}", "--blocks-profile=kragle")
        assert code == 1, output
        assert "left behind (the API cannot delete it): blocktype" in output
        assert "--blocks-kragle-hook-url" in output
        assert "conf-0123abcd-left" in kragle_objects(url).values()
    finally:
        server.kill()


def test_a_wrong_kragle_password_is_named_but_not_shown(tmp_path, capsys):
    server = ServerProcess(None, tmp_path)
    try:
        url = PROFILED[1].url(server)
        options = ["--blocks-profile=kragle", "--blocks-kragle-password=wr0ng-s3cret-pw"]
        code, output = sweep(capsys, f"--target-url={url}", *options)
        assert code == 4, output
        assert (
            "could not log in as conformance-a" in output and "--blocks-kragle-password" in output
        )
        assert "wr0ng-s3cret-pw" not in output
    finally:
        server.kill()


def test_an_unreachable_target_is_one_paragraph_without_credentials(capsys):
    url = "http://bob:hunter2-s3cret@127.0.0.1:9/api"
    code, output = sweep(capsys, f"--target-url={url}", "--target-header=X-Key: k3y-s3cret")
    assert code == 4
    assert "the target http://<redacted>@127.0.0.1:9/api is not usable" in output
    assert "hunter2-s3cret" not in output and "k3y-s3cret" not in output


def test_a_malformed_header_is_a_usage_error_that_shows_no_value(capsys):
    code, output = sweep(
        capsys, "--target-url=http://127.0.0.1:9/api", "--target-header=Bearer t0ken-s3cret"
    )
    assert code == 2 and "has no ':'" in output and "t0ken-s3cret" not in output


def test_a_dry_run_lists_each_object_by_run_with_its_name(tmp_path, capsys):
    server = ServerProcess(None, tmp_path)
    try:
        name = "conf-0a1b2c3d-one"
        created = httpx.post(f"{server.url}/block_types/", json={"name": name, "slug": name})
        code, output = sweep(capsys, f"--target-url={server.url}", "--dry-run")
        kept = httpx.get(f"{server.url}/block_types/slug/{name}").status_code
    finally:
        server.kill()
    assert code == 0 and kept == 200
    assert "(prefect): 1 object(s) of 1 run(s)" in output
    assert "  conf-0a1b2c3d-: would delete 1 block_type" in output
    assert f"    block_type {created.json()['id']} {name}" in output


def test_a_refused_listing_is_not_reported_as_nothing_left(tmp_path, capsys):
    server = ServerProcess(None, tmp_path)
    try:
        url = PROFILED[2].url(server)
        options = ["--blocks-profile=peak-press", "--blocks-peak-press-token=wr0ng-t0ken-s3cret"]
        code, output = sweep(capsys, f"--target-url={url}", *options)
    finally:
        server.kill()
    assert code == 4, output
    assert "were refused (first: GET /peak/v1/blocks/deployments/ answered 401)" in output
    assert "wr0ng-t0ken-s3cret" not in output and "object(s) of" not in output
