"""The GitHub Action (``action.yml``): its inputs and outputs, and its steps executed as the
runner executes them (bash, with ``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``, ``GITHUB_ENV`` and
``GITHUB_PATH`` files): the docs/ci.md example copied into a repository whose own pytest set-up
would break a run, a broken variant, and a cancelled job.

Two steps are the runner's to do: ``actions/setup-python`` (its output ``python-path`` is this
Python here) and the package index the install step reaches. Without it, the virtualenv the
install step makes is made here the same way and sees the suite of this checkout and the
libraries of this environment; CI (``.ci/run``) runs the install step as written and hands its
virtualenv over in ``BLOCKS_ACTION_VENV``."""

import base64
import os
import re
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
import yaml

from conformance.action import (
    artifact_name,
    outputs_of,
    path_options,
    shown_command,
    suite_arguments,
)

from .support import ROOT
from .support.servers import ServerProcess
from .support.snapshot import snapshot
from .test_no_residue import differences
from .test_stopping import STOPPED_WITHIN, conf_documents

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
VENV = "blocks-conformance-venv"  # under RUNNER_TEMP, where the install step makes it
# a repository whose pytest set-up a run of the suite must not pick up
CALLERS_PYPROJECT = """[tool.pytest.ini_options]
addopts = "--cov=x -p no:randomly"
testpaths = ["tests"]
"""
CALLERS_CONFTEST = 'raise RuntimeError("the caller\'s conftest.py was loaded")\n'


