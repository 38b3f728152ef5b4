// Benchmark (not a test): simulated sensor change -> Socket.IO event at a client.
// Sends `sim input` over the monitor's IPC socket and times until the client
// receives the resulting `sensors_state_change`.
// usage: node latency.mjs LIVE_URL TOKEN REFERER IPC_SOCKET CHANNEL ROUNDS
import { io } from "socket.io-client";
import net from "node:net";

const [url, token, referer, ipcPath, channel = "CH03", rounds = "500"] = process.argv.slice(2);
const socket = io(url, { query: { token }, transports: ["websocket"], extraHeaders: { Referer: referer }, reconnection: false });
const ipc = net.createConnection(ipcPath);
socket.on("connect_error", (e) => {
  console.error(`connect_error: ${e && e.message}`);
  process.exit(2);
});
ipc.on("error", (e) => {
  console.error(`ipc: ${e.message}`);
  process.exit(2);
});
// Read the IPC replies: an unread socket would stall this client's own requests.
ipc.on("data", () => {});
let waiting = null;
socket.on("sensors_state_change", (v) => {
  if (waiting && v === waiting.expect) {
    const w = waiting;
    waiting = null;
    w.resolve(process.hrtime.bigint() - w.start);
  }
});
let id = 0;
const send = (level) =>
  ipc.write(JSON.stringify({ id: ++id, action: "sim", sim: "input", channel, level }) + "\n");
const once = (level, expect) =>
  new Promise((resolve) => {
    waiting = { expect, resolve, start: process.hrtime.bigint() };
    send(level);
  });
await new Promise((r) => socket.on("connect", r));
const samples = [];
for (let i = 0; i < Number(rounds); i++) {
  samples.push(Number(await once("active", true)) / 1e6);
  samples.push(Number(await once("idle", false)) / 1e6);
}
samples.sort((a, b) => a - b);
const pct = (p) => samples[Math.round((samples.length - 1) * p)].toFixed(2);
console.log(`sensor change -> Socket.IO event, ${samples.length} changes: p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms`);
process.exit(0);
