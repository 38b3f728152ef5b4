#!/usr/bin/env python3
"""An HTTP receiver for argus's webhook tests, on Python's own http.server and hmac.

Prints its port on the first line, then one JSON line per POST:
{"path", "key" (Idempotency-Key), "valid" (the X-Argus-Signature checked with
--secret), "body" (parsed JSON)}. The first --fail N requests are answered 503.
usage: receiver.py --secret SECRET [--fail N]
"""
import hashlib
import hmac
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

args = sys.argv[1:]
secret = args[args.index("--secret") + 1].encode() if "--secret" in args else b""
failures = int(args[args.index("--fail") + 1]) if "--fail" in args else 0


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        global failures
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if failures > 0:
            failures -= 1
            print(json.dumps({"refused": self.path}), flush=True)
            self.send_response(503)
            self.end_headers()
            return
        expected = "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()
        given = self.headers.get("X-Argus-Signature", "")
        print(json.dumps({
            "path": self.path,
            "key": self.headers.get("Idempotency-Key"),
            "valid": hmac.compare_digest(expected, given),
            "body": json.loads(raw),
        }), flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_):
        pass


server = HTTPServer(("127.0.0.1", 0), Hook)
print(server.server_address[1], flush=True)
server.serve_forever()
