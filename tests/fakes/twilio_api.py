"""A fake Twilio REST API on 127.0.0.1: accepts Messages.json posts and records them."""

import json
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeTwilio:
    """Start with `with FakeTwilio() as fake:`; queue behaviours with `fake.script.append(...)`.

    Each scripted behaviour is used for one request: ("ok",), ("status", 429), ("error", 400, 21610),
    ("slow", seconds). With nothing scripted, a request is accepted.
    """

    def __init__(self) -> None:
        self.accepted: list[dict[str, str]] = []
        self.requests = 0
        self.script: deque[tuple] = deque()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fake.requests += 1
                behaviour = fake.script.popleft() if fake.script else ("ok",)
                if behaviour[0] == "slow":
                    time.sleep(behaviour[1])
                    fake.accepted.append(form)  # Twilio took it, but the client gave up waiting
                    return self._json(201, self._message(form))
                if behaviour[0] == "status":
                    return self._json(behaviour[1], {"code": 20429, "message": "Too Many Requests", "status": 429})
                if behaviour[0] == "error":
                    return self._json(
                        behaviour[1], {"code": behaviour[2], "message": "refused", "status": behaviour[1]}
                    )
                fake.accepted.append(form)
                return self._json(201, self._message(form))

            def _message(self, form):
                return {
                    "sid": "SM" + uuid.uuid4().hex,
                    "status": "queued",
                    "to": form.get("To"),
                    "body": form.get("Body"),
                    "account_sid": "AC00000000000000000000000000000000",
                }

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FakeTwilio":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
