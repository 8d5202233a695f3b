// Helpers for the media benchmarks: an in-process Parley with a user, and an HTTP client in a
// worker thread (so client and server each get a core, as they would on two machines).
import { Worker } from 'node:worker_threads';
import v8 from 'node:v8';
import vm from 'node:vm';
import { benchDatabase, nullLogger, startBenchServer } from './foundation-support.js';
import { registerUser, type TestUser } from '../support/users.js';
import type { Homeserver } from '../../homeserver/dist/main.js';

v8.setFlagsFromString('--expose-gc');
export const gc = vm.runInNewContext('gc') as () => void;
export const MB = 1024 * 1024;

export async function startMediaBench(media: Record<string, unknown> = {}): Promise<{ hs: Homeserver; user: TestUser; close(): Promise<void> }> {
  const log = nullLogger('warn');
  const db = await benchDatabase(log);
  const { hs, cleanup } = await startBenchServer(db.url, log, { media });
  // The test helper is typed against the sources; the benchmarks run the built server (same shape).
  const user = await registerUser(hs as unknown as Parameters<typeof registerUser>[0], 'bench');
  return {
    hs,
    user,
    close: async () => {
      await cleanup();
      await db.drop();
    },
  };
}

/**
 * Deterministic pseudo-random bytes (incompressible), in shared memory: a WorkerClient given them
 * sends what the main thread last wrote there (e.g. a changed first byte), not a copy from its start.
 */
export function benchBytes(size: number): Buffer {
  const out = Buffer.from(new SharedArrayBuffer(size));
  let x = 0x9e3779b9;
  for (let i = 0; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  return out;
}

const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { body } = workerData;
const chunk = 1024 * 1024;
parentPort.on('message', (job) => {
  const started = performance.now();
  if (job.kind === 'upload') {
    const req = http.request(job.url, { method: 'POST', headers: { Authorization: 'Bearer ' + job.token, 'Content-Type': 'application/octet-stream', 'Content-Length': body.length } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => parentPort.postMessage({ ms: performance.now() - started, status: res.statusCode, body: text }));
    });
    let offset = 0;
    const pump = () => {
      while (offset < body.length) {
        const ok = req.write(body.subarray(offset, offset + chunk));
        offset += chunk;
        if (!ok) return req.once('drain', pump);
      }
      req.end();
    };
    pump();
  } else {
    http.get(job.url, { headers: { Authorization: 'Bearer ' + job.token } }, (res) => {
      let bytes = 0;
      res.on('data', (c) => (bytes += c.length));
      res.on('end', () => parentPort.postMessage({ ms: performance.now() - started, status: res.statusCode, bytes }));
    });
  }
});
`;

export interface ClientResult {
  ms: number;
  status: number;
  body?: string;
  bytes?: number;
}

export class WorkerClient {
  private readonly worker: Worker;

  constructor(body: Buffer) {
    this.worker = new Worker(CLIENT, { eval: true, workerData: { body } });
  }

  run(job: { kind: 'upload' | 'download'; url: string; token: string }): Promise<ClientResult> {
    return new Promise((resolve) => {
      this.worker.once('message', resolve);
      this.worker.postMessage(job);
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
