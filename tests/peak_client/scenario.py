"""Drive a Peak Press server with the real peak-sdk client (``peak.press.blocks``): call every one
of its 19 block methods, check each result, and print a JSON summary.

Runs inside a virtualenv with peak-sdk 1.29.0, with PEAK_BASE (the server's Peak base URL,
e.g. http://127.0.0.1:4200/peak), PEAK_AUTH_TOKEN, PEAK_HOOK (the server's test hook that
sets a deployment's status), CONF_RUN (a suffix for names) and CONF_RESULT (the file the JSON
summary is written to; peak-sdk prints progress bars on stdout) set. peak-sdk has no setting for
its host: ``get_base_domain`` is replaced in the three modules that imported it, before any
Session exists. Every socket connection outside the loopback range is refused and recorded;
everything the scenario creates is deleted by the delete methods it tests.
"""

import ipaddress
import json
import os
import socket
import tempfile
from pathlib import Path

BASE = os.environ["PEAK_BASE"].rstrip("/")
HOOK = os.environ["PEAK_HOOK"].rstrip("/")
TOKEN = os.environ["PEAK_AUTH_TOKEN"]
RUN = os.environ["CONF_RUN"]
PREFIX = f"conf-sdk-{RUN}-"
outside_attempts: list[str] = []
called: list[str] = []


def loopback_only() -> None:
    """Refuse (and record) every connection to an address outside 127.0.0.0/8 and ::1."""
    connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        try:
            inside = ipaddress.ip_address(host).is_loopback
        except ValueError:
            inside = host == "localhost"
        if not inside:
            outside_attempts.append(str(address))
            raise ConnectionRefusedError(f"the scenario may only reach loopback, not {address}")
        return connect(self, address)

    socket.socket.connect = guarded


def point_peak_sdk_at_the_server() -> None:
    import peak.helpers
    import peak.session
    import peak.telemetry

    def local_base_domain(stage: str, subdomain: str | None = "service") -> str:
        return BASE

    for module in (peak.helpers, peak.session, peak.telemetry):
        module.get_base_domain = local_base_domain


def check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def run(method: str, call, *args, **kwargs):
    called.append(method)
    return call(*args, **kwargs)


def expect_raises(exception, call, *args, **kwargs) -> str:
    try:
        call(*args, **kwargs)
    except exception as raised:
        return type(raised).__name__
    raise AssertionError(f"{call.__name__} must raise {exception.__name__}")


def spec_body(name: str, version: str) -> dict:
    return {
        "version": 1,
        "kind": "workflow",
        "metadata": {
            "name": name,
            "title": f"SDK spec {name}",
            "summary": "created through peak-sdk",
            "tags": [{"name": "sdk"}],
        },
        "release": {"version": version, "notes": "first"},
        "config": {"steps": {"main": {"type": "standard", "command": "python main.py"}}},
    }


PARAMETERS = {
    "build": [],
    "run": [
        {"name": "limit", "type": "number", "required": False, "defaultValue": 3},
        {"name": "api_key", "type": "string", "required": True, "hideValue": True},
    ],
}


def set_status(deployment_id: str, status: str) -> None:
    import requests

    answer = requests.post(
        f"{HOOK}/deployments/{deployment_id}/status",
        json={"status": status},
        headers={"Authorization": TOKEN},
        timeout=10,
    )
    check(answer.status_code in (200, 204), f"the test hook answered {answer.status_code}")


