// Memory per idle WebSocket stream connection: 10,000 connections (in a separate client process)
// to one Parley; resident memory growth of the server process after GC, per connection.
// Target: under 40 KB. Baseline: the same growth for 10,000 bare ws connections to a plain
// WebSocketServer in this process (the cost of the socket and the ws library alone).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocketServer } from 'ws';
import { benchServer } from './rooms-bench-support.js';
import { line, quickUsers } from './sync-bench-support.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10_000);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const CLIENTS = `
const WebSocket = require('ws');
const [url, token, count] = [process.argv[1], process.argv[2], Number(process.argv[3])];
const sockets = [];
(async () => {
  for (let i = 0; i < count; i += 250) {
    await Promise.all(Array.from({ length: Math.min(250, count - i) }, () => new Promise((resolve, reject) => {
      const ws = new WebSocket(url, token ? { headers: { Authorization: 'Bearer ' + token } } : {});
      ws.once('message', () => resolve());
      ws.once('open', () => { if (!token) resolve(); });
      ws.once('error', reject);
      sockets.push(ws);
    })));
  }
  process.stdout.write('ready\\n');
  process.stdin.on('data', () => { for (const s of sockets) s.terminate(); process.exit(0); });
})().catch((e) => { console.error(e); process.exit(1); });
`;

async function settledRss(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 300));
  }
  return process.memoryUsage().rss;
}

async function measure(url: string, token: string | undefined): Promise<number> {
  const before = await settledRss();
  const child = spawn(process.execPath, ['-e', CLIENTS, url, token ?? '', String(CONNECTIONS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [data] = (await once(child.stdout!, 'data')) as [Buffer];
  if (!data.toString().includes('ready')) throw new Error('clients failed');
  await new Promise((r) => setTimeout(r, 1000));
  const after = await settledRss();
  child.stdin!.write('stop\n');
  await once(child, 'exit');
  return (after - before) / CONNECTIONS;
}

const { hs, close } = await benchServer(20);
let exitCode = 1;
try {
  const [user] = await quickUsers(hs, 'idle', 1);
  const res = await fetch(`${hs.url}/_matrix/client/v3/sync?timeout=0`, { headers: { Authorization: `Bearer ${user.token}` } });
  const since = ((await res.json()) as { next_batch: string }).next_batch;

  const bare = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await once(bare, 'listening');
  const bareUrl = `ws://127.0.0.1:${(bare.address() as { port: number }).port}`;
  const baseline = await measure(bareUrl, undefined);
  bare.close();
  await new Promise((r) => setTimeout(r, 500));

  const streamUrl = `${hs.url.replace('http', 'ws')}/_matrix/client/unstable/org.parley.ws?since=${since}`;
  const perConnection = await measure(streamUrl, user.token);
  console.log(`${CONNECTIONS} idle connections`);
  line('baseline: bare ws server, bytes per connection', `${Math.round(baseline)}`);
  line('WebSocket stream, bytes per connection', `${Math.round(perConnection)}`, '< 40960', perConnection < 40 * 1024);
  line('stream / bare ws', `${(perConnection / baseline).toFixed(1)}x`);
  exitCode = perConnection < 40 * 1024 ? 0 : 1;
} finally {
  await close();
}
process.exit(exitCode);
