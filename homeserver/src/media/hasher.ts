// SHA-256 of uploads, computed on a worker thread. Hashing runs at a few hundred MB/s on CPUs
// without SHA extensions: on the event loop, a 50 MB upload would stall every other request for
// a fifth of a second, and the disk write would wait for it.
import { createHash, randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface RunningHash {
  update(chunk: Buffer): Promise<void>;
  digest(): Promise<string>;
  abort(): void;
}

export interface ContentHasher {
  begin(): RunningHash;
  close(): Promise<void>;
}

export class InlineHasher implements ContentHasher {
  begin(): RunningHash {
    const hash = createHash('sha256');
    return { update: async (c) => void hash.update(c), digest: async () => hash.digest('hex'), abort: () => {} };
  }
  async close(): Promise<void> {}
}

// Each running hash owns a ring of shared memory: the event loop copies chunks in, the worker
// hashes them in place and acknowledges, so no per-chunk garbage piles up in the worker.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const running = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'begin') running.set(m.id, { hash: createHash('sha256'), ring: new Uint8Array(m.ring) });
  else if (m.op === 'update') {
    const r = running.get(m.id);
    r.hash.update(r.ring.subarray(m.start, m.start + m.length));
    parentPort.postMessage({ id: m.id, hashed: m.length });
  } else if (m.op === 'digest') {
    const r = running.get(m.id);
    running.delete(m.id);
    parentPort.postMessage({ id: m.id, hex: r.hash.digest('hex') });
  } else running.delete(m.id);
});
`;

const RING_BYTES = 4 * 1024 * 1024;
/** Request bodies arrive in 64 KiB chunks: a message (and its acknowledgement) per MiB is 16 times fewer than per chunk. */
const POST_BYTES = 1024 * 1024;

interface Pending {
  inFlight: number;
  drained?: () => void;
  done?: (hex: string) => void;
  /** Set when the worker died: what update() and digest() throw from then on. */
  failure?: Error;
  /** Rejects whichever of update()'s wait or digest() is pending. */
  fail?: (err: Error) => void;
}

export class WorkerHasher implements ContentHasher {
  private worker?: Worker;
  private readonly pending = new Map<string, Pending>();

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (m: { id: string; hashed?: number; hex?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.hashed !== undefined) {
        p.inFlight -= m.hashed;
        if (p.drained && p.inFlight <= RING_BYTES / 2) {
          const wake = p.drained;
          p.drained = undefined;
          wake();
        }
      } else if (m.hex !== undefined) {
        this.pending.delete(m.id);
        p.done?.(m.hex);
      }
    });
    // A worker that dies fails the hashes it held (their uploads answer with an error, not never).
    const died = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) {
        p.failure = err;
        p.fail?.(err);
      }
      this.pending.clear();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`the hashing worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  begin(): RunningHash {
    const worker = this.start();
    const id = randomUUID();
    const shared = new SharedArrayBuffer(RING_BYTES);
    const ring = new Uint8Array(shared);
    const p: Pending = { inFlight: 0 };
    let written = 0;
    /** Bytes copied into the ring but not yet handed to the worker: they start at `written - unposted`. */
    let unposted = 0;
    const post = () => {
      if (unposted === 0) return;
      worker.postMessage({ op: 'update', id, start: (written - unposted) % RING_BYTES, length: unposted });
      unposted = 0;
    };
    this.pending.set(id, p);
    worker.postMessage({ op: 'begin', id, ring: shared });
    return {
      update: async (chunk) => {
        for (let offset = 0; offset < chunk.length; ) {
          if (p.failure) throw p.failure;
          if (p.inFlight >= RING_BYTES) {
            post();
            await new Promise<void>((resolve, reject) => {
              p.drained = resolve;
              p.fail = reject;
            });
          }
          const at = written % RING_BYTES;
          const n = Math.min(chunk.length - offset, RING_BYTES - p.inFlight, RING_BYTES - at);
          ring.set(chunk.subarray(offset, offset + n), at);
          p.inFlight += n;
          written += n;
          offset += n;
          unposted += n;
          // A message per POST_BYTES rather than per chunk; a posted range never wraps.
          if (unposted >= POST_BYTES || at + n === RING_BYTES) post();
        }
      },
      digest: () =>
        new Promise<string>((resolve, reject) => {
          if (p.failure) return reject(p.failure);
          post();
          p.done = resolve;
          p.fail = reject;
          worker.postMessage({ op: 'digest', id });
        }),
      abort: () => {
        this.pending.delete(id);
        worker.postMessage({ op: 'abort', id });
      },
    };
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