def scenario(blocks, exceptions, artifact_dir: Path) -> dict:
    results: dict = {}
    names = [f"{PREFIX}spec-{i}" for i in range(3)]

    dry = run("create_spec", blocks.create_spec, spec_body(names[0], "1.0.0"), validate=True)
    check(dry.get("success") is True, f"a dry run answers success: {dry}")
    created = run(
        "create_spec",
        blocks.create_spec,
        spec_body(names[0], "1.0.0"),
        artifact={"path": str(artifact_dir)},
        featured=True,
        scope="private",
        parameters=PARAMETERS,
        auto_run_on_deploy=False,
    )
    spec_id = created["id"]
    others = [blocks.create_spec(spec_body(name, "0.1.0"))["id"] for name in names[1:]]
    results["create_spec"] = sorted(created)

    described = run("describe_spec", blocks.describe_spec, spec_id)
    check(described["metadata"]["name"] == names[0], "describe_spec: the name")
    check(described["featured"] is True, "describe_spec: featured")
    check(described["latestRelease"]["version"] == "1.0.0", "describe_spec: latestRelease")
    results["describe_spec"] = {"kind": described["kind"], "scope": described["scope"]}

    updated = run(
        "update_spec_metadata",
        blocks.update_spec_metadata,
        spec_id,
        {"metadata": {"title": "Retitled by the SDK"}, "featured": False},
    )
    check(updated["metadata"]["title"] == "Retitled by the SDK", "update_spec_metadata: title")
    check(updated["featured"] is False, "update_spec_metadata: featured")
    results["update_spec_metadata"] = updated["metadata"]["title"]

    listed = list(run("list_specs", blocks.list_specs, name=PREFIX, page_size=2))
    check(sorted(s["metadata"]["name"] for s in listed) == names, f"list_specs: {listed}")
    envelope = blocks.list_specs(name=PREFIX, page_size=2, page_number=1, return_iterator=False)
    check(envelope["pageCount"] == 2, f"list_specs: two pages of three specs ({envelope})")
    featured = list(blocks.list_specs(name=PREFIX, featured=False, status=["available"]))
    check(len(featured) == 3, "list_specs: featured=False and status filters")
    results["list_specs"] = {"items": len(listed), "pageCount": envelope["pageCount"]}

    release = run(
        "create_spec_release",
        blocks.create_spec_release,
        spec_id,
        {"release": {"version": "1.1.0", "notes": "second"}, "config": {"steps": {}}},
        parameters=PARAMETERS,
    )
    results["create_spec_release"] = release
    results["bad_release"] = expect_raises(
        exceptions.BadRequestException,
        blocks.create_spec_release,
        spec_id,
        {"release": {"version": "1.2"}, "config": {}},
    )
    results["duplicate_release"] = expect_raises(
        exceptions.ConflictException,
        blocks.create_spec_release,
        spec_id,
        {"release": {"version": "1.1.0"}, "config": {}},
        parameters=PARAMETERS,
    )

    described_release = run("describe_spec_release", blocks.describe_spec_release, spec_id, "1.1.0")
    check(described_release["version"] == "1.1.0", "describe_spec_release: version")
    results["describe_spec_release"] = described_release["notes"]

    releases = list(run("list_spec_releases", blocks.list_spec_releases, spec_id, page_size=1))
    versions = [item["version"] for item in releases]
    check(versions == ["1.1.0", "1.0.0"], f"list_spec_releases newest first: {versions}")
    results["list_spec_releases"] = versions

    deployment_body = {
        "metadata": {"name": f"{PREFIX}dep", "summary": "deployed by the SDK", "title": "SDK"},
        "parameters": {"build": {}, "run": {"api_key": f"hidden-{RUN}"}},
        "revision": {"notes": "first"},
        "spec": {"id": spec_id},
    }
    deployment = run("create_deployment", blocks.create_deployment, deployment_body)
    deployment_id = deployment["id"]
    second = blocks.create_deployment(
        {**deployment_body, "metadata": {**deployment_body["metadata"], "name": f"{PREFIX}dep2"}}
    )
    results["create_deployment"] = sorted(deployment)
    results["duplicate_deployment"] = expect_raises(
        exceptions.ConflictException, blocks.create_deployment, deployment_body
    )

    described_deployment = run("describe_deployment", blocks.describe_deployment, deployment_id)
    latest = described_deployment["latestRevision"]
    check(latest["revision"] == 1, "describe_deployment: revision 1")
    check(described_deployment["spec"]["release"]["version"] == "1.1.0", "latest release used")
    check(f"hidden-{RUN}" not in json.dumps(described_deployment), "hideValue not echoed")
    results["describe_deployment"] = {"revision": latest["revision"], "run": latest["parameters"]}

    changed = run(
        "update_deployment_metadata",
        blocks.update_deployment_metadata,
        deployment_id,
        {"title": "Retitled deployment"},
    )
    check(changed["metadata"]["title"] == "Retitled deployment", "update_deployment_metadata")
    results["update_deployment_metadata"] = changed["metadata"]["title"]

    deployments = list(run("list_deployments", blocks.list_deployments, name=PREFIX, page_size=1))
    check(len(deployments) == 2, f"list_deployments across two pages: {len(deployments)}")
    results["list_deployments"] = sorted(item["metadata"]["name"] for item in deployments)

    revision = run(
        "create_deployment_revision",
        blocks.create_deployment_revision,
        deployment_id,
        {
            "release": {"version": "1.0.0"},
            "revision": {"notes": "back to 1.0.0"},
            "parameters": {"run": {"api_key": f"hidden-{RUN}", "limit": 5}},
        },
    )
    check(revision == {"id": deployment_id, "revision": 2}, f"a revision create: {revision}")
    results["create_deployment_revision"] = revision

    described_revision = run(
        "describe_deployment_revision", blocks.describe_deployment_revision, deployment_id, "2"
    )
    check(described_revision["release"]["version"] == "1.0.0", "revision 2's release")
    results["describe_deployment_revision"] = described_revision["notes"]

    results["redeploy_deployed"] = expect_raises(
        exceptions.ConflictException, blocks.redeploy, deployment_id
    )
    set_status(deployment_id, "failed")
    redeployed = run("redeploy", blocks.redeploy, deployment_id)
    check(redeployed["revision"] == 3, f"redeploy: revision 3 ({redeployed})")
    results["redeploy"] = sorted(redeployed)

    revisions = list(
        run(
            "list_deployment_revisions",
            blocks.list_deployment_revisions,
            deployment_id,
            page_size=2,
        )
    )
    numbers = sorted(item["revision"] for item in revisions)
    check(numbers == [1, 2, 3], f"list_deployment_revisions across two pages: {numbers}")
    statuses = [item["status"] for item in sorted(revisions, key=lambda item: item["revision"])]
    check(statuses[:2] == ["superseded", "superseded"], f"older revisions: {statuses}")
    results["list_deployment_revisions"] = statuses

    parameters = run("get_parameters", blocks.get_parameters, deployment_id=deployment_id)
    check(parameters.get("limit") == 5, f"get_parameters: {parameters}")
    patched = run("patch_parameters", blocks.patch_parameters, deployment_id, {"limit": 9})
    check(patched.get("limit") == 9, f"patch_parameters: {patched}")
    check(blocks.get_parameters(deployment_id=deployment_id)["limit"] == 9, "PATCH then GET")
    results["parameters"] = {"limit": patched["limit"]}

    results["delete_deployment"] = run("delete_deployment", blocks.delete_deployment, deployment_id)
    blocks.delete_deployment(second["id"])
    results["describe_deleted"] = expect_raises(
        exceptions.NotFoundException, blocks.describe_deployment, deployment_id
    )
    results["delete_spec"] = run("delete_spec", blocks.delete_spec, spec_id)
    for other in others:
        blocks.delete_spec(other)
    results["releases_of_deleted"] = expect_raises(
        exceptions.NotFoundException, blocks.describe_spec_release, spec_id, "1.0.0"
    )
    return results


def main() -> None:
    loopback_only()
    point_peak_sdk_at_the_server()
    os.environ.pop("PRESS_DEPLOYMENT_ID", None)  # it would override get_parameters' argument
    from peak import exceptions
    from peak.press import blocks as press_blocks
    from peak.session import Session

    session = Session(auth_token=TOKEN, stage="prod")
    blocks = press_blocks.get_client(session=session)
    with tempfile.TemporaryDirectory() as artifact:
        Path(artifact, "main.py").write_text("print('hello from a conformance block')\n")
        results = scenario(blocks, exceptions, Path(artifact))
    # the session's first call (tenant metadata) already carries the token
    unauthorised = expect_raises(
        exceptions.UnauthorizedException, Session, auth_token=f"wrong-{RUN}", stage="prod"
    )
    with open(os.environ["CONF_RESULT"], "w") as output:
        json.dump(
            {
                "called": sorted(set(called)),
                "outside_attempts": outside_attempts,
                "results": results,
                "unauthorised": unauthorised,
            },
            output,
            default=str,
        )


if __name__ == "__main__":
    main()
