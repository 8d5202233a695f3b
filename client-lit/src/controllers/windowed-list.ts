// Windowed rendering for long lists of rows with varying heights: only rows near the viewport
// are rendered; the rest are stood in for by two spacers sized from measured (or estimated)
// heights. Keeps the DOM small so a timeline of 10,000 events scrolls without long tasks.

export interface ListWindow {
  start: number;
  end: number; // exclusive
  padTop: number;
  padBottom: number;
}

export class WindowedList {
  private readonly heights = new Map<string, number>();

  constructor(
    private readonly estimate = 64,
    private readonly overscanPx = 800,
  ) {}

  heightOf(key: string): number {
    return this.heights.get(key) ?? this.estimate;
  }

  /** Records a rendered row's height; returns true if it differed from what was assumed. */
  measure(key: string, height: number): boolean {
    const before = this.heightOf(key);
    if (height <= 0 || Math.abs(before - height) < 0.5) return false;
    this.heights.set(key, height);
    return true;
  }

  totalHeight(keys: readonly string[]): number {
    let h = 0;
    for (const k of keys) h += this.heightOf(k);
    return h;
  }

  /** Offset of the row at `index` from the top of the list. */
  offsetOf(keys: readonly string[], index: number): number {
    let h = 0;
    for (let i = 0; i < index && i < keys.length; i++) h += this.heightOf(keys[i]);
    return h;
  }

  compute(keys: readonly string[], scrollTop: number, viewportHeight: number): ListWindow {
    const from = Math.max(0, scrollTop - this.overscanPx);
    const to = scrollTop + viewportHeight + this.overscanPx;
    let y = 0;
    let start = 0;
    while (start < keys.length && y + this.heightOf(keys[start]) < from) y += this.heightOf(keys[start++]);
    const padTop = y;
    let end = start;
    while (end < keys.length && y < to) y += this.heightOf(keys[end++]);
    let padBottom = 0;
    for (let i = end; i < keys.length; i++) padBottom += this.heightOf(keys[i]);
    return { start, end, padTop, padBottom };
  }
}
