"""The GitHub Action (``action.yml``): its inputs and outputs, and its run step executed as the
runner executes it (bash, with ``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY`` files) against a
broken variant."""

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from conformance.action import artifact_name, shown_command, suite_arguments

from .support import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
INPUTS = (
    "target-url",
    "profile",
    "level",
    "expect-fail",
    "headers",
    "prefect-release",
    "extra-args",
    "python-version",
)
SECRET = "action-header-secret-5d1c"
PASSWORD = "action-password-8e27"
BASIC = base64.b64encode(f"ci:{PASSWORD}".encode()).decode()


def step(step_id: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


def expand(text: str, inputs: dict[str, str]) -> str:
    """``${{ inputs.NAME }}`` as the runner fills it in (the input, else its default)."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        return inputs.get(name, ACTION["inputs"][name].get("default", ""))

    return re.sub(r"\$\{\{\s*inputs\.([a-z-]+)\s*\}\}", value, text)


def test_the_action_takes_the_documented_inputs_and_gives_the_outputs():
    assert set(INPUTS) <= set(ACTION["inputs"])
    assert {"verdict", "level", "report"} <= set(ACTION["outputs"])
    assert ACTION["runs"]["using"] == "composite"
    uses = [s["uses"].split("@")[0] for s in ACTION["runs"]["steps"] if "uses" in s]
    assert uses == ["actions/setup-python", "actions/upload-artifact"]
    install = next(s for s in ACTION["runs"]["steps"] if "pip install" in s.get("run", ""))
    assert "$GITHUB_ACTION_PATH" in install["run"]  # the suite comes from the action's checkout


def test_inputs_become_the_suite_s_options(tmp_path):
    arguments = suite_arguments(
        {
            "INPUT_TARGET_URL": "http://127.0.0.1:4200/api",
            "INPUT_PROFILE": "prefect",
            "INPUT_LEVEL": "3",
            "INPUT_EXPECT_FAIL": "ours.txt\n\n  theirs.txt \n",
            "INPUT_HEADERS": f"X-Api-Key: {SECRET}\nAuthorization: Basic {BASIC}",
            "INPUT_PREFECT_RELEASE": "3.8",
            "INPUT_EXTRA_ARGS": "--blocks-seed=1 -m 'not generated'",
        },
        tmp_path,
    )
    assert arguments[:2] == ["--pyargs", "conformance"]
    for expected in (
        "--target-url=http://127.0.0.1:4200/api",
        "--blocks-level=3",
        "--blocks-expect-fail=ours.txt",
        "--blocks-expect-fail=theirs.txt",
        f"--target-header=X-Api-Key: {SECRET}",
        "--blocks-prefect-release=3.8",
        f"--blocks-report={tmp_path / 'conformance.json'}",
        f"--junitxml={tmp_path / 'junit.xml'}",
    ):
        assert expected in arguments
    assert arguments[-3:] == ["--blocks-seed=1", "-m", "not generated"]
    shown = shown_command(arguments)
    assert SECRET not in shown and BASIC not in shown and "X-Api-Key: <redacted>" in shown


def test_jobs_of_a_matrix_upload_under_names_of_their_own():
    first = artifact_name({"INPUT_LEVEL": "3", "GITHUB_JOB": "conformance"})
    second = artifact_name({"INPUT_LEVEL": "4", "GITHUB_JOB": "conformance"})
    assert first != second and first.startswith("blocks-conformance-prefect-conformance-")
    assert artifact_name({"INPUT_ARTIFACT_NAME": "mine"}) == "mine"


def outputs_of(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_the_run_step_writes_the_outputs_and_the_summary(start_variant, tmp_path):
    server = start_variant("accepts_duplicate_names")
    inputs = {
        "target-url": server.url,
        "level": "1",
        "headers": f"X-Api-Key: {SECRET}\nAuthorization: Basic {BASIC}",
        "extra-args": "--blocks-clause=PF-BD-409-name --blocks-seed=1 -p no:cacheprovider",
    }
    run = step("run")
    github = {
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "RUNNER_TEMP": str(tmp_path / "runner"),
        "GITHUB_JOB": "conformance",
    }
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        **github,
        **{name: expand(str(value), inputs) for name, value in run["env"].items()},
    }
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    # the runner's `shell: bash`
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", expand(run["run"], inputs)],
        cwd=workspace,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    outputs = outputs_of(tmp_path / "output.txt")
    report_dir = Path(outputs["report-dir"])
    written = {path.name for path in report_dir.iterdir()}
    assert {"conformance.json", "conformance.md", "conformance.html", "junit.xml"} <= written
    assert outputs["report"] == str(report_dir / "conformance.json")
    assert outputs["verdict"].startswith("not conformant (level 1: ")
    assert "PF-BD-409-name" in outputs["verdict"] and outputs["level"] == "0"
    assert outputs["exit-code"] == "1" and outputs["artifact-name"].startswith("blocks-")
    summary = (tmp_path / "summary.md").read_text()
    assert summary == (report_dir / "conformance.md").read_text()
    assert "**PF-BD-409-name** (level 1 MUST, failed)" in summary
    shown = [
        done.stdout,
        done.stderr,
        *(
            p.read_text()
            for p in tmp_path.rglob("*.*")
            if p.is_file() and p.suffix in {".txt", ".md", ".json", ".html", ".xml"}
        ),
    ]
    for text in shown:
        assert SECRET not in text and BASIC not in text and PASSWORD not in text
