"""What the benchmark scripts share: saving option sections with psql and
starting a monitor of their own with its IPC connection."""
import json
import os
import socket
import subprocess
import time


def save_options(db, options, replace):
    """Stores {(name, section): value}, first deleting every option named in `replace`."""
    sql = "".join(f"DELETE FROM option WHERE name = '{n}';\n" for n in replace) + "".join(
        f"INSERT INTO option (name, section, value) VALUES ('{n}', '{s}', '{json.dumps(v)}');\n"
        for (n, s), v in options.items())
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", db], input=sql, text=True, check=True)


def start_monitor(binary, work, **env):
    """An argus-monitor (environment inherited, plus `env`) in `work`; the
    process, its IPC socket and a reader of the replies."""
    sock_path = os.path.join(work, "ipc.sock")
    env = dict(os.environ, MONITOR_INPUT_SOCKET=sock_path, ARGUS_STATE_DIR=os.path.join(work, "state"),
               ARGUS_LIVE_BIND="127.0.0.1:0", RUST_LOG="warn", **env)
    monitor = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL,
                               stderr=open(os.path.join(work, "monitor.log"), "w"))
    for _ in range(200):
        if os.path.exists(sock_path):
            break
        time.sleep(0.05)
    ipc = socket.socket(socket.AF_UNIX)
    ipc.connect(sock_path)
    return monitor, ipc, ipc.makefile("r")
