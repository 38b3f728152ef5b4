#!/usr/bin/env python3
"""An SMTP server for argus's tests and scripts/dev.sh: aiosmtpd, accepting every
message, with AUTH (PLAIN/LOGIN) checked against --user/--password when given.

Prints its port on the first line, then one JSON line per message:
{"from", "to" (recipients), "data" (the message as sent), "login" (the user
who authenticated, or null)}.
usage: sink.py [--port 2525] [--user U --password P]
"""
import json
import socket
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

args = sys.argv[1:]


def arg(flag, default=None):
    return args[args.index(flag) + 1] if flag in args else default


port = int(arg("--port", "0"))
if port == 0:
    # aiosmtpd checks its own port by connecting to it, so it needs a real one.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
user, password = arg("--user"), arg("--password")


class Sink:
    async def handle_DATA(self, server, session, envelope):
        print(json.dumps({
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "data": envelope.content.decode("utf8", errors="replace"),
            "login": session.auth_data if session.authenticated else None,
        }), flush=True)
        return "250 OK"


def check(server, session, envelope, mechanism, auth_data):
    login = auth_data.login.decode()
    ok = user is not None and login == user and auth_data.password.decode() == password
    return AuthResult(success=ok, auth_data=login if ok else None)


kwargs = {"auth_require_tls": False}
if user is not None:
    kwargs.update(authenticator=check, auth_required=True)
controller = Controller(Sink(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
print(port, flush=True)
while True:
    time.sleep(3600)
