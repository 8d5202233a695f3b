// State resolution for the server: in-process for small inputs, in a worker thread above a
// size threshold so a large resolution does not block the event loop.
// The spec functions are synchronous, so the caller loads every event the resolution may touch
// (the state sets and their auth chains) into `eventMap` first.

import { Worker } from 'node:worker_threads';
import { getRoomVersion, resolveState as resolveInProcess, type AuthOptions, type RoomEvent, type StateKey } from '@parley/spec';
import type { StateResReply, StateResRequest } from './state-res-worker.js';

export type StateMap = ReadonlyMap<StateKey, string>;

export interface ResolveStateOptions {
  /** Event-map size from which the resolution runs in the worker (default 2,000 events). */
  workerThreshold?: number;
  /** Events rejected on receipt. */
  rejected?: ReadonlySet<string>;
  /**
   * Verifiers for the auth rules. Functions cannot cross to the worker: resolutions with
   * authOptions always run in-process.
   */
  authOptions?: AuthOptions;
}

export const DEFAULT_WORKER_THRESHOLD = 2_000;

export async function resolveState(
  roomVersionId: string,
  stateSets: readonly StateMap[],
  eventMap: ReadonlyMap<string, RoomEvent>,
  options: ResolveStateOptions = {},
): Promise<Map<StateKey, string>> {
  const roomVersion = getRoomVersion(roomVersionId);
  if (!roomVersion) throw new Error(`unknown room version ${roomVersionId}`);
  const threshold = options.workerThreshold ?? DEFAULT_WORKER_THRESHOLD;
  if (eventMap.size < threshold || options.authOptions) {
    const rejected = options.rejected;
    return resolveInProcess(roomVersion, {
      stateSets,
      fetchEvent: (id) => eventMap.get(id),
      isRejected: rejected ? (id) => rejected.has(id) : undefined,
      authOptions: options.authOptions,
    });
  }
  const reply = await stateResWorker().run({
    roomVersion: roomVersionId,
    stateSets: stateSets.map((set) => [...set]),
    events: [...eventMap.values()],
    rejected: [...(options.rejected ?? [])],
  });
  return new Map(reply);
}

/** One long-lived worker, started on first use; unref'd so it never keeps the process alive. */
class StateResWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (state: Array<[string, string]>) => void; reject: (error: Error) => void }>();

  constructor() {
    this.worker = startWorker();
    this.worker.unref();
    this.worker.on('message', (reply: StateResReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.state);
      else waiter.reject(new Error(`state resolution failed in worker: ${reply.error}`));
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => {
      this.failAll(new Error(`state resolution worker exited with code ${code}`));
      if (current === this) current = undefined;
    });
  }

  run(request: Omit<StateResRequest, 'id'>): Promise<Array<[string, string]>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...request, id } satisfies StateResRequest);
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    }) as Promise<Array<[string, string]>>;
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * From the built dist the worker is plain JS. From TypeScript sources (tests, `--import tsx`) it
 * needs the tsx loader, registered inside the worker before its entry is imported (Node 20 does
 * not apply `--import tsx` from execArgv to a worker's entry), and the `source` export condition
 * so @parley/spec resolves to src/.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./state-res-worker.js', import.meta.url));
  const entry = new URL('./state-res-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, execArgv: ['--conditions=source'] });
}

let current: StateResWorker | undefined;

function stateResWorker(): StateResWorker {
  current ??= new StateResWorker();
  return current;
}

/** Stops the worker (tests, shutdown). The next large resolution starts a new one. */
export async function stopStateResWorker(): Promise<void> {
  const worker = current;
  current = undefined;
  await worker?.terminate();
}
