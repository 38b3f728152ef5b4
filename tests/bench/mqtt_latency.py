#!/usr/bin/env python3
"""Benchmark (not a test): engine state change -> MQTT state message at a
subscriber (paho-mqtt), through a private mosquitto.

Starts mosquitto on a free port, points mqtt/connection and
mqtt/external_publish at it (psql, database $BENCH_DB), starts its own
argus-monitor, subscribes to the binary sensor of the sensor on CH03, then
per round writes `sim input CH03 active|idle` over IPC (the clock starts at
the write) and waits for ON / OFF.
usage: mqtt_latency.py ARGUS_MONITOR ROUNDS
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

import paho.mqtt.client as mqtt

import benchlib

monitor_bin, rounds = sys.argv[1], int(sys.argv[2])
work = tempfile.mkdtemp(prefix="argus-mqtt-bench.")
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
conf = os.path.join(work, "mosquitto.conf")
with open(conf, "w") as f:
    f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
broker = subprocess.Popen(["/usr/sbin/mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
db = os.environ.get("BENCH_DB", "argus_bench")
psql = ["psql", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", db]
options = {
    ("mqtt", "connection"): {"enabled": True, "external": True},
    ("mqtt", "external_publish"): {"hostname": "127.0.0.1", "port": port, "tls_enabled": False},
}
benchlib.save_options(db, options, ["mqtt", "notifications"])
sensor = subprocess.run(psql + ["-c", "SELECT id FROM sensor WHERE channel = 2 AND NOT deleted ORDER BY id LIMIT 1"],
                        capture_output=True, text=True, check=True).stdout.strip()
topic = f"argus/sensor/{sensor}/state"

got = []
cv = threading.Condition()


def on_message(client, userdata, msg):
    with cv:
        got.append((time.monotonic(), msg.payload.decode()))
        cv.notify_all()


sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-subscriber")
sub.on_message = on_message
for _ in range(100):
    try:
        sub.connect("127.0.0.1", port)
        break
    except OSError:
        time.sleep(0.05)
sub.subscribe(topic, qos=1)
sub.loop_start()

monitor, ipc, replies = benchlib.start_monitor(monitor_bin, work)


def wait_for(payload, since, timeout=10):
    deadline = time.monotonic() + timeout
    with cv:
        while True:
            for t, p in got:
                if t >= since and p == payload:
                    return t
            left = deadline - time.monotonic()
            if left <= 0:
                raise SystemExit(f"no {payload} on {topic} within {timeout} s (see {work}/monitor.log)")
            cv.wait(left)


wait_for("OFF", 0, timeout=30)  # connected and announced
samples = []
try:
    for i in range(rounds):
        for level, expect in (("active", "ON"), ("idle", "OFF")):
            start = time.monotonic()
            ipc.sendall((json.dumps({"id": i, "action": "sim", "sim": "input", "channel": "CH03", "level": level}) + "\n").encode())
            replies.readline()
            samples.append((wait_for(expect, start) - start) * 1000)
finally:
    monitor.terminate()
    monitor.wait()
    broker.kill()

samples.sort()
pct = lambda p: samples[round((len(samples) - 1) * p)]
print(f"sensor change -> MQTT state at a subscriber, {len(samples)} changes: p50 {pct(0.5):.2f} ms, "
      f"p99 {pct(0.99):.2f} ms, max {samples[-1]:.2f} ms")
