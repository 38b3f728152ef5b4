// Connects to argus-monitor's Socket.IO and prints one JSON line per event:
// {"event": name, "args": [...]}; first "connected" or "connect_error".
// usage: node listen.mjs URL TOKEN REFERER [polling|websocket|both]
import { io } from "socket.io-client";

const [url, token, referer, transport = "both"] = process.argv.slice(2);
const transports = transport === "both" ? ["polling", "websocket"] : [transport];
const socket = io(url, {
  path: "/socket.io/",
  query: token ? { token } : {},
  transports,
  upgrade: transport === "both",
  reconnection: false,
  extraHeaders: referer ? { Referer: referer } : {},
});
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
socket.on("connect", () => out({ event: "connected", args: [socket.io.engine.transport.name] }));
socket.on("connect_error", (e) => {
  out({ event: "connect_error", args: [String(e && e.message)] });
  process.exit(0);
});
socket.onAny((event, ...args) => out({ event, args }));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
