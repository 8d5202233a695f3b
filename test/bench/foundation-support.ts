// Helpers for the foundation benchmarks: a database to run against, an in-process Parley,
// a keep-alive HTTP load loop in a worker thread, and spawning `parley start`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import type { Logger } from 'pino';
import { validateConfig } from '../../homeserver/dist/config/load.js';
import { createLogger } from '../../homeserver/dist/logging.js';
import { startHomeserver, type Homeserver } from '../../homeserver/dist/main.js';
import { RESPONSE_READER } from './raw-http.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/** Runs `a` and `b` one after the other, `b` first in odd rounds: a drift in the machine's speed favours neither. */
export async function inTurn<A, B>(round: number, a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
  if (round % 2 === 0) {
    const first = await a();
    return [first, await b()];
  }
  const first = await b();
  return [await a(), first];
}

/** Prints the figure and its target; returns whether it was met. */
export function report(name: string, value: number, target: string, met: boolean): boolean {
  console.log(`${met ? 'ok  ' : 'MISS'} ${name}: ${fmt(value, 2)} (target ${target})`);
  return met;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A fresh database on TEST_DATABASE_URL's server, or an embedded Postgres in a temp dir. */
export async function benchDatabase(log: Logger): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL;
  if (admin) {
    const name = `parley_bench_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const u = new URL(admin);
    u.pathname = `/${name}`;
    return {
      url: u.toString(),
      drop: async () => {
        const d = new pg.Client({ connectionString: admin });
        await d.connect();
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await d.end();
      },
    };
  }
  const { startEmbeddedPostgres } = await import('../../homeserver/dist/db/embedded.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-pg-'));
  const embedded = await startEmbeddedPostgres(path.join(dir, 'postgres'), log);
  return {
    url: embedded.url,
    drop: async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An in-process Parley on a free port with the given log destination and overrides. */
export async function startBenchServer(
  dbUrl: string,
  log: Logger,
  overrides: Record<string, unknown> = {},
): Promise<{ hs: Homeserver; cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-'));
  const config = validateConfig({
    server_name: 'localhost',
    data_dir: dataDir,
    listeners: { client: { port: 0, bind_address: '127.0.0.1' } },
    database: { url: dbUrl },
    federation: { enabled: false },
    registration: { require_token: false },
    rate_limits: { enabled: false },
    ...overrides,
  });
  const hs = await startHomeserver(config, { log, print: () => {} });
  return {
    hs,
    cleanup: async () => {
      await hs.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Parley's own logger writing to /dev/null: the full cost of producing log lines, none of the noise. */
export function nullLogger(level = 'info'): Logger {
  return createLogger(level, '/dev/null');
}

// Like wrk: each connection sends one prebuilt request, reads the status line and Content-Length
// of the answer, and sends the next; no per-request parsing or allocation beyond that, so the
// client's own CPU takes as little as possible from the server it shares two cores with.
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { url, method, body, headers, connections, durationMs } = workerData;
const u = new URL(url);
const payload = Buffer.from(body ?? '');
const head = [method + ' ' + u.pathname + u.search + ' HTTP/1.1', 'Host: ' + u.host, 'Connection: keep-alive', 'Content-Length: ' + payload.length]
  .concat(Object.entries(headers).map(([k, v]) => k + ': ' + v));
const request = Buffer.concat([Buffer.from(head.join('\\r\\n') + '\\r\\n\\r\\n'), payload]);
const deadline = Date.now() + durationMs;
let done = 0, failed = 0;
${RESPONSE_READER}
function connection() {
  return new Promise((resolve) => {
    const socket = net.connect(Number(u.port), u.hostname);
    socket.setNoDelay(true);
    const next = () => { if (Date.now() < deadline) socket.write(request); else { socket.destroy(); resolve(); } };
    socket.on('connect', next);
    socket.on('error', () => { failed++; resolve(); });
    socket.on('data', responses((status) => {
      if (!status) { failed++; socket.destroy(); resolve(); return; }
      if (status >= 400) failed++; else done++;
      next();
    }));
  });
}
const started = Date.now();
Promise.all(Array.from({ length: connections }, connection)).then(() => {
  parentPort.postMessage({ done, failed, ms: Date.now() - started });
});
`;

export interface LoadResult {
  perSecond: number;
  failed: number;
}

/** Sends requests over `connections` keep-alive connections for `durationMs`, from a worker thread. */
export function load(opts: { url: string; method?: string; body?: string; headers?: Record<string, string>; connections?: number; durationMs: number }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, {
      eval: true,
      workerData: { method: 'GET', connections: 8, headers: {}, ...opts },
    });
    worker.once('message', (m: { done: number; failed: number; ms: number }) => resolve({ perSecond: (m.done * 1000) / m.ms, failed: m.failed }));
    worker.once('error', reject);
  });
}

/** Builds dist/ so `parley start` runs the current code (a failed build leaves the last dist). */
export function build(): void {
  const r = spawnSync('npx', ['tsc', '-b'], { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' });
  if (r.status === 0) spawnSync(process.execPath, [path.join(ROOT, 'scripts/bundle.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) console.warn(`warning: tsc -b failed; measuring the last build\n${r.stdout.slice(0, 1000)}`);
}

export interface SpawnedParley {
  child: ChildProcess;
  url: string;
  /** ms from spawn to the first successful /versions. */
  readyMs: number;
  stop(): Promise<number | null>;
}

let fetchWarm = false;

/**
 * The first response fetch() parses in a process sets up its HTTP parser (tens of ms): do that
 * against a throwaway server, so a start-up measurement does not charge it to Parley.
 */
async function warmUpFetch(): Promise<void> {
  if (fetchWarm) return;
  const server = createHttpServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await (await fetch(`http://127.0.0.1:${port}/`)).text();
  await new Promise((resolve) => server.close(resolve));
  fetchWarm = true;
}

/** Spawns `parley start` (the bundle `npm start` runs; PARLEY_BENCH_ENTRY overrides) on free ports and waits for /versions. */
export async function spawnParley(dataDir: string, env: Record<string, string> = {}): Promise<SpawnedParley> {
  const port = await freePort();
  const fedPort = await freePort();
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    PARLEY_DATA_DIR: dataDir,
    PARLEY_PORT: String(port),
    PARLEY_FEDERATION_PORT: String(fedPort),
    PARLEY_BIND_ADDRESS: '127.0.0.1',
    PARLEY_LOG_LEVEL: 'warn',
    ...env,
  };
  delete childEnv.DATABASE_URL;
  delete childEnv.REDIS_URL;
  await warmUpFetch();
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, process.env.PARLEY_BENCH_ENTRY ?? 'homeserver/dist/bundle/cli.js'), 'start'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`parley exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/_matrix/client/versions`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (performance.now() - started > 120_000) throw new Error(`parley did not answer within 120 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const readyMs = performance.now() - started;
  return {
    child,
    url,
    readyMs,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
