#!/usr/bin/env python3
"""Rock7's MT endpoint as its documentation describes it, for argus's tests.

Takes form POSTs of imei, username, password and data (hex); answers
"OK,<id>", "FAILED,10,Invalid login credentials" for another password, or
"FAILED,99,System error" for the first --fail N messages. Prints its port on
the first line, then one JSON line per message: {"imei", "username", "text"}.
usage: mt_server.py --password PASSWORD [--fail N]
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

args = sys.argv[1:]
password = args[args.index("--password") + 1]
failures = int(args[args.index("--fail") + 1]) if "--fail" in args else 0
sent = 0


class Mt(BaseHTTPRequestHandler):
    def do_POST(self):
        global failures, sent
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        if form.get("password") != password:
            answer = "FAILED,10,Invalid login credentials"
        elif failures > 0:
            failures -= 1
            answer = "FAILED,99,System error"
        else:
            sent += 1
            answer = f"OK,{1000 + sent}"
            print(json.dumps({
                "imei": form.get("imei"),
                "username": form.get("username"),
                "text": bytes.fromhex(form.get("data", "")).decode(),
            }), flush=True)
        body = answer.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


server = HTTPServer(("127.0.0.1", 0), Mt)
print(server.server_address[1], flush=True)
server.serve_forever()
