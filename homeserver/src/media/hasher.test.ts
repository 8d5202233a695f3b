import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerHasher } from './hasher.js';

describe('WorkerHasher', () => {
  const hasher = new WorkerHasher();
  afterAll(() => hasher.close());

  it('hashes like node:crypto across ring wrap-arounds and concurrent hashes', async () => {
    const data = Buffer.alloc(11 * 1024 * 1024 + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const expected = createHash('sha256').update(data).digest('hex');
    const run = async (chunk: number) => {
      const h = hasher.begin();
      for (let i = 0; i < data.length; i += chunk) await h.update(data.subarray(i, i + chunk));
      return h.digest();
    };
    expect(await Promise.all([run(65536), run(1_000_003), run(5 * 1024 * 1024)])).toEqual([expected, expected, expected]);
    expect(await hasher.begin().digest()).toBe(createHash('sha256').digest('hex'));
  });

  it('fails the hashes in progress when its worker dies, and starts a new worker for the next', async () => {
    const own = new WorkerHasher();
    const worker = () => (own as unknown as { worker: { terminate(): Promise<number> } }).worker;
    const before = own.begin();
    await before.update(Buffer.alloc(1000));
    // Stopped while a 5 MiB update waits for the 4 MiB ring to drain.
    const waiting = own.begin();
    const stuck = waiting.update(Buffer.alloc(5 * 1024 * 1024));
    await worker().terminate();
    await expect(before.digest()).rejects.toThrow(/hashing worker exited/);
    await expect(stuck).rejects.toThrow(/hashing worker exited/);
    const after = own.begin();
    await after.update(Buffer.from('abc'));
    expect(await after.digest()).toBe(createHash('sha256').update('abc').digest('hex'));
    await own.close();
  });
});
