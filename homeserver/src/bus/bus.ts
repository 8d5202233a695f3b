// Publish/subscribe between the parts of one process, or between processes through Redis.
export type BusHandler = (message: unknown) => void;

export interface EventBus {
  publish(channel: string, message: unknown): Promise<void>;
  /** Returns a function that removes the subscription. */
  subscribe(channel: string, handler: BusHandler): () => void;
  /** A small shared key-value store with atomic token buckets (used by rate limiting). */
  readonly store: SharedStore;
  close(): Promise<void>;
}

export interface TakeResult {
  allowed: boolean;
  retryAfterMs: number;
}

export interface SharedStore {
  /** Takes one token from the bucket `key` (refilled at `perSecond`, capacity `burst`). */
  takeToken(key: string, perSecond: number, burst: number): Promise<TakeResult>;
}
