import { describe, expect, it } from 'vitest';
import { RandomPool } from './random-pool.js';

describe('RandomPool', () => {
  it('hands out each byte once, refilling when it runs out', () => {
    const pool = new RandomPool(64);
    const taken = Array.from({ length: 40 }, () => pool.take(24).toString('hex'));
    expect(new Set(taken).size).toBe(taken.length);
    expect(taken.every((hex) => hex.length === 48)).toBe(true);
  });

  it('returns copies and wipes what it handed out', () => {
    const pool = new RandomPool(32);
    const first = pool.take(16);
    const copy = Buffer.from(first);
    pool.take(16);
    expect(first).toEqual(copy);
    expect((pool as unknown as { buffer: Buffer }).buffer.every((b) => b === 0)).toBe(true);
  });

  it('serves requests larger than the pool directly', () => {
    expect(new RandomPool(16).take(100)).toHaveLength(100);
  });
});
