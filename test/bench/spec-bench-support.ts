// Shared helpers for the spec benchmarks: interleaved timing rounds so that a ratio compares
// two loops measured under the same machine load.

export interface Measured {
  opsPerSecond: number;
}

/** Runs `fn` repeatedly for about `ms` milliseconds; returns operations per second. */
export function measure(fn: () => void, ms: number): number {
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    ops += 100;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

/** Median over `rounds` interleaved runs of the candidate/baseline ratio, plus median rates. */
export function compare(candidate: () => void, baseline: () => void, rounds = 7, ms = 250) {
  measure(candidate, 200);
  measure(baseline, 200);
  const ratios: number[] = [];
  const candidates: number[] = [];
  const baselines: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const b = measure(baseline, ms);
    const c = measure(candidate, ms);
    baselines.push(b);
    candidates.push(c);
    ratios.push(c / b);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return { candidate: median(candidates), baseline: median(baselines), ratio: median(ratios) };
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
