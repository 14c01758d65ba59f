"""A small HTTP server of the suite's own, on a loopback address by default, that serves the
JSON documents remote definitions point at (the target fetches them from it)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class DefinitionServer:
    """Serves registered documents by path; anything else answers 404."""

    def __init__(self, host: str) -> None:
        self.documents: dict[str, tuple[int, str, bytes]] = {}
        documents = self.documents

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                status, content_type, body = documents.get(
                    self.path, (404, "text/plain", b"no such document")
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self.host = host
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def serve(self, path: str, body: bytes, content_type: str = "application/json") -> str:
        """Serve ``body`` at ``path``; the URL the target fetches it from."""
        self.documents[path] = (200, content_type, body)
        return self.url(path)

    def url(self, path: str) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.server_address[1]}{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
