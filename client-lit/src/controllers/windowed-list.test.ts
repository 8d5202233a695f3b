import { describe, expect, it } from 'vitest';
import { WindowedList } from './windowed-list.js';

const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);

describe('WindowedList', () => {
  it('sums estimated and measured heights', () => {
    const list = new WindowedList(50, 0);
    list.setKeys(keys(10));
    expect(list.totalHeight).toBe(500);
    expect(list.measure('k3', 80)).toBe(true);
    expect(list.measure('k3', 80.2)).toBe(false);
    expect(list.offsetOf(3)).toBe(150);
    expect(list.offsetOf(4)).toBe(230);
    expect(list.totalHeight).toBe(530);
  });

  it('finds the row at an offset', () => {
    const list = new WindowedList(50, 0);
    list.setKeys(keys(10));
    list.measure('k0', 10);
    expect(list.indexAt(0)).toBe(0);
    expect(list.indexAt(9.9)).toBe(0);
    expect(list.indexAt(10)).toBe(1);
    expect(list.indexAt(59)).toBe(1);
    expect(list.indexAt(60)).toBe(2);
    expect(list.indexAt(1e9)).toBe(9);
  });

  it('keeps measurements when rows are added before and after', () => {
    const list = new WindowedList(50, 0);
    list.setKeys(['b', 'c']);
    list.measure('b', 20);
    list.setKeys(['a', 'b', 'c', 'd']);
    expect(list.offsetOf(2)).toBe(70);
    expect(list.totalHeight).toBe(170);
  });

  it('computes a window with overscan and exact spacers', () => {
    const list = new WindowedList(100, 200);
    list.setKeys(keys(1000));
    const w = list.compute(50_000, 500);
    expect(w.start).toBe(498);
    expect(w.end).toBe(508);
    expect(w.padTop).toBe(49_800);
    expect(w.padTop + (w.end - w.start) * 100 + w.padBottom).toBe(100_000);
    expect(list.compute(0, 500, 0)).toEqual({ start: 0, end: 6, padTop: 0, padBottom: 99_400 });
  });

  it('agrees with a plain sum on random heights', () => {
    const list = new WindowedList(40, 0);
    const ks = keys(777);
    list.setKeys(ks);
    const h = ks.map(() => 40);
    for (let i = 0; i < 500; i++) {
      const j = Math.floor(Math.random() * ks.length);
      h[j] = 10 + Math.floor(Math.random() * 200);
      list.measure(ks[j], h[j]);
    }
    for (const i of [0, 1, 2, 100, 511, 512, 776, 777]) expect(list.offsetOf(i)).toBe(h.slice(0, i).reduce((a, b) => a + b, 0));
    for (let y = 0; y < 5000; y += 37) {
      const i = list.indexAt(y);
      expect(list.offsetOf(i)).toBeLessThanOrEqual(y);
      expect(list.offsetOf(i + 1)).toBeGreaterThan(y);
    }
  });
});
