#!/usr/bin/env python3
"""Benchmark (not a test): telemetry into PostgreSQL.

Starts a private Redis and mosquitto on free ports, points telemetry/redis and
the MQTT broker options at them (psql, database $BENCH_DB), starts its own
argus-monitor, then:
- sustained rate: publishes N readings (100 sensors, distinct timestamps) as
  fast as the client can, from Redis (redis-py, pipelined PUBLISH) and then
  from MQTT (paho-mqtt, QoS 0), and times until the monitor has stored them
  all (its `telemetry_get_status` counters; shed readings are reported);
- latency: per round one reading with a new value, published on Redis or
  MQTT, until its latest value arrives on argus/telemetry/<sensor>/state
  (published after the batch holding it committed).
usage: telemetry.py ARGUS_MONITOR READINGS ROUNDS
"""
import datetime
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

import paho.mqtt.client as mqtt
import redis

import benchlib

monitor_bin, total, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
work = tempfile.mkdtemp(prefix="argus-telemetry-bench.")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


redis_port, mqtt_port = free_port(), free_port()
redis_server = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
conf = os.path.join(work, "mosquitto.conf")
with open(conf, "w") as f:
    f.write(f"listener {mqtt_port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\nset_tcp_nodelay true\n")
broker = subprocess.Popen(["/usr/sbin/mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
db = os.environ.get("BENCH_DB", "argus_bench")
subprocess.run(["psql", "-q", "-d", db, "-c",
                "TRUNCATE argus_telemetry_reading, argus_telemetry_latest, argus_telemetry_hourly"], check=True)
benchlib.save_options(db, {
    ("mqtt", "connection"): {"enabled": True, "external": True},
    ("mqtt", "external_publish"): {"hostname": "127.0.0.1", "port": mqtt_port, "tls_enabled": False},
    ("telemetry", "redis"): {"enabled": True, "url": f"redis://127.0.0.1:{redis_port}", "channel": "sensor_stream"},
}, ["mqtt", "notifications", "telemetry"])

monitor, ipc, replies = benchlib.start_monitor(monitor_bin, work)
calls = 0


def status():
    global calls
    calls += 1
    ipc.sendall((json.dumps({"id": calls, "action": "telemetry_get_status"}) + "\n").encode())
    return json.loads(replies.readline())["value"]


for _ in range(300):
    if status()["redis_connected"]:
        break
    time.sleep(0.05)
else:
    raise SystemExit(f"the monitor did not subscribe to Redis (see {work}/monitor.log)")

got = {}
cv = threading.Condition()


def on_message(client, userdata, msg):
    with cv:
        got[json.loads(msg.payload)["value"]] = time.monotonic()
        cv.notify_all()


sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-subscriber")
sub.on_message = on_message
sub.connect("127.0.0.1", mqtt_port)
sub.subscribe("argus/telemetry/latency/state", qos=0)
sub.loop_start()
pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-publisher")
pub.max_queued_messages_set(0)
pub.connect("127.0.0.1", mqtt_port)
pub.loop_start()
r = redis.Redis(port=redis_port)
base = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)


def stamp(i):
    return (base + datetime.timedelta(microseconds=i * 10)).isoformat()


def until_stored(n, timeout=300):
    deadline = time.monotonic() + timeout
    while True:
        s = status()
        done = s["stored"] + s["redis"]["shed"] + s["mqtt"]["shed"]
        if done >= n:
            return s
        if time.monotonic() > deadline:
            raise SystemExit(f"only {s['stored']} of {n} stored after {timeout} s: {s}")
        time.sleep(0.02)


def rate(name, publish, offset):
    start = time.monotonic()
    publish(offset)
    sent = time.monotonic() - start
    s = until_stored(offset + total)
    elapsed = time.monotonic() - start
    shed = s["redis"]["shed"] + s["mqtt"]["shed"]
    print(f"{name:<6} {total} readings: published in {sent:.2f} s, all stored after {elapsed:.2f} s = "
          f"{total / elapsed:,.0f} readings/s into PostgreSQL (shed so far {shed})")


def from_redis(offset):
    pipe = r.pipeline(transaction=False)
    for i in range(offset, offset + total):
        pipe.publish("sensor_stream", json.dumps({"sensor": f"s{i % 100}", "value": i % 50, "timestamp": stamp(i)}))
        if i % 1000 == 999:
            pipe.execute()
    pipe.execute()


def from_mqtt(offset):
    for i in range(offset, offset + total):
        pub.publish(f"argus/telemetry/m{i % 100}", json.dumps({"value": i % 50, "timestamp": stamp(i)}), qos=0)


def latency(name, send):
    samples = []
    for k in range(rounds):
        value = float(len(got) + 1)
        start = time.monotonic()
        send(value)
        deadline = start + 10
        with cv:
            while value not in got:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SystemExit(f"no latest value {value} within 10 s (see {work}/monitor.log)")
                cv.wait(left)
            samples.append((got[value] - start) * 1000)
    samples.sort()
    pct = lambda p: samples[round((len(samples) - 1) * p)]
    print(f"{name:<6} publish -> latest value stored and published, {len(samples)} readings: "
          f"p50 {pct(0.5):.2f} ms, p99 {pct(0.99):.2f} ms, max {samples[-1]:.2f} ms")


try:
    rate("redis", from_redis, 0)
    rate("mqtt", from_mqtt, total)
    # The flood used this second's budget of live updates (200 a second): start the rounds after it.
    time.sleep(1.1)
    now = lambda: datetime.datetime.now(datetime.timezone.utc).isoformat()
    latency("redis", lambda v: r.publish("sensor_stream", json.dumps({"sensor": "latency", "value": v, "timestamp": now()})))
    latency("mqtt", lambda v: pub.publish("argus/telemetry/latency", json.dumps({"value": v, "timestamp": now()})))
    rss = open(f"/proc/{monitor.pid}/status").read().split("VmRSS:")[1].split("\n")[0].strip()
    print(f"argus-monitor RSS after the telemetry runs {rss}")
finally:
    monitor.terminate()
    monitor.wait()
    broker.kill()
    redis_server.kill()
