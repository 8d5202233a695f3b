// SHA-256 of uploads, computed on a worker thread that reads the staged file behind the writer.
// The event loop only says how far the file is written: it neither hashes (a few hundred MB/s on
// CPUs without SHA extensions, which would hold up every other request) nor copies the bytes to
// the worker (copying 64 KiB chunks into a shared ring cost it ~20 ms per 50 MB; reading the file
// back from the page cache on the worker made 50 MB uploads ~20% faster).
import { Worker } from 'node:worker_threads';

export interface FileHash {
  /** The file's first `upTo` bytes are written (their write calls have completed): hash them meanwhile. */
  written(upTo: number): void;
  /** The SHA-256 (hex) of the file's first `size` bytes, all written by now. */
  digest(size: number): Promise<string>;
  /** Stops hashing (the upload failed); the worker closes the file. */
  abort(): void;
}

export interface ContentHasher {
  begin(file: string): FileHash;
  close(): Promise<void>;
}

// The worker opens the file on the first message that needs its bytes and reads it sequentially
// into a buffer of its own.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buffer = Buffer.allocUnsafe(1024 * 1024);
const running = new Map();
function hashUpTo(r, upTo) {
  r.fd ??= fs.openSync(r.file, 'r');
  while (r.hashed < upTo) {
    const n = fs.readSync(r.fd, buffer, 0, Math.min(buffer.length, upTo - r.hashed), r.hashed);
    if (n === 0) throw new Error('the staged file is shorter than written');
    r.hash.update(buffer.subarray(0, n));
    r.hashed += n;
  }
}
function close(id) {
  const r = running.get(id);
  running.delete(id);
  if (r?.fd !== undefined) fs.closeSync(r.fd);
}
parentPort.on('message', (m) => {
  const r = running.get(m.id);
  try {
    if (m.op === 'begin') running.set(m.id, { file: m.file, hash: createHash('sha256'), hashed: 0 });
    else if (m.op === 'written') { if (r && !r.failed) hashUpTo(r, m.upTo); }
    else if (m.op === 'digest') {
      if (r.failed) throw r.failed;
      hashUpTo(r, m.size);
      close(m.id);
      parentPort.postMessage({ id: m.id, hex: r.hash.digest('hex') });
    } else close(m.id);
  } catch (err) {
    // Kept until the digest asks (a failed read during 'written' has no one to tell yet).
    if (r && m.op === 'written') r.failed = err;
    else {
      close(m.id);
      parentPort.postMessage({ id: m.id, error: String(err && err.message || err) });
    }
  }
});
`;

/** Tell the worker at most once per this many newly written bytes. */
const NOTIFY_BYTES = 1024 * 1024;

interface Pending {
  worker: Worker;
  resolve(hex: string): void;
  reject(err: Error): void;
}

export class WorkerHasher implements ContentHasher {
  private worker?: Worker;
  private nextId = 0;
  /** Digests asked for and not answered yet. */
  private readonly pending = new Map<number, Pending>();

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (m: { id: number; hex?: string; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.hex !== undefined) p.resolve(m.hex);
      else p.reject(new Error(`hashing the upload failed: ${m.error}`));
    });
    // A worker that dies fails the digests it owed (their uploads answer with an error, not never).
    const died = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, p] of this.pending) {
        if (p.worker !== worker) continue;
        this.pending.delete(id);
        p.reject(err);
      }
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`the hashing worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  begin(file: string): FileHash {
    const worker = this.start();
    const id = ++this.nextId;
    let told = 0;
    worker.postMessage({ op: 'begin', id, file });
    return {
      written: (upTo) => {
        if (upTo - told < NOTIFY_BYTES) return;
        told = upTo;
        worker.postMessage({ op: 'written', id, upTo });
      },
      digest: (size) =>
        new Promise<string>((resolve, reject) => {
          // The worker that read the file so far died (and took its bytes with it).
          if (this.worker !== worker) return reject(new Error('the hashing worker exited'));
          this.pending.set(id, { worker, resolve, reject });
          worker.postMessage({ op: 'digest', id, size });
        }),
      abort: () => {
        worker.postMessage({ op: 'abort', id });
      },
    };
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
