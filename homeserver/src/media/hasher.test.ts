import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerHasher } from './hasher.js';

const dir = mkdtempSync(path.join(tmpdir(), 'parley-hasher-'));
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const openFiles = () => readdirSync('/proc/self/fd').length;

describe('WorkerHasher', () => {
  const hasher = new WorkerHasher();
  afterAll(async () => {
    await hasher.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hashes files while they are written, like node:crypto, several at once', async () => {
    const data = Buffer.alloc(11 * 1024 * 1024 + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const run = async (name: string, chunk: number) => {
      const file = path.join(dir, name);
      writeFileSync(file, '');
      const hash = hasher.begin(file);
      for (let i = 0; i < data.length; i += chunk) {
        appendFileSync(file, data.subarray(i, i + chunk));
        hash.written(Math.min(i + chunk, data.length));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return hash.digest(data.length);
    };
    expect(await Promise.all([run('a', 65536), run('b', 1_000_003), run('c', 5 * 1024 * 1024)])).toEqual([sha256(data), sha256(data), sha256(data)]);
    writeFileSync(path.join(dir, 'empty'), '');
    expect(await hasher.begin(path.join(dir, 'empty')).digest(0)).toBe(sha256(''));
  });

  it('fails a digest of more bytes than the file holds, and of a file that is gone', async () => {
    writeFileSync(path.join(dir, 'short'), 'abc');
    await expect(hasher.begin(path.join(dir, 'short')).digest(10)).rejects.toThrow(/shorter than written/);
    await expect(hasher.begin(path.join(dir, 'missing')).digest(1)).rejects.toThrow(/ENOENT/);
  });

  it('closes the file when a hash is aborted', async () => {
    const file = path.join(dir, 'aborted');
    writeFileSync(file, Buffer.alloc(3 * 1024 * 1024));
    const before = openFiles();
    const hash = hasher.begin(file);
    hash.written(3 * 1024 * 1024);
    // A digest of another file after the abort: the worker has handled the abort by then.
    hash.abort();
    writeFileSync(path.join(dir, 'after'), 'x');
    expect(await hasher.begin(path.join(dir, 'after')).digest(1)).toBe(sha256('x'));
    expect(openFiles()).toBe(before);
  });

  it('fails the digests of a worker that died, and starts a new worker for the next', async () => {
    const own = new WorkerHasher();
    const worker = () => (own as unknown as { worker: { terminate(): Promise<number> } }).worker;
    const file = path.join(dir, 'dying');
    writeFileSync(file, 'abc');
    const before = own.begin(file);
    await worker().terminate();
    await expect(before.digest(3)).rejects.toThrow(/hashing worker exited/);
    const after = own.begin(file);
    expect(await after.digest(3)).toBe(sha256('abc'));
    await own.close();
  });
});
