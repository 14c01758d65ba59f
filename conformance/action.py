"""The run step of the GitHub Action (``action.yml``): ``python -m conformance.action``, run
with the Python of the action's own virtualenv.

It reads the action's inputs from ``INPUT_*`` variables (action.yml maps each input to one),
runs the suite against the target with pytest, appends the Markdown summary to
``$GITHUB_STEP_SUMMARY``, writes the outputs (``verdict``, ``level``, ``report``,
``report-dir``, ``artifact-name``, ``exit-code``) to ``$GITHUB_OUTPUT``, and exits with pytest's
exit code. The command it prints shows no credential.

The suite runs apart from the caller's pytest configuration: pytest starts in a folder of its
own with an empty ini file of its own (no ``conftest.py``, ``pyproject.toml``, ``pytest.ini``,
``tox.ini`` or ``setup.cfg`` of the workspace applies), without ``PYTEST_ADDOPTS``,
``PYTEST_PLUGINS`` and ``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` (options go in ``extra-args``), and
without pytest's cache. Paths in the inputs are the workspace's: the expect-fail files, and a
relative path given in ``extra-args`` to an option that takes one.

A cancelled job: the runner signals the step's process only (SIGINT, then SIGTERM 7.5 s later),
which is this one (the step ``exec``s it). The first is passed on to pytest as SIGTERM, the
suite's signal to stop and clean up (``conformance/stopping.py``; a pytest-xdist controller
passes it on to its workers): the run deletes what it created and ends as interrupted, and the
outputs are written as for any run; a later signal ends neither pytest nor this process.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

REPORT_NAME = "conformance.json"
JUNIT_NAME = "junit.xml"
# what a caller's environment would add to the suite's pytest
CALLERS_PYTEST_VARIABLES = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
PASSED_ON = (signal.SIGINT, signal.SIGTERM)
SECRET_OPTION_WORDS = ("password", "token", "secret", "credential")


def lines(value: str) -> list[str]:
    """The non-empty lines of a multi-line input."""
    return [line.strip() for line in value.splitlines() if line.strip()]


def suite_arguments(
    inputs: Mapping[str, str], report_dir: Path, workspace: Path | None = None
) -> list[str]:
    """pytest's arguments for the inputs (``INPUT_TARGET_URL`` and the others); relative paths
    are the workspace's (default: the current folder)."""
    workspace = workspace or Path.cwd()
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
        arguments.append(f"--blocks-expect-fail={anchored(path, workspace)}")
    for header in lines(inputs.get("INPUT_HEADERS", "")):
        arguments.append(f"--target-header={header}")
    extra = shlex.split(inputs.get("INPUT_EXTRA_ARGS", ""))
    return arguments + from_the_workspace(extra, workspace, path_options())


def path_options() -> set[str]:
    """The suite's options that take a path (their metavar says FILE or PATH), the profiles'
    own included, and pytest's --junitxml."""
    from .options import GENERAL_OPTIONS, add_option_arguments
    from .plugin import installed_packages

    found = {"--junitxml", "--junit-xml"}
    found |= {name for name, spec in GENERAL_OPTIONS if takes_a_path(spec)}

    def add(option: str, **spec: object) -> None:
        if takes_a_path(spec):
            found.add(option)

    for name, package in installed_packages().items():
        add_option_arguments(add, name, package)
    return found


def takes_a_path(spec: Mapping[str, object]) -> bool:
    metavar = str(spec.get("metavar", ""))
    return "FILE" in metavar or "PATH" in metavar


def from_the_workspace(arguments: list[str], workspace: Path, options: set[str]) -> list[str]:
    """``extra-args`` as the caller means them: a relative path given to an option that takes
    one (``--opt=PATH`` or ``--opt PATH``) is taken from the workspace."""
    resolved: list[str] = []
    takes_the_next = False
    for argument in arguments:
        if takes_the_next:
            resolved.append(anchored(argument, workspace))
            takes_the_next = False
            continue
        name, equals, value = argument.partition("=")
        if name in options and equals:
            resolved.append(f"{name}={anchored(value, workspace)}")
        else:
            resolved.append(argument)
            takes_the_next = name in options and not equals
    return resolved


def anchored(value: str, workspace: Path) -> str:
    """A relative path taken from the workspace; a URL, ``:memory:``, an absolute path and a
    command found on PATH (``python3``) as given."""
    if not value or "://" in value or value.startswith(":") or Path(value).is_absolute():
        return value
    if os.sep not in value and shutil.which(value):
        return value
    return str(workspace / value)


