"""A target that cannot be used ends the run at once with one readable paragraph."""

import socket
import threading

import pytest

from .support.suite_runs import run_suite

EXIT_TARGET_UNUSABLE = 4


def assert_one_paragraph_about(url: str, output: str) -> None:
    assert f"the target {url} is not usable" in output, output
    assert "INTERNALERROR" not in output
    assert "Traceback" not in output
    # "N deselected" instead when tests whose option is missing were left out (level 5)
    assert "FAILED" not in output and ("no tests ran" in output or " deselected in " in output), (
        output
    )


def test_refused_connection_ends_the_run_quickly(tmp_path):
    url = "http://127.0.0.1:9/api"
    run = run_suite(f"--target-url={url}", tmp_path=tmp_path)
    assert run.returncode == EXIT_TARGET_UNUSABLE
    assert run.seconds < 10
    assert_one_paragraph_about(url, run.output)
    assert "Connection refused" in run.output or "ConnectError" in run.output


@pytest.fixture
def silent_listener():
    """A TCP port that accepts connections and never answers (not an HTTP server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []
    stop = threading.Event()

    def accept_forever():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/api"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_non_http_target_ends_the_run_within_the_timeout(tmp_path, silent_listener):
    run = run_suite(f"--target-url={silent_listener}", "--target-timeout=3", tmp_path=tmp_path)
    assert run.returncode == EXIT_TARGET_UNUSABLE
    assert run.seconds < 10
    assert_one_paragraph_about(silent_listener, run.output)


def test_wrong_base_url_names_the_status_it_got(tmp_path, reference_server):
    url = reference_server.url.removesuffix("/api")
    run = run_suite(f"--target-url={url}", tmp_path=tmp_path)
    assert run.returncode == EXIT_TARGET_UNUSABLE
    assert_one_paragraph_about(url, run.output)
    assert "answered 404" in run.output


def test_malformed_target_header_is_a_usage_error(tmp_path):
    run = run_suite("--target-header=no-colon-here", tmp_path=tmp_path)
    assert run.returncode == pytest.ExitCode.USAGE_ERROR
    assert "a --target-header has no ':' (it must look like 'Name: value'" in run.output
    assert "no-colon-here" not in run.output  # it may be a credential
