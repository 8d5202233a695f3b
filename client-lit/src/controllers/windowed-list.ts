// Windowed rendering for long lists of rows with varying heights: only rows near the viewport
// are rendered; the rest are stood in for by two spacers sized from measured (or estimated)
// heights. Heights sit in a Fenwick tree, so the offset of a row, the row at an offset and a
// height correction each cost O(log n): a timeline of 10,000 events scrolls without long tasks.

export interface ListWindow {
  start: number;
  end: number; // exclusive
  padTop: number;
  padBottom: number;
}

export class WindowedList {
  /** Measured heights by key; they survive changes to the list (new rows, history). */
  private readonly measured = new Map<string, number>();
  private keys: readonly string[] = [];
  private readonly indexOfKey = new Map<string, number>();
  private heights = new Float64Array(0);
  private tree = new Float64Array(1); // 1-based Fenwick tree over `heights`

  constructor(
    readonly estimate = 64,
    readonly overscanPx = 800,
  ) {}

  get length(): number {
    return this.keys.length;
  }

  /** Sets the rows, in order. O(n), and a no-op when given the same array again. */
  setKeys(keys: readonly string[]): void {
    if (keys === this.keys) return;
    this.keys = keys;
    const n = keys.length;
    this.indexOfKey.clear();
    this.heights = new Float64Array(n);
    this.tree = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      this.indexOfKey.set(keys[i], i);
      const h = this.measured.get(keys[i]) ?? this.estimate;
      this.heights[i] = h;
      this.tree[i + 1] += h;
      const parent = i + 1 + ((i + 1) & -(i + 1));
      if (parent <= n) this.tree[parent] += this.tree[i + 1];
    }
  }

  heightOf(key: string): number {
    return this.measured.get(key) ?? this.estimate;
  }

  /** Records a rendered row's height; returns true if it differed from what was assumed. */
  measure(key: string, height: number): boolean {
    if (height <= 0) return false;
    const before = this.heightOf(key);
    if (Math.abs(before - height) < 0.5) return false;
    this.measured.set(key, height);
    const i = this.indexOfKey.get(key);
    if (i !== undefined) {
      const delta = height - this.heights[i];
      this.heights[i] = height;
      for (let j = i + 1; j < this.tree.length; j += j & -j) this.tree[j] += delta;
    }
    return true;
  }

  /** Offset of the row at `index` from the top of the list (the sum of the heights before it). */
  offsetOf(index: number): number {
    let sum = 0;
    for (let j = Math.min(index, this.keys.length); j > 0; j -= j & -j) sum += this.tree[j];
    return sum;
  }

  get totalHeight(): number {
    return this.offsetOf(this.keys.length);
  }

  /** The row covering offset `y` (clamped to the list). */
  indexAt(y: number): number {
    const n = this.keys.length;
    if (n === 0 || y <= 0) return 0;
    let pos = 0;
    let rest = y;
    for (let step = 1 << Math.floor(Math.log2(n)); step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= n && this.tree[next] <= rest) {
        pos = next;
        rest -= this.tree[next];
      }
    }
    return Math.min(pos, n - 1);
  }

  compute(scrollTop: number, viewportHeight: number, overscanPx = this.overscanPx): ListWindow {
    const n = this.keys.length;
    if (n === 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
    const start = this.indexAt(Math.max(0, scrollTop - overscanPx));
    const end = Math.min(n, this.indexAt(scrollTop + viewportHeight + overscanPx) + 1);
    const padTop = this.offsetOf(start);
    return { start, end, padTop, padBottom: this.totalHeight - this.offsetOf(end) };
  }
}