def isolated(folder: Path) -> list[str]:
    """pytest's arguments that keep a caller's configuration out: an empty ini file of its own,
    its folder as rootdir, and no cache (the run starts in that folder)."""
    ini = folder / "pytest.ini"
    ini.write_text("[pytest]\n")
    return ["-c", str(ini), f"--rootdir={folder}", "-p", "no:cacheprovider"]


def shown_command(arguments: list[str]) -> str:
    """The command as printed: header values and the values of options named for secrets left
    out (GitHub masks the secrets it knows, not values built from them)."""
    shown: list[str] = []
    hides_the_next = False
    for argument in arguments:
        name, equals, value = argument.partition("=")
        if hides_the_next:
            shown.append("<redacted>")
        elif name == "--target-header" and equals and ":" in value:
            shown.append(f"{name}={value.split(':', 1)[0]}: <redacted>")
        elif equals and (name == "--target-header" or secret_option(name)):
            shown.append(f"{name}=<redacted>")
        else:
            shown.append(argument)
        hides_the_next = not equals and (name == "--target-header" or secret_option(name))
    return shlex.join(["pytest", *shown])


def secret_option(name: str) -> bool:
    return name.startswith("--") and any(word in name for word in SECRET_OPTION_WORDS)


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


def suite_environment(environ: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in environ.items() if k not in CALLERS_PYTEST_VARIABLES}


@contextlib.contextmanager
def signals_passed_on(process: list[subprocess.Popen], for_good: bool = False) -> Iterator[None]:
    """While the step runs: the first SIGINT or SIGTERM goes on to pytest (``process``, once
    started) as SIGTERM, and none ends this process; so a signal that comes once pytest is done (a
    cancelled job's SIGTERM, 7.5 s after its SIGINT) leaves the outputs still written.
    ``for_good``: the handler stays to the end of the process (the action's own process, whose
    exit code a late signal would otherwise make 143)."""

    passed: list[int] = []

    def pass_on(signum: int, frame: object) -> None:
        # once: the run is stopping then, and a second SIGTERM could end pytest while it exits
        for started in process:
            if not passed and started.poll() is None:
                passed.append(signum)
                with contextlib.suppress(ProcessLookupError):
                    started.send_signal(signal.SIGTERM)

    previous = {signum: signal.signal(signum, pass_on) for signum in PASSED_ON}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            if not for_good:
                signal.signal(signum, handler)


def run_suite(
    command: list[str], folder: Path, environ: Mapping[str, str], process: list[subprocess.Popen]
) -> int:
    """Run ``command`` in ``folder``, in a session of its own (a terminal's Ctrl-C reaches it
    once, through here); its exit code (128 + N when signal N ended it)."""
    process.append(subprocess.Popen(command, cwd=folder, env=dict(environ), start_new_session=True))
    code = process[-1].wait()
    return code if code >= 0 else 128 - code


def outputs_of(report_dir: Path, code: int, environ: Mapping[str, str]) -> dict[str, str]:
    report_path = report_dir / REPORT_NAME
    report = json.loads(report_path.read_text()) if report_path.is_file() else {}
    return {
        "verdict": report.get("verdict", f"no report (pytest exited with {code})"),
        "level": str(report.get("conformant_level") or 0),
        "report": str(report_path) if report else "",
        "report-dir": str(report_dir),
        "artifact-name": artifact_name(environ),
        "exit-code": str(code),
    }


def main(environ: Mapping[str, str] | None = None, own_process: bool = False) -> int:
    """The run step (``own_process``: as the step's process, which the runner signals)."""
    environ = os.environ if environ is None else environ
    temp = Path(environ.get("RUNNER_TEMP") or tempfile.gettempdir())
    report_dir = Path(environ.get("INPUT_REPORT_DIR") or temp / "blocks-conformance")
    report_dir.mkdir(parents=True, exist_ok=True)
    workspace = Path(environ.get("GITHUB_WORKSPACE") or Path.cwd())
    arguments = suite_arguments(environ, report_dir, workspace)
    print(shown_command(arguments), flush=True)
    process: list[subprocess.Popen] = []
    with signals_passed_on(process, for_good=own_process):
        with tempfile.TemporaryDirectory(prefix="blocks-conformance-run-", dir=temp) as folder:
            command = [sys.executable, "-m", "pytest", *isolated(Path(folder)), *arguments]
            code = run_suite(command, Path(folder), suite_environment(environ), process)
        write_outputs(environ.get("GITHUB_OUTPUT"), outputs_of(report_dir, code, environ))
        if step_summary := environ.get("GITHUB_STEP_SUMMARY"):
            with open(step_summary, "a") as handle:
                handle.write(summary(report_dir, code))
    return code


if __name__ == "__main__":
    sys.exit(main(own_process=True))
