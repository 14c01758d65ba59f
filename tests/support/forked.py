"""Suite runs and reference servers for the project's own tests, forked from one process that
has already imported pytest, the suite, the reference server and the libraries they use.

The project's tests start hundreds of suite runs and servers (one of each per broken variant);
as separate ``python`` processes each would pay for Python's start-up and a few seconds of
imports. Forked from a warm process (``multiprocessing``'s forkserver with these modules
preloaded), a run costs its own tests. Every run and server is still a process of its own, so
a variant's patches and a run's state never leak into the next.
"""

import multiprocessing
import os
import signal
import sys
from pathlib import Path


def suite_modules() -> list[str]:
    """Every installed profile's suite: its profile object, conftest and test modules (found
    from the list of profiles, so a new profile is preloaded without a change here)."""
    from conformance.plugin import installed_packages, package_dir

    modules = []
    for package in installed_packages().values():
        folder = package_dir(package)
        tests = sorted(path.stem for path in folder.glob("test_*.py")) if folder else []
        modules += [f"{package}.profile", f"{package}.conftest"]
        modules += [f"{package}.{test}" for test in tests]
    return modules


PRELOAD = [
    "pytest",
    "hypothesis",
    "schemathesis",
    "jsonschema",
    "httpx",
    "conformance.plugin",
    "conformance.session",
    "conformance.fixtures",
    *suite_modules(),
    # The reference server's own modules are left out on purpose: a broken variant patches
    # some of them (its models, say) before the modules that use them are imported.
    "fastapi",
    "pydantic",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "cryptography.fernet",
    "tests.variants",
    "tests.support.forked_warmup",  # last: it freezes what the modules above created
]

_context: list = []


def context():
    """The forkserver context, its server started (once) with the modules above imported."""
    if not _context:
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(PRELOAD)
        _context.append(forkserver)
    return _context[0]


def _pytest_main(argv: list[str], cwd: str, env: dict, output: str) -> None:
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    import pytest

    code = 1
    try:
        code = int(pytest.main(argv))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run_pytest(argv: list[str], cwd: Path, output: Path, timeout: float) -> int:
    """``pytest ARGV`` in a forked process (its output to ``output``); the exit code.

    Plain asserts: the preloaded modules cannot be rewritten any more (pytest would warn about
    each), and the suite asserts through its own checks, not bare ``assert`` statements."""
    argv = ["--assert=plain", *argv]
    process = context().Process(
        target=_pytest_main, args=(argv, str(cwd), dict(os.environ), str(output))
    )
    process.start()
    process.join(timeout)
    if process.exitcode is None:
        process.kill()
        process.join()
        raise TimeoutError(f"pytest {' '.join(argv)} ran over {timeout} s")
    return process.exitcode


def _serve_variant(name: str, server_args: list[str], log: str, cwd: str) -> None:
    os.chdir(cwd)
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    from tests.variants import serve

    serve(name, server_args)


class ForkedServer:
    """A broken variant of the reference server (``name``, or None for the unbroken one),
    forked, with the same start and stop as a server process."""

    def __init__(self, name: str | None, server_args: list[str], log: Path, cwd: Path) -> None:
        target, args = (_serve_variant, (name, server_args, str(log), str(cwd)))
        if name is None:
            target, args = (_serve_reference, (server_args, str(log), str(cwd)))
        self.process = context().Process(target=target, args=args)
        self.process.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def poll(self) -> int | None:
        return self.process.exitcode

    def terminate(self) -> None:
        if self.process.exitcode is None:
            os.kill(self.process.pid, signal.SIGTERM)

    def kill(self) -> None:
        if self.process.exitcode is None:
            self.process.kill()

    def wait(self, timeout: float | None = None) -> int | None:
        self.process.join(timeout)
        if self.process.exitcode is None and timeout is not None:
            raise TimeoutError(f"the server did not stop within {timeout} s")
        return self.process.exitcode


def _serve_reference(server_args: list[str], log: str, cwd: str) -> None:
    os.chdir(cwd)
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    from reference_server.__main__ import main

    main(server_args)