def step(step_id: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


def expand(text: str, inputs: dict[str, str]) -> str:
    """``${{ inputs.NAME }}`` as the runner fills it in (the input, else its default)."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        return inputs.get(name, ACTION["inputs"][name].get("default", ""))

    return re.sub(r"\$\{\{\s*inputs\.([a-z-]+)\s*\}\}", value, text)


def test_the_action_takes_the_documented_inputs_and_declares_its_outputs():
    assert set(INPUTS) <= set(ACTION["inputs"])
    assert ACTION["runs"]["using"] == "composite"
    written = set(outputs_of(Path("/nonexistent"), 4, {}))
    assert set(ACTION["outputs"]) == written
    for name, output in ACTION["outputs"].items():
        assert output["value"] == f"${{{{ steps.run.outputs.{name} }}}}"


def test_the_job_s_python_is_left_as_it_was():
    steps = ACTION["runs"]["steps"]
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert uses == ["actions/setup-python", "actions/upload-artifact"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["update-environment"] is False  # not on the job's PATH
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert f'"$SETUP_PYTHON" -m venv "$RUNNER_TEMP/{VENV}"' in install["run"]
    assert f'"$RUNNER_TEMP/{VENV}/bin/python" -m pip install' in install["run"]
    assert "$GITHUB_ACTION_PATH" in install["run"]  # the suite comes from the action's checkout
    assert step("run")["run"].startswith(f'exec "$RUNNER_TEMP/{VENV}/bin/python" -m ')
    assert not any(
        "GITHUB_PATH" in s.get("run", "") or "GITHUB_ENV" in s.get("run", "") for s in steps
    )


def test_without_a_report_the_level_is_0():
    outputs = outputs_of(Path("/nonexistent"), 4, {})
    assert outputs["level"] == "0" and outputs["report"] == "" and outputs["exit-code"] == "4"
    assert outputs["verdict"] == "no report (pytest exited with 4)"


def test_the_prefect_release_input_names_the_timeline_not_three_lines():
    described = ACTION["inputs"]["prefect-release"]["description"]
    assert "fixtures/prefect/releases.toml" in described and "3.9, 3.8 or 3.4" not in described


def test_inputs_become_the_suite_s_options(tmp_path):
    workspace = tmp_path / "workspace"
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
        workspace,
    )
    assert arguments[:2] == ["--pyargs", "conformance"]
    for expected in (
        "--target-url=http://127.0.0.1:4200/api",
        "--blocks-level=3",
        f"--blocks-expect-fail={workspace / 'ours.txt'}",
        f"--blocks-expect-fail={workspace / 'theirs.txt'}",
        f"--target-header=X-Api-Key: {SECRET}",
        "--blocks-prefect-release=3.8",
        f"--blocks-report={tmp_path / 'conformance.json'}",
        f"--junitxml={tmp_path / 'junit.xml'}",
    ):
        assert expected in arguments
    assert arguments[-3:] == ["--blocks-seed=1", "-m", "not generated"]
    shown = shown_command(arguments)
    assert SECRET not in shown and BASIC not in shown and "X-Api-Key: <redacted>" in shown


def test_relative_paths_in_extra_args_are_the_workspace_s(tmp_path):
    extra = (
        "--blocks-prefect-python=.client/bin/python --blocks-oracle-ignore ignore.txt "
        "--blocks-example-db :memory: --blocks-oracle-url=http://127.0.0.1:9/api "
        "--blocks-peak-press-python=/abs/python -m 'not generated' --blocks-prefect-python python3"
    )
    arguments = suite_arguments({"INPUT_EXTRA_ARGS": extra}, tmp_path, tmp_path / "ws")
    assert f"--blocks-prefect-python={tmp_path / 'ws' / '.client/bin/python'}" in arguments
    assert arguments[arguments.index("--blocks-oracle-ignore") + 1] == str(
        tmp_path / "ws/ignore.txt"
    )
    assert arguments[arguments.index("--blocks-example-db") + 1] == ":memory:"
    assert "--blocks-oracle-url=http://127.0.0.1:9/api" in arguments
    assert "--blocks-peak-press-python=/abs/python" in arguments
    assert arguments[-1] == "python3"  # a command on PATH stays one
    assert {"--blocks-expect-fail", "--blocks-peak-press-python"} <= path_options()


def test_the_printed_command_shows_no_credential():
    arguments = [
        f"--target-header=Bearer {SECRET}",  # no ':': all of it may be the credential
        f"--blocks-peak-press-token={SECRET}",
        "--blocks-kragle-password",
        PASSWORD,
        "--target-header",
        f"Authorization: {BASIC}",
    ]
    shown = shown_command(arguments)
    assert SECRET not in shown and PASSWORD not in shown and BASIC not in shown
    assert "--blocks-peak-press-token=<redacted>" in shown


def test_jobs_of_a_matrix_upload_under_names_of_their_own():
    first = artifact_name({"INPUT_LEVEL": "3", "GITHUB_JOB": "conformance"})
    second = artifact_name({"INPUT_LEVEL": "4", "GITHUB_JOB": "conformance"})
    assert first != second and first.startswith("blocks-conformance-prefect-conformance-")
    assert artifact_name({"INPUT_ARTIFACT_NAME": "mine"}) == "mine"


# ---- the steps, run with bash ----------------------------------------------------------------


def make_the_virtualenv(runner_temp: Path) -> None:
    """The install step's virtualenv: CI's, made by the step as written, or one made here the
    same way that sees this checkout's suite and this environment's libraries (the package
    index is out of reach of our tests)."""
    venv = runner_temp / VENV
    if given := os.environ.get("BLOCKS_ACTION_VENV"):
        venv.symlink_to(given, target_is_directory=True)
        return
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    here = sysconfig.get_paths()["purelib"]
    lines = [str(ROOT), f"import site; site.addsitedir({here!r})"]
    (venv / "lib" / version / "site-packages" / "suite.pth").write_text("\n".join(lines) + "\n")


def runner(tmp_path: Path, workspace: Path) -> dict[str, str]:
    """The runner's environment of a step: its files, its temp folder, the job's variables (a
    caller's PYTEST_ADDOPTS among them, which the suite must not take)."""
    github = tmp_path / "github"
    github.mkdir()
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    make_the_virtualenv(runner_temp)
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {
        **environment,
        "GITHUB_OUTPUT": str(github / "output.txt"),
        "GITHUB_STEP_SUMMARY": str(github / "summary.md"),
        "GITHUB_ENV": str(github / "env.txt"),
        "GITHUB_PATH": str(github / "path.txt"),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_JOB": "conformance",
        "RUNNER_TEMP": str(runner_temp),
        "PYTEST_ADDOPTS": "--cov=x",
    }


def start_run_step(inputs: dict[str, str], environment: dict, workspace: Path) -> subprocess.Popen:
    """The run step as the runner starts it: ``shell: bash``, in the workspace."""
    run = step("run")
    env = {
        **environment,
        **{name: expand(str(value), inputs) for name, value in run["env"].items()},
    }
    return subprocess.Popen(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", expand(run["run"], inputs)],
        cwd=workspace,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def outputs_written(environment: dict) -> dict[str, str]:
    path = Path(environment["GITHUB_OUTPUT"])
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def callers_repository(tmp_path: Path) -> Path:
    """An empty repository but for a pytest set-up of its own that breaks any pytest run."""
    workspace = tmp_path / "workspace"
    (workspace / "tests").mkdir(parents=True)
    (workspace / "pyproject.toml").write_text(CALLERS_PYPROJECT)
    (workspace / "conftest.py").write_text(CALLERS_CONFTEST)
    (workspace / "tests" / "conftest.py").write_text(CALLERS_CONFTEST)
    return workspace


def documented_example() -> dict[str, str]:
    """The inputs docs/ci.md's workflow gives the action."""
    text = (ROOT / "docs" / "ci.md").read_text()
    section = text[text.index("## GitHub Actions") :]
    block = re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)
    steps = yaml.safe_load(block)["jobs"]["conformance"]["steps"]
    used = next(s for s in steps if "/blocks-conformance@" in s.get("uses", ""))
    return {name: str(value) for name, value in used["with"].items()}


def test_the_documented_example_runs_in_a_repository_with_its_own_pytest_set_up(tmp_path):
    workspace = callers_repository(tmp_path)
    environment = runner(tmp_path, workspace)
    naive = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "conformance", "--collect-only", "-q"],
        cwd=workspace,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert naive.returncode != 0  # the repository's set-up breaks a pytest run started in it
    server = ServerProcess(None, tmp_path)
    try:
        inputs = documented_example()
        assert "expect-fail" not in inputs  # it would name a file an empty repository lacks
        inputs["target-url"] = inputs["target-url"].replace("http://127.0.0.1:4200/api", server.url)
        process = start_run_step(inputs, environment, workspace)
        shown, _ = process.communicate(timeout=600)
    finally:
        server.kill()
    assert process.returncode == 0, shown[-3000:]
    outputs = outputs_written(environment)
    assert outputs["verdict"].startswith("Level 4 conformant") and outputs["level"] == "4", outputs
    assert outputs["exit-code"] == "0" and Path(outputs["report"]).is_file()
    summary = Path(environment["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary == Path(outputs["report"]).with_suffix(".md").read_text()
    for file in ("GITHUB_ENV", "GITHUB_PATH"):  # nothing changed for the job's later steps
        assert not Path(environment[file]).exists()


def test_the_run_step_writes_the_outputs_and_the_summary(start_variant, tmp_path):
    server = start_variant("accepts_duplicate_names")
    workspace = callers_repository(tmp_path)
    environment = runner(tmp_path, workspace)
    inputs = {
        "target-url": server.url,
        "level": "1",
        "headers": f"X-Api-Key: {SECRET}\nAuthorization: Basic {BASIC}",
        "extra-args": "--blocks-clause=PF-BD-409-name --blocks-seed=1",
    }
    process = start_run_step(inputs, environment, workspace)
    shown, _ = process.communicate(timeout=300)
    assert process.returncode == 1, shown[-3000:]
    outputs = outputs_written(environment)
    report_dir = Path(outputs["report-dir"])
    written = {path.name for path in report_dir.iterdir()}
    assert {"conformance.json", "conformance.md", "conformance.html", "junit.xml"} <= written
    assert outputs["report"] == str(report_dir / "conformance.json")
    assert outputs["verdict"].startswith("not conformant (level 1: ")
    assert "PF-BD-409-name" in outputs["verdict"] and outputs["level"] == "0"
    assert outputs["exit-code"] == "1" and outputs["artifact-name"].startswith("blocks-")
    summary = Path(environment["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary == (report_dir / "conformance.md").read_text()
    assert "**PF-BD-409-name** (level 1 MUST, failed)" in summary
    files = [p for p in tmp_path.rglob("*.*") if p.is_file() and VENV not in str(p)]
    texts = [
        shown,
        *(p.read_text() for p in files if p.suffix in {".txt", ".md", ".json", ".html", ".xml"}),
    ]
    for text in texts:
        assert SECRET not in text and BASIC not in text and PASSWORD not in text


def test_a_cancelled_job_s_run_deletes_what_it_created(tmp_path):
    """The runner signals the step's process only: SIGINT, then SIGTERM (7.5 s later on
    GitHub; here while the run cleans up, or just after)."""
    workspace = callers_repository(tmp_path)
    environment = runner(tmp_path, workspace)
    server = ServerProcess(None, tmp_path)
    try:
        before = snapshot(server.url)
        process = start_run_step({"target-url": server.url}, environment, workspace)
        deadline = time.monotonic() + STOPPED_WITHIN
        while conf_documents(server.url) == 0:
            assert process.poll() is None and time.monotonic() < deadline, "nothing created"
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        shown, _ = process.communicate(timeout=STOPPED_WITHIN)
        assert process.returncode == pytest.ExitCode.INTERRUPTED, shown[-3000:]
        assert differences(before, snapshot(server.url)) == []
    finally:
        server.kill()
    outputs = outputs_written(environment)
    assert outputs["exit-code"] == "2" and Path(outputs["report"]).is_file(), outputs
