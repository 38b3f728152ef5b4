#!/usr/bin/env python3
"""A SIM900-like modem on a pseudo-terminal, for argus's tests.

Prints the terminal's path on its first line, then one JSON line per thing a
test may check ({"sms": ...}, {"call": ...}, {"delete": ...}). Answers the AT
commands argus uses: AT, ATE0, AT+CMEE, AT+CPIN (with an optional PIN),
AT+CMGF, AT+DDET, AT+CMGS (prompt, text ended by Ctrl-Z), AT+CMGL, AT+CMGD,
ATD, AT+CLCC, AT+VTS (the callee then presses "1"), ATH.
usage: fake_modem.py [--pin 1234]
"""
import json
import os
import pty
import sys
import tty

pin = sys.argv[sys.argv.index("--pin") + 1] if "--pin" in sys.argv else None
unlocked = pin is None
master, slave = pty.openpty()
tty.setraw(slave)
print(os.ttyname(slave), flush=True)

stored = {
    1: ("+36301234567", "26/11/24,10:00:00+04", "Hello argus"),
    2: ("+36209876543", "26/11/24,11:30:15+04", "Second"),
}


def emit(obj):
    print(json.dumps(obj), flush=True)


def send(text):
    os.write(master, text.encode())


buf = b""
composing = None  # number while reading an SMS body
calling = None
while True:
    try:
        data = os.read(master, 1024)
    except OSError:
        break
    if not data:
        break
    buf += data
    while True:
        if composing is not None:
            if b"\x1a" not in buf:
                break
            body, buf = buf.split(b"\x1a", 1)
            emit({"sms": {"number": composing, "text": body.decode(errors="replace")}})
            composing = None
            send("\r\n+CMGS: 7\r\n\r\nOK\r\n")
            continue
        if b"\r" not in buf:
            break
        line, buf = buf.split(b"\r", 1)
        cmd = line.decode(errors="replace").strip()
        if not cmd:
            continue
        if cmd == "AT+CPIN?":
            send("\r\n+CPIN: READY\r\n\r\nOK\r\n" if unlocked else "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n")
        elif cmd.startswith("AT+CPIN="):
            if cmd.split("=", 1)[1].strip('"') == pin:
                unlocked = True
                send("\r\nOK\r\n")
            else:
                send("\r\n+CME ERROR: 16\r\n")
        elif not unlocked and cmd not in ("AT", "ATE0", "AT+CMEE=1"):
            send("\r\n+CME ERROR: 11\r\n")
        elif cmd.startswith("AT+CMGS="):
            composing = cmd.split("=", 1)[1].strip('"')
            send("\r\n> ")
        elif cmd.startswith("AT+CMGL"):
            out = "".join(
                f'\r\n+CMGL: {i},"REC READ","{n}","","{t}"\r\n{x}' for i, (n, t, x) in sorted(stored.items())
            )
            send(out + "\r\n\r\nOK\r\n")
        elif cmd.startswith("AT+CMGD="):
            idx = int(cmd.split("=", 1)[1])
            if stored.pop(idx, None) is None:
                send("\r\n+CMS ERROR: 321\r\n")
            else:
                emit({"delete": idx})
                send("\r\nOK\r\n")
        elif cmd.startswith("ATD"):
            calling = cmd[3:].rstrip(";")
            send("\r\nOK\r\n")
        elif cmd == "AT+CLCC":
            if calling:
                send(f'\r\n+CLCC: 1,0,0,0,0,"{calling}",145\r\n\r\nOK\r\n')
            else:
                send("\r\nOK\r\n")
        elif cmd.startswith("AT+VTS="):
            emit({"tone": cmd.split("=", 1)[1]})
            send("\r\nOK\r\n\r\n+DTMF: 1\r\n")
        elif cmd == "ATH":
            if calling:
                emit({"call": calling})
            calling = None
            send("\r\nOK\r\n")
        else:
            send("\r\nOK\r\n")
