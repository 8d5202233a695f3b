// Exponential backoff with jitter for reconnects: 1 s, 2 s, 4 s ... capped.
export function backoffDelay(attempt: number, capMs = 30_000): number {
  const base = Math.min(capMs, 1000 * 2 ** attempt);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
