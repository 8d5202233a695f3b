// Delivery latency: 1,000 connected clients over 100 rooms (half long-polling /sync, half on the
// WebSocket stream), one sender per room at 10 messages/s; send-to-receive p50/p99 per transport.
// Baseline: the load generator alone, relaying the same messages to the same clients through a
// bare ws echo server (no homeserver). Targets: WebSocket p99 < 50 ms, /sync p99 < 100 ms.
// Scale with BENCH_ROOMS, BENCH_CLIENTS_PER_ROOM, BENCH_RATE (msg/s per room), BENCH_SECONDS;
// BENCH_WARMUP seconds of sending before measuring (default 3);
// BENCH_WORKERS load-generator threads share the clients and senders (default 2). Besides the
// send-to-receive latency (the target), it prints the fan-out part: receipt time minus the event's
// origin_server_ts (stamped by the server as it builds the event, before its transaction).
// BENCH_QUERIES=1 lists the statements run while measuring; BENCH_PROFILE=<file> writes a CPU
// profile of the server's thread while measuring.
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance as perfHooks } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { Worker } from 'node:worker_threads';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Knex } from 'knex';
import { roomsOf } from '../../homeserver/dist/rooms/index.js';
import { realtimeOf } from '../../homeserver/dist/sync/services.js';
import { benchServer } from './rooms-bench-support.js';
import { line, percentile, quickUsers } from './sync-bench-support.js';
import { RESPONSE_READER } from './raw-http.js';

const ROOMS = Number(process.env.BENCH_ROOMS ?? 100);
const PER_ROOM = Number(process.env.BENCH_CLIENTS_PER_ROOM ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 3);

