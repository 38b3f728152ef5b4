#!/usr/bin/env python3
"""A remote node on argus's WebSocket (/nodes), on the `websockets` library.

Connects to URL with the token as a Bearer header and prints "ready" (or
{"refused": status}); then prints every message it receives as one JSON line,
sends each JSON line read from standard input, and prints {"closed": code}
when the server closes the connection. For wss:// URLs, CA_FILE is the
certificate authority trusted.
usage: ws_node.py URL TOKEN [CA_FILE]
"""
import asyncio
import json
import ssl
import sys

import websockets


async def main(url, token, ca=None):
    tls = ssl.create_default_context(cafile=ca) if ca else None
    try:
        ws = await websockets.connect(
            url, additional_headers={"Authorization": f"Bearer {token}"}, ssl=tls
        )
    except websockets.exceptions.InvalidStatus as e:
        print(json.dumps({"refused": e.response.status_code}), flush=True)
        return
    print("ready", flush=True)
    loop = asyncio.get_running_loop()

    async def outgoing():
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            await ws.send(line.strip())

    async def incoming():
        try:
            async for message in ws:
                print(message, flush=True)
        except websockets.exceptions.ConnectionClosed:
            pass
        print(json.dumps({"closed": ws.close_code}), flush=True)

    sender = asyncio.create_task(outgoing())
    await incoming()
    sender.cancel()


asyncio.run(main(*sys.argv[1:4]))
