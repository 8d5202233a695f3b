// A small client of Parley's WebSocket stream for tests: frames are queued and awaited by predicate.
import WebSocket from 'ws';

export interface StreamClient {
  ws: WebSocket;
  frames: any[];
  /** Resolves with the first frame (seen or future) matching `pred` after index `from`. */
  next(pred: (f: any) => boolean, timeoutMs?: number, from?: number): Promise<any>;
  send(frame: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
}

export function wsUrl(baseUrl: string, query: Record<string, string> = {}): string {
  const u = new URL('/_matrix/client/unstable/org.parley.ws', baseUrl.replace(/^http/, 'ws'));
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.toString();
}

export function connectStream(baseUrl: string, opts: { token?: string; query?: Record<string, string> } = {}): Promise<StreamClient> {
  const ws = new WebSocket(wsUrl(baseUrl, opts.query), { headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {} });
  const frames: any[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const client: StreamClient = {
    ws,
    frames,
    closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: (pred, timeoutMs = 10_000, from = 0) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = frames.slice(from).find(pred);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames.slice(-3)).slice(0, 500)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

export function timelineOf(frame: any, roomId: string): any[] {
  return frame?.rooms?.join?.[roomId]?.timeline?.events ?? [];
}
