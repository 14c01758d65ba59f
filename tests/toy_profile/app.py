"""The toy profile's reference app: notes under /toy, in memory, on the standard library.

``python app.py --port P [--keep-deleted]``; ``--keep-deleted`` is its broken variant (DELETE
answers 204 and forgets nothing)."""

import argparse
import json
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

BASE = "/toy"
NOTES: dict[str, dict] = {}
KEEP_DELETED = False


class Handler(BaseHTTPRequestHandler):
    def answer(self, status: int, body=None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def route(self) -> tuple[str, dict]:
        parts = urlsplit(self.path)
        return parts.path.removeprefix(BASE), parse_qs(parts.query)

    def do_GET(self) -> None:
        path, query = self.route()
        if path == "/ping":
            return self.answer(200, "pong")
        if path == "/notes":
            prefix = query.get("prefix", [""])[0]
            return self.answer(200, [n for n in NOTES.values() if n["text"].startswith(prefix)])
        note = NOTES.get(path.removeprefix("/notes/"))
        return self.answer(200, note) if note else self.answer(404, {"error": "no such note"})

    def do_POST(self) -> None:
        path, _ = self.route()
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        if path != "/notes" or not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return self.answer(400, {"error": "a note needs a text"})
        note = {"id": str(uuid.uuid4()), "text": body["text"]}
        NOTES[note["id"]] = note
        return self.answer(201, note)

    def do_DELETE(self) -> None:
        path, _ = self.route()
        note_id = path.removeprefix("/notes/")
        if note_id not in NOTES:
            return self.answer(404, {"error": "no such note"})
        if not KEEP_DELETED:
            del NOTES[note_id]
        return self.answer(204)

    def log_message(self, *args) -> None:
        pass


def main() -> None:
    global KEEP_DELETED
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--keep-deleted", action="store_true")
    args = parser.parse_args()
    KEEP_DELETED = args.keep_deleted
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
