"""The real peak-sdk client (``peak.press.blocks``, 1.29.0, in its own virtualenv: it pins old
dependencies) works against the reference server's Peak Press API: every one of its 19 block
methods gives the results its documentation describes, list iterators across two pages
included, with no connection outside the loopback range (.ci/run provides PEAK_PYTHON)."""

import json
import os
import subprocess
import uuid

from .conftest import ROOT, required_in_ci

SCENARIO = ROOT / "tests" / "peak_client" / "scenario.py"
TOKEN = "peak-conformance-token"  # the reference server's default test token
METHODS = {
    "create_deployment",
    "create_deployment_revision",
    "create_spec",
    "create_spec_release",
    "delete_deployment",
    "delete_spec",
    "describe_deployment",
    "describe_deployment_revision",
    "describe_spec",
    "describe_spec_release",
    "get_parameters",
    "list_deployment_revisions",
    "list_deployments",
    "list_spec_releases",
    "list_specs",
    "patch_parameters",
    "redeploy",
    "update_deployment_metadata",
    "update_spec_metadata",
}


def run_scenario(python: str, base: str, tmp_path) -> dict:
    result = tmp_path / "peak-sdk-result.json"
    env = {
        **os.environ,
        "PEAK_BASE": base,
        "PEAK_HOOK": f"{base}/_conformance",
        "PEAK_AUTH_TOKEN": TOKEN,
        "CONF_RUN": uuid.uuid4().hex[:8],
        "CONF_RESULT": str(result),
    }
    env.pop("PRESS_DEPLOYMENT_ID", None)
    done = subprocess.run(
        [python, str(SCENARIO)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, (
        f"the peak-sdk scenario failed against {base}:\n{done.stderr[-3000:]}"
    )
    return json.loads(result.read_text())


def test_every_block_method_of_peak_sdk_works(reference_server, tmp_path):
    python = required_in_ci("PEAK_PYTHON", "python of a virtualenv with peak-sdk==1.29.0")
    outcome = run_scenario(python, f"http://127.0.0.1:{reference_server.port}/peak", tmp_path)
    assert set(outcome["called"]) == METHODS
    assert outcome["outside_attempts"] == []
    assert outcome["unauthorised"] == "UnauthorizedException"
    results = outcome["results"]
    assert results["list_specs"] == {"items": 3, "pageCount": 2}
    assert results["list_spec_releases"] == ["1.1.0", "1.0.0"]
    assert "hidden-" not in json.dumps(results["describe_deployment"])  # hideValue masked
    assert results["list_deployment_revisions"] == ["superseded", "superseded", "deployed"]
    assert results["parameters"] == {"limit": 9}
    assert results["delete_spec"] == {} and results["delete_deployment"] == {}
    errors = ("bad_release", "duplicate_release", "duplicate_deployment", "redeploy_deployed")
    assert [results[key] for key in errors] == [
        "BadRequestException",
        "ConflictException",
        "ConflictException",
        "ConflictException",
    ]
    assert results["releases_of_deleted"] == "NotFoundException"
