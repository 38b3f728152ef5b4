#!/usr/bin/env python3
"""Benchmark (not a test): alert -> first SMS handed to the modem, and alert ->
webhook received, over many alerts.

Starts the suite's fake modem (tests/modem/fake_modem.py) and a webhook
receiver of its own, points the notification options at them (psql on the
environment's PostgreSQL, database $BENCH_DB), starts its own argus-monitor
(environment inherited), then per round: arm, trip CH03 over IPC (the clock
starts when the trip is written), wait for the SMS at the modem and the POST
at the receiver, disarm, wait for the alert's end to be delivered too.
usage: notify_latency.py ARGUS_MONITOR ROUNDS
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import benchlib

monitor_bin, rounds = sys.argv[1], int(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
work = tempfile.mkdtemp(prefix="argus-notify-bench.")
events = []  # (monotonic time, source, what)
cv = threading.Condition()


def arrived(source, what):
    with cv:
        events.append((time.monotonic(), source, what))
        cv.notify_all()


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        arrived("webhook", body["event"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_):
        pass


hook = HTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=hook.serve_forever, daemon=True).start()

link = os.path.join(work, "modem")
modem = subprocess.Popen([sys.executable, os.path.join(here, "../modem/fake_modem.py"), "--link", link],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
modem.stdout.readline()


def read_modem():
    for line in modem.stdout:
        event = json.loads(line)
        if "sms" in event:
            arrived("sms", event["sms"]["text"].split("\n")[0])


threading.Thread(target=read_modem, daemon=True).start()

options = {
    ("notifications", "gsm"): {"enabled": True, "phone_number_1": "+36301112222"},
    ("notifications", "subscriptions"): {"sms1": {"alert_started": True}},
    ("notifications", "webhook"): {"enabled": True, "url": f"http://127.0.0.1:{hook.server_port}/hook", "secret": "b"},
}
benchlib.save_options(os.environ.get("BENCH_DB", "argus_bench"), options, ["notifications"])

monitor, ipc, replies = benchlib.start_monitor(monitor_bin, work, GSM_PORT=link)
seq = 0


def call(**request):
    global seq
    seq += 1
    ipc.sendall((json.dumps(dict(request, id=seq)) + "\n").encode())
    return json.loads(replies.readline())


def wait_for(source, what, since, timeout=30):
    deadline = time.monotonic() + timeout
    with cv:
        while True:
            for t, s, w in events:
                if t >= since and s == source and w.startswith(what):
                    return t
            left = deadline - time.monotonic()
            if left <= 0:
                raise SystemExit(f"no {source} {what} within {timeout} s (see {work}/monitor.log)")
            cv.wait(left)


sms, webhook = [], []
try:
    for i in range(rounds + 3):  # the first three warm up and are not counted
        call(action="monitor_arm_away", user_id=1, area_id=None, keypad_id=None, use_delay=False, force=False)
        start = time.monotonic()
        call(action="sim", sim="input", channel="CH03", level="active")
        t_sms = wait_for("sms", "Alarm", start)
        t_hook = wait_for("webhook", "alert_started", start)
        if i >= 3:
            sms.append((t_sms - start) * 1000)
            webhook.append((t_hook - start) * 1000)
        ended = time.monotonic()
        call(action="monitor_disarm", user_id=1, area_id=None, keypad_id=None)
        call(action="sim", sim="input", channel="CH03", level="idle")
        wait_for("webhook", "alert_stopped", ended)
finally:
    monitor.terminate()
    monitor.wait()
    modem.kill()


def pct(samples, p):
    samples = sorted(samples)
    return samples[round((len(samples) - 1) * p)]


for name, samples in (("alert -> SMS at the modem", sms), ("alert -> webhook received", webhook)):
    print(f"{name}, {len(samples)} alerts: p50 {pct(samples, 0.5):.1f} ms, p99 {pct(samples, 0.99):.1f} ms, "
          f"max {max(samples):.1f} ms")
