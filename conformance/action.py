"""The run step of the GitHub Action (``action.yml``): ``python -m conformance.action``.

It reads the action's inputs from ``INPUT_*`` variables (action.yml maps each input to one),
runs the suite against the target with pytest, appends the Markdown summary to
``$GITHUB_STEP_SUMMARY``, writes the outputs (``verdict``, ``level``, ``report``, and for the
upload step ``report-dir`` and ``artifact-name``) to ``$GITHUB_OUTPUT``, and exits with
pytest's exit code. The command it prints shows no header value.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

REPORT_NAME = "conformance.json"
JUNIT_NAME = "junit.xml"


def lines(value: str) -> list[str]:
    """The non-empty lines of a multi-line input."""
    return [line.strip() for line in value.splitlines() if line.strip()]


def suite_arguments(inputs: Mapping[str, str], report_dir: Path) -> list[str]:
    """pytest's arguments for the inputs (``INPUT_TARGET_URL`` and the others)."""
    arguments = ["--pyargs", "conformance", f"--blocks-report={report_dir / REPORT_NAME}"]
    arguments.append(f"--junitxml={report_dir / JUNIT_NAME}")
    single = {
        "INPUT_TARGET_URL": "--target-url",
        "INPUT_PROFILE": "--blocks-profile",
        "INPUT_LEVEL": "--blocks-level",
        "INPUT_PREFECT_RELEASE": "--blocks-prefect-release",
    }
    for variable, option in single.items():
        if value := inputs.get(variable, "").strip():
            arguments.append(f"{option}={value}")
    for path in lines(inputs.get("INPUT_EXPECT_FAIL", "")):
        arguments.append(f"--blocks-expect-fail={path}")
    for header in lines(inputs.get("INPUT_HEADERS", "")):
        arguments.append(f"--target-header={header}")
    arguments += shlex.split(inputs.get("INPUT_EXTRA_ARGS", ""))
    return arguments


def shown_command(arguments: list[str]) -> str:
    """The command as printed: header values left out (GitHub masks secrets it knows, not
    values built from them)."""
    shown = [
        f"--target-header={arg.split('=', 1)[1].split(':', 1)[0]}: <redacted>"
        if arg.startswith("--target-header=")
        else arg
        for arg in arguments
    ]
    return shlex.join(["pytest", *shown])


def artifact_name(inputs: Mapping[str, str]) -> str:
    """The input, or a name of its own per target, profile, level and release (jobs of one
    workflow run must upload under different names); no header value goes into it."""
    if name := inputs.get("INPUT_ARTIFACT_NAME", "").strip():
        return name
    keys = ("INPUT_TARGET_URL", "INPUT_LEVEL", "INPUT_PREFECT_RELEASE", "INPUT_EXTRA_ARGS")
    digest = hashlib.sha256("\n".join(inputs.get(k, "") for k in keys).encode()).hexdigest()
    profile = inputs.get("INPUT_PROFILE", "").strip() or "prefect"
    job = inputs.get("GITHUB_JOB", "").strip()
    return "-".join(part for part in ("blocks-conformance", profile, job, digest[:8]) if part)


def write_outputs(path: str | None, outputs: Mapping[str, str]) -> None:
    if not path:
        return
    with open(path, "a") as handle:
        for name, value in outputs.items():
            handle.write(f"{name}={' '.join(str(value).split())}\n")


def summary(report_dir: Path, code: int) -> str:
    markdown = (report_dir / REPORT_NAME).with_suffix(".md")
    if markdown.is_file():
        return markdown.read_text()
    return (
        f"## Blocks conformance: no report\n\npytest exited with {code} before writing a "
        "report (see the step's log: a usage error, such as an option pytest does not know, "
        "exits with 4; a target the run cannot use writes a report that says why).\n"
    )


def main(environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    temp = environ.get("RUNNER_TEMP") or tempfile.gettempdir()
    report_dir = Path(environ.get("INPUT_REPORT_DIR") or Path(temp, "blocks-conformance"))
    report_dir.mkdir(parents=True, exist_ok=True)
    arguments = suite_arguments(environ, report_dir)
    print(shown_command(arguments), flush=True)
    code = subprocess.run([sys.executable, "-m", "pytest", *arguments]).returncode
    report_path = report_dir / REPORT_NAME
    report = json.loads(report_path.read_text()) if report_path.is_file() else {}
    write_outputs(
        environ.get("GITHUB_OUTPUT"),
        {
            "verdict": report.get("verdict", f"no report (pytest exited with {code})"),
            "level": str(report.get("conformant_level", "")),
            "report": str(report_path) if report else "",
            "report-dir": str(report_dir),
            "artifact-name": artifact_name(environ),
            "exit-code": str(code),
        },
    )
    if step_summary := environ.get("GITHUB_STEP_SUMMARY"):
        with open(step_summary, "a") as handle:
            handle.write(summary(report_dir, code))
    return code


if __name__ == "__main__":
    sys.exit(main())
