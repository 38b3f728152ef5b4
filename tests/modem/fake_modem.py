#!/usr/bin/env python3
"""A SIM900-like modem on a pseudo-terminal, for argus's tests.

Prints the terminal's path on its first line, then one JSON line per thing a
test may check ({"sms": ...}, {"call": ...}, {"delete": ...}). Answers the AT
commands argus uses: AT, ATE0, AT+CMEE, AT+CPIN (with an optional PIN),
AT+CMGF, AT+DDET, AT+CMGS (prompt, text ended by Ctrl-Z), AT+CMGL, AT+CMGD,
ATD, AT+CLCC, AT+VTS (the callee then presses "1", or what --dtmf says), ATH.

An incoming SMS from a control line on stdin such as
{"incoming": {"number": "+3630...", "text": "1234 ARM"}}; faults for the next N messages, from one such as
{"fault": "error", "times": 2}: "error" (ERROR), "no_network" (+CMS ERROR: 331),
"garbage" (noise instead of the prompt), "silence" (no answer at all) and
"close" (the terminal hangs up and a new one appears behind the same --link).

usage: fake_modem.py [--pin 1234] [--link PATH] [--dtmf NUMBER=DIGITS]...
"""
import json
import os
import pty
import select
import sys
import tty

args = sys.argv[1:]


def values(flag):
    return [args[i + 1] for i, a in enumerate(args) if a == flag and i + 1 < len(args)]


pin = (values("--pin") or [None])[0]
link = (values("--link") or [None])[0]
dtmf = dict(v.split("=", 1) for v in values("--dtmf"))
unlocked = pin is None
faults = []  # one entry per message still to fail
network = True  # registered, with a signal
charset = "IRA"  # AT+CSCS


def open_terminal():
    master, slave = pty.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    if link:
        tmp = link + ".new"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(path, tmp)
        os.replace(tmp, link)
        path = link
    return master, slave, path


master, slave, path = open_terminal()
print(path, flush=True)

stored = {
    1: ("+36301234567", "26/11/24,10:00:00+04", "Hello argus"),
    2: ("+36209876543", "26/11/24,11:30:15+04", "Second"),
}


def emit(obj):
    print(json.dumps(obj), flush=True)


def send(text):
    os.write(master, text.encode())


def control(line):
    try:
        order = json.loads(line)
    except ValueError:
        return
    if "fault" in order:
        faults.extend([order["fault"]] * int(order.get("times", 1)))
    if "network" in order:
        global network
        network = bool(order["network"])
    if "incoming" in order:
        idx = max(stored, default=0) + 1
        stored[idx] = (order["incoming"]["number"], "26/12/02,10:00:00+04", order["incoming"]["text"])


buf = b""
orders = b""  # control input not yet ended by a newline
composing = None  # number while reading an SMS body
calling = None
while True:
    ready, _, _ = select.select([master, 0], [], [])
    if 0 in ready:
        # Unbuffered: a buffered readline would hide the lines after the first from select.
        chunk = os.read(0, 4096)
        if not chunk:
            break
        orders += chunk
        while b"\n" in orders:
            line, orders = orders.split(b"\n", 1)
            control(line.decode(errors="replace"))
        continue
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
            text = body.decode(errors="replace")
            if charset == "UCS2":
                text = bytes.fromhex(text).decode("utf-16-be")
            emit({"sms": {"number": composing, "text": text}})
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
        elif cmd == "AT+CREG?":
            send("\r\n+CREG: 0,%d\r\n\r\nOK\r\n" % (1 if network else 2))
        elif cmd == "AT+CSQ":
            send("\r\n+CSQ: %s\r\n\r\nOK\r\n" % ("20,0" if network else "99,99"))
        elif cmd.startswith("AT+CMGS=") and faults:
            fault = faults.pop(0)
            emit({"fault": fault})
            if fault == "error":
                send("\r\nERROR\r\n")
            elif fault == "no_network":
                send("\r\n+CMS ERROR: 331\r\n")
            elif fault == "garbage":
                send("\r\n\x00\xff#!garbage\r\n+XYZ\r\nERROR\r\n")
            elif fault == "close":
                os.close(master)
                os.close(slave)
                master, slave, path = open_terminal()
                buf = b""
                break
            # "silence": no answer at all
        elif cmd.startswith("AT+CSCS="):
            charset = cmd.split("=", 1)[1].strip('"')
            send("\r\nOK\r\n")
        elif cmd.startswith("AT+CMGS="):
            composing = cmd.split("=", 1)[1].strip('"')
            if charset == "UCS2":
                composing = bytes.fromhex(composing).decode("utf-16-be")
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
            send("\r\nOK\r\n")
            pressed = dtmf.get(calling, "1")
            if pressed:
                send("".join(f"\r\n+DTMF: {d}\r\n" for d in pressed))
        elif cmd == "ATH":
            if calling:
                emit({"call": calling})
            calling = None
            send("\r\nOK\r\n")
        else:
            send("\r\nOK\r\n")