// The clients and senders run in a worker thread: the server's event loop has this thread alone.
const LOAD = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require('ws');
const { mode, url, echoUrl, rooms, receivers, senders, rate, seconds, warmup } = workerData;
const now = () => performance.timeOrigin + performance.now();
const samples = { ws: [], poll: [], send: [], wsFanout: [], pollFanout: [] };
let measuring = false;
let stopped = false;
const seen = new Set();
function record(kind, ev) {
  const c = ev && ev.content;
  if (!c || typeof c.sent !== 'number') return;
  if (!measuring) return;
  const t = now();
  samples[kind].push(t - c.sent / 1000);
  if (typeof ev.origin_server_ts === 'number') samples[kind + 'Fanout'].push(t - ev.origin_server_ts);
}
function timelineEvents(frame) {
  const out = [];
  const join = frame && frame.rooms && frame.rooms.join;
  if (!join) return out;
  for (const id in join) for (const e of (join[id].timeline && join[id].timeline.events) || []) out.push(e);
  return out;
}
// Senders use node:http with a bounded, kept-alive pool (a slow server must not make the generator
// open a connection per request).
const http = require('node:http');
const net = require('node:net');
const sendAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function request(agent, method, path, token, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, { agent, method, headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try { resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString()) }); } catch (e) { reject(e); }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
// Each long-poll client keeps one connection and speaks just enough HTTP/1.1 over it, like wrk:
// node:http's client costs more CPU per request than the server's answer, and these two cores are
// shared with the server under test. Every response is still read whole and parsed as JSON.
let pollErrors = 0;
${RESPONSE_READER}
function longPoll(r) {
  const target = new URL(url);
  let since = r.since;
  let socket;
  const ask = () => socket.write('GET /_matrix/client/v3/sync?timeout=30000&since=' + since + ' HTTP/1.1\\r\\nHost: ' + target.host + '\\r\\nAuthorization: Bearer ' + r.token + '\\r\\n\\r\\n');
  const connect = () => {
    socket = net.connect(Number(target.port), target.hostname, ask);
    socket.setNoDelay(true);
    // A refused or reset connection: count it and poll again from the same token.
    socket.on('error', () => {});
    socket.on('close', () => {
      if (stopped) return;
      pollErrors++;
      setTimeout(connect, 100);
    });
    socket.on('data', responses((status, head, raw) => {
      if (!status) throw new Error('sync answered without Content-Length: ' + head);
      const body = JSON.parse(raw.toString('utf8'));
      if (status !== 200) throw new Error('sync ' + status + ' ' + JSON.stringify(body));
      since = encodeURIComponent(body.next_batch);
      for (const e of timelineEvents(body)) record('poll', e);
      if (stopped) socket.destroy();
      else ask();
    }));
  };
  since = encodeURIComponent(since);
  connect();
}
function openWs(r, target) {
  return new Promise((resolve, reject) => {
    const ws = target === 'echo'
      ? new WebSocket(echoUrl + '?room=' + r.room)
      : new WebSocket(url.replace('http', 'ws') + '/_matrix/client/unstable/org.parley.ws?since=' + r.since, { headers: { Authorization: 'Bearer ' + r.token } });
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (target === 'echo') record(r.kind, frame);
      else for (const e of timelineEvents(frame)) record('ws', e);
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
(async () => {
  const sockets = [];
  if (mode === 'echo') {
    for (const r of receivers) sockets.push(await openWs(r, 'echo'));
  } else {
    for (const r of receivers) {
      if (r.kind === 'ws') sockets.push(await openWs(r, 'parley'));
      else {
        longPoll(r);
        // Let the server accept the long-polls at a human pace rather than all in one burst.
        await new Promise((ok) => setTimeout(ok, 2));
      }
    }
  }
  const senderSockets = mode === 'echo' ? await Promise.all(senders.map((s) => openWs({ room: s.room, kind: 'x' }, 'echo'))) : [];
  // Every thread connects its clients, then all start sending together.
  parentPort.postMessage({ ready: true });
  await new Promise((r) => parentPort.once('message', r));
  await new Promise((r) => setTimeout(r, 1000));
  const timers = [];
  let n = 0;
  let sendErrors = 0;
  senders.forEach((s, i) => {
    setTimeout(() => {
      timers.push(setInterval(() => {
        // Integer microseconds: canonical JSON has no floats.
        const content = { msgtype: 'm.text', body: 'm' + (n++), sent: Math.round(now() * 1000) };
        if (mode === 'echo') senderSockets[i].send(JSON.stringify({ room: s.room, content }));
        else {
          const started = now();
          request(sendAgent, 'PUT', '/_matrix/client/v3/rooms/' + encodeURIComponent(s.roomId) + '/send/m.room.message/b' + n + '-' + i, s.token, content)
            .then(() => { if (measuring) samples.send.push(now() - started); }, () => { sendErrors++; });
        }
      }, 1000 / rate));
    }, Math.random() * (1000 / rate));
  });
  await new Promise((r) => setTimeout(r, warmup * 1000));
  measuring = true;
  parentPort.postMessage({ measuring: true });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  stopped = true;
  timers.forEach(clearInterval);
  for (const s of [...sockets, ...senderSockets]) s.terminate();
  parentPort.postMessage({ ...samples, errors: [pollErrors + sendErrors] });
})();
`;

type Samples = { ws: number[]; poll: number[]; send: number[]; wsFanout: number[]; pollFanout: number[]; errors: number[] };

/** Where the CPU went: this thread's event loop (the server), this process (server + load threads), the machine. */
interface CpuSnapshot {
  wallMs: number;
  loop: ReturnType<typeof perfHooks.eventLoopUtilization>;
  process: NodeJS.CpuUsage;
  machineBusyMs: number;
  serverThreadMs: number;
}

/** CPU time of this process's main thread (the server's), from /proc: utime + stime in USER_HZ = 1/100 s. */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function cpuSnapshot(): CpuSnapshot {
  // /proc/stat's first line: cpu user nice system idle iowait irq softirq steal (in USER_HZ = 1/100 s).
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { wallMs: performance.now(), loop: perfHooks.eventLoopUtilization(), process: process.cpuUsage(), machineBusyMs: (user + nice + system + irq + softirq + steal) * 10, serverThreadMs: mainThreadCpuMs() };
}

interface CpuUse {
  seconds: number;
  /** Cores' worth of CPU used, on average, by the server's thread, this whole process and the machine. */
  serverThread: number;
  /** The share of wall time the server's event loop was busy: its CPU plus the time it waited for one. */
  serverLoop: number;
  process: number;
  machine: number;
}

function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const wall = b.wallMs - a.wallMs;
  const proc = b.process.user + b.process.system - a.process.user - a.process.system;
  return {
    seconds: wall / 1000,
    serverThread: (b.serverThreadMs - a.serverThreadMs) / wall,
    serverLoop: perfHooks.eventLoopUtilization(b.loop, a.loop).utilization,
    process: proc / 1000 / wall,
    machine: (b.machineBusyMs - a.machineBusyMs) / wall,
  };
}

/** Runs the load split over WORKERS threads (clients and senders dealt round-robin); merges their samples. */
async function runLoad(data: { receivers: unknown[]; senders: unknown[] } & Record<string, unknown>): Promise<Samples & { cpu: CpuUse }> {
  const workers = Array.from({ length: WORKERS }, (_, w) => {
    const part = <T>(xs: T[]) => xs.filter((_, i) => i % WORKERS === w);
    return new Worker(LOAD, { eval: true, workerData: { ...data, receivers: part(data.receivers), senders: part(data.senders) } });
  });
  await Promise.all(workers.map((w) => once(w, 'message')));
  for (const w of workers) w.postMessage('go');
  await Promise.all(workers.map((w) => once(w, 'message')));
  const start = cpuSnapshot();
  const parts = (await Promise.all(workers.map((w) => once(w, 'message')))).map(([s]) => s as Samples);
  const cpu = cpuBetween(start, cpuSnapshot());
  await Promise.all(workers.map((w) => w.terminate()));
  const out: Samples = { ws: [], poll: [], send: [], wsFanout: [], pollFanout: [], errors: [] };
  for (const p of parts) for (const k of Object.keys(out) as Array<keyof Samples>) for (const x of p[k]) out[k].push(x);
  return { ...out, cpu };
}

/** Runs `fn` over `items` with at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

/** Each client holds a socket on both ends: warn when the open-files limit is too low for them. */
function checkFileLimit(sockets: number): void {
  const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  if (m && Number(m[1]) < sockets * 2 + 500) console.warn(`open files limit ${m[1]} is low for ${sockets} clients: raise it (ulimit -n) before running`);
}

const { hs, close } = await benchServer(30);
let exitCode = 0;
try {
  const rooms = roomsOf(hs.context);
  const senders = await quickUsers(hs, 'sender', ROOMS);
  const receivers = await quickUsers(hs, 'client', ROOMS * PER_ROOM);
  checkFileLimit(receivers.length + senders.length);
  const roomIds: string[] = new Array(ROOMS);
  await eachLimited(senders, 8, async (sender, r) => {
    const roomId = await rooms.createRoom(sender.userId, { preset: 'public_chat' });
    await Promise.all(receivers.slice(r * PER_ROOM, (r + 1) * PER_ROOM).map((u) => rooms.join(u.userId, roomId)));
    roomIds[r] = roomId;
  });
  const tokenOf = async (token: string) => {
    const res = await fetch(`${hs.url}/_matrix/client/v3/sync?timeout=0`, { headers: { Authorization: `Bearer ${token}` } });
    return ((await res.json()) as { next_batch: string }).next_batch;
  };
  const receiverJobs: Array<Record<string, unknown>> = new Array(receivers.length);
  await eachLimited(receivers, 16, async (u, i) => {
    receiverJobs[i] = { token: u.token, room: Math.floor(i / PER_ROOM), kind: i % 2 === 0 ? 'ws' : 'poll', since: await tokenOf(u.token) };
  });
  const senderJobs = senders.map((s, r) => ({ token: s.token, roomId: roomIds[r], room: r }));

  // Baseline: a bare ws relay in this thread, the same clients and message rate.
  const echo = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  const byRoom = new Map<number, Set<WebSocket>>();
  echo.on('connection', (ws, req) => {
    const room = Number(new URL(req.url!, 'http://x').searchParams.get('room'));
    const set = byRoom.get(room) ?? byRoom.set(room, new Set()).get(room)!;
    set.add(ws);
    ws.on('message', (data) => {
      const { room: to, content } = JSON.parse(data.toString());
      const text = JSON.stringify({ content });
      for (const peer of byRoom.get(to) ?? []) if (peer !== ws) peer.send(text);
    });
    ws.on('close', () => set.delete(ws));
  });
  await once(echo, 'listening');
  const echoUrl = `ws://127.0.0.1:${(echo.address() as { port: number }).port}`;
  const common = { url: hs.url, echoUrl, rooms: ROOMS, receivers: receiverJobs, senders: senderJobs, rate: RATE, seconds: SECONDS, warmup: WARMUP_SECONDS };
  const baseline = await runLoad({ ...common, mode: 'echo' });
  echo.close();
  const base = [...baseline.ws, ...baseline.poll];
  // BENCH_QUERIES=1: the statements run while measuring, per pool (the fan-out has its own), with
  // their count and latency (the time from issue to answer, pool wait excluded).
  const timing = new Map<string, number[]>();
  if (process.env.BENCH_QUERIES) {
    const started = new Map<string, [string, number]>();
    const fanout = (realtimeOf(hs.context).sync.caches as unknown as { db: Knex }).db;
    for (const [name, db] of [['main', hs.context.db], ['fan-out', fanout]] as const) {
      db.on('query', (q: { __knexQueryUid: string; sql: string }) => started.set(q.__knexQueryUid, [`${name} ${q.sql.replace(/\s+/g, ' ').slice(0, 80)}`, performance.now()]));
      db.on('query-response', (_r: unknown, q: { __knexQueryUid: string }) => {
        const s0 = started.get(q.__knexQueryUid);
        if (!s0) return;
        started.delete(q.__knexQueryUid);
        (timing.get(s0[0]) ?? timing.set(s0[0], []).get(s0[0])!).push(performance.now() - s0[1]);
      });
    }
  }
  // The machine is shared: a trivial statement's round trip every 100 ms says how busy it was.
  const pings: number[] = [];
  const pinger = setInterval(() => {
    const t = performance.now();
    void hs.context.db.raw('select 1').then(() => pings.push(performance.now() - t), () => {});
  }, 100);
  // BENCH_PROFILE=<file>: a CPU profile of the server's thread during this phase only.
  const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const measured = await runLoad({ ...common, mode: 'parley' });
  clearInterval(pinger);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
    profiler.disconnect();
  }
  if (process.env.BENCH_QUERIES) {
    console.log('  count    p50 ms    p99 ms  statement');
    for (const [sql, v] of [...timing].sort((x, y) => y[1].length - x[1].length).slice(0, 25)) {
      console.log(String(v.length).padStart(7), percentile(v, 50).toFixed(1).padStart(9), percentile(v, 99).toFixed(1).padStart(9), ' ', sql);
    }
  }

  const expected = ROOMS * RATE * SECONDS * PER_ROOM;
  console.log(`${ROOMS} rooms x ${PER_ROOM} clients (half WebSocket, half long-poll), ${RATE} msg/s per room, ${SECONDS} s measured, ${WORKERS} load threads`);
  line('baseline (bare ws relay) deliveries', `${base.length}`, `of ~${expected}`);
  line('baseline p50 / p99 (ms)', `${percentile(base, 50).toFixed(1)} / ${percentile(base, 99).toFixed(1)}`);
  line('WebSocket deliveries', `${measured.ws.length}`, `of ~${expected / 2}`);
  line('/sync long-poll deliveries', `${measured.poll.length}`, `of ~${expected / 2}`);
  line('failed requests (long-polls retried, sends lost)', `${measured.errors.reduce((a, b) => a + b, 0)}`);
  const wsP50 = percentile(measured.ws, 50);
  const wsP99 = percentile(measured.ws, 99);
  const pollP50 = percentile(measured.poll, 50);
  const pollP99 = percentile(measured.poll, 99);
  const wsOk = wsP99 < 50 && measured.ws.length > 0.9 * (expected / 2);
  const pollOk = pollP99 < 100 && measured.poll.length > 0.9 * (expected / 2);
  line('WebSocket p50 / p99 (ms)', `${wsP50.toFixed(1)} / ${wsP99.toFixed(1)}`, 'p99 < 50', wsOk);
  line('/sync long-poll p50 / p99 (ms)', `${pollP50.toFixed(1)} / ${pollP99.toFixed(1)}`, 'p99 < 100', pollOk);
  line('PUT /send response time p50 / p99 (ms, part of the above)', `${percentile(measured.send, 50).toFixed(1)} / ${percentile(measured.send, 99).toFixed(1)}`);
  line('fan-out, event built to received, WebSocket p50 / p99 (ms)', `${percentile(measured.wsFanout, 50).toFixed(1)} / ${percentile(measured.wsFanout, 99).toFixed(1)}`);
  line('fan-out, event built to received, /sync p50 / p99 (ms)', `${percentile(measured.pollFanout, 50).toFixed(1)} / ${percentile(measured.pollFanout, 99).toFixed(1)}`);
  line('Postgres round trip (select 1, main pool) p50 / p99 (ms)', `${percentile(pings, 50).toFixed(1)} / ${percentile(pings, 99).toFixed(1)}`);
  // CPU while measuring, in cores: what a message costs here. The relay's own load threads show the generator's share.
  const sent = measured.send.length || 1;
  const { cpu } = measured;
  const loadThreads = Math.max(0, cpu.process - cpu.serverThread);
  const elsewhere = Math.max(0, cpu.machine - cpu.process);
  line('CPU (cores): server thread / load threads / Postgres and the rest', `${cpu.serverThread.toFixed(2)} / ${loadThreads.toFixed(2)} / ${elsewhere.toFixed(2)}`, `of ${cpus().length}`);
  const perMessage = (cores: number) => (cores * cpu.seconds * 1000) / sent;
  line("server's event loop busy (its CPU, and waits for a core)", `${(cpu.serverLoop * 100).toFixed(0)}%`);
  line('CPU (cores) of the load threads against the bare relay', `${Math.max(0, baseline.cpu.process - baseline.cpu.serverThread).toFixed(2)}`);
  line('CPU ms per message sent: server thread / Postgres and the rest', `${perMessage(cpu.serverThread).toFixed(2)} / ${perMessage(elsewhere).toFixed(2)}`);
  // What the asked rate would take at this cost per message (server, Postgres, clients): more than the
  // machine has means the rate cannot be met here, whatever the latency.
  const coresNeeded = ((perMessage(cpu.serverThread) + perMessage(elsewhere) + perMessage(loadThreads)) * ROOMS * RATE) / 1000;
  line(`cores needed for ${ROOMS * RATE} msg/s at this cost per message (clients included)`, coresNeeded.toFixed(1), `of ${cpus().length}`);
  line('WebSocket p99 / baseline p99', `${(wsP99 / percentile(base, 99)).toFixed(1)}x`);
  line('/sync p99 / baseline p99', `${(pollP99 / percentile(base, 99)).toFixed(1)}x`);
  exitCode = wsOk && pollOk ? 0 : 1;
} finally {
  await close();
}
process.exit(exitCode);
