#!/usr/bin/env python3
"""Home Assistant's side of MQTT for argus's tests, on paho-mqtt: subscribes to
the discovery prefix and argus's topics and prints one JSON line per message
{"topic", "payload", "retain"}; publishes what its control input asks, one
JSON line each: {"topic", "payload", "retain"}.
Prints "ready" once subscribed.
usage: ha.py PORT [PREFIX]
"""
import json
import os
import sys
import threading

import paho.mqtt.client as mqtt

port = int(sys.argv[1])
prefix = sys.argv[2] if len(sys.argv) > 2 else "homeassistant"
ready = threading.Event()


def on_connect(client, userdata, flags, reason, properties):
    client.subscribe([(f"{prefix}/#", 1), ("argus/#", 1), ("arpi/#", 1)])


def on_subscribe(client, userdata, mid, reasons, properties):
    ready.set()


def on_message(client, userdata, msg):
    print(json.dumps({
        "topic": msg.topic,
        "payload": msg.payload.decode("utf8", errors="replace"),
        "retain": bool(msg.retain),
    }), flush=True)


client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"home-assistant-{os.getpid()}")
client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.connect("127.0.0.1", port)
client.loop_start()
ready.wait(30)
print("ready", flush=True)
for line in sys.stdin:
    order = json.loads(line)
    client.publish(order["topic"], order["payload"], qos=1, retain=bool(order.get("retain"))).wait_for_publish()
