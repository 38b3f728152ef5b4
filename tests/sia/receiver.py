#!/usr/bin/env python3
"""An alarm receiving centre for argus's tests: pysiaalarm's SIA DC-09 TCP server
(the library behind Home Assistant's SIA integration), unchanged.

Prints its port on the first line, then one JSON line per event it accepted
(answered ACK): account, code, ri (pysiaalarm's zone: argus's area), message
(after the code: argus's sensor or user number), sequence, encrypted, timestamp.
Messages it refuses (wrong account, bad CRC, stale timestamp) get pysiaalarm's
own NAK and are not printed.
usage: receiver.py --account 1234 [--key 16/24/32 hex characters]
"""
import json
import sys
import time

from pysiaalarm import SIAAccount, SIAClient

args = sys.argv[1:]
account = args[args.index("--account") + 1]
key = args[args.index("--key") + 1] if "--key" in args else None


def accepted(event):
    print(json.dumps({
        "account": event.account,
        "code": event.code,
        "ri": event.ri,
        "message": event.message,
        "sequence": event.sequence,
        "encrypted": event.encrypted,
        "timestamp": event.timestamp.isoformat() if event.timestamp else None,
    }), flush=True)


client = SIAClient("127.0.0.1", 0, [SIAAccount(account, key)], function=accepted)
client.start()
print(client.sia_server.server_address[1], flush=True)
while True:
    time.sleep(3600)
