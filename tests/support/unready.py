"""Servers that are not ready to be tested, as a first run meets them: one that answers every
request with the same answer (401 on every path, or a single-page app's HTML page), on a free
loopback port, in a thread of the test's process."""

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>My app</title></head><body><div id=app></div></html>"
)
UNAUTHORIZED = b'{"exception_message": "Unauthorized"}'


def same_answer(status: int, content_type: str, body: bytes) -> type[BaseHTTPRequestHandler]:
    """A handler that answers every method on every path with one answer."""

    class SameAnswer(BaseHTTPRequestHandler):
        def answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = answer

        def log_message(self, format: str, *args) -> None:  # quiet
            pass

    return SameAnswer


@contextmanager
def serving(status: int, content_type: str, body: bytes) -> Iterator[str]:
    """A server giving the one answer; yields its root URL (no path)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), same_answer(status, content_type, body))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def unauthorized_everywhere() -> AbstractContextManager[str]:
    """401 on every path, the health route too (a proxy in front of the whole server)."""
    return serving(401, "application/json", UNAUTHORIZED)


def html_catch_all() -> AbstractContextManager[str]:
    """200 with the same HTML page on every path (a single-page app's catch-all route, or the
    wrong port behind a proxy)."""
    return serving(200, "text/html; charset=utf-8", HTML_PAGE)
