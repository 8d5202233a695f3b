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
});
