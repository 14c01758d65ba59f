"""The real Prefect client gives the same results against the reference server as against the
real Prefect server (acceptance of the core issue; .ci/run provides both)."""

import json
import os
import subprocess
import uuid

from .conftest import ROOT, required_in_ci

SCENARIO = ROOT / "tests" / "real_client" / "scenario.py"


def run_scenario(python: str, api_url: str, run_id: str, home) -> tuple[dict, str]:
    env = {
        **os.environ,
        "PREFECT_API_URL": api_url,
        "CONF_RUN": run_id,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    done = subprocess.run(
        [python, str(SCENARIO)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, (
        f"the client scenario failed against {api_url}:\n{done.stderr[-3000:]}"
    )
    return json.loads(done.stdout), done.stderr


def test_client_results_match_the_real_server(reference_server, tmp_path):
    python = required_in_ci("PREFECT_PYTHON", "python of a virtualenv with prefect==3.8.8")
    real_url = required_in_ci("BLOCKS_REAL_TARGET_URL", "the real Prefect server")
    run_id = uuid.uuid4().hex[:8]
    ours, our_log = run_scenario(python, reference_server.url, run_id, tmp_path / "home-ours")
    real, _ = run_scenario(python, real_url, run_id, tmp_path / "home-real")
    assert ours == real
    assert ours["secret"]["load"] == {"value": "my-secret-value"}
    assert ours["probe"]["load"]["value"]["equal_to_saved"] is True
    nested = {"note": "top", "label": "mid", "token": "inner-secret", "n": 5}
    assert ours["nested"]["load_referenced"] == {"value": nested}
    assert ours["nested"]["load_after_leaf_overwrite"]["value"]["token"] == "rotated"
    assert ours["clean_up"] == []
    assert "Unable to connect" not in our_log, our_log[-2000:]
