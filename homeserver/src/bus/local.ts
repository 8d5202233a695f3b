import { EventEmitter } from 'node:events';
import type { BusHandler, EventBus, SharedStore, TakeResult } from './bus.js';

interface Bucket {
  tokens: number;
  at: number;
}

export class LocalStore implements SharedStore {
  private buckets = new Map<string, Bucket>();
  private sweeps = 0;

  async takeToken(key: string, perSecond: number, burst: number): Promise<TakeResult> {
    return this.takeTokenSync(key, perSecond, burst);
  }

  takeTokenSync(key: string, perSecond: number, burst: number, now = Date.now()): TakeResult {
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    let result: TakeResult;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      result = { allowed: true, retryAfterMs: 0 };
    } else {
      result = { allowed: false, retryAfterMs: Math.ceil(((1 - b.tokens) / perSecond) * 1000) };
    }
    this.buckets.set(key, b);
    if (++this.sweeps % 10_000 === 0) this.sweep(now);
    return result;
  }

  /** Forget buckets that are full again, so memory stays bounded. */
  private sweep(now: number): void {
    for (const [k, b] of this.buckets) if (now - b.at > 3_600_000) this.buckets.delete(k);
  }
}

export class LocalBus implements EventBus {
  private emitter = new EventEmitter();
  readonly store = new LocalStore();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  async publish(channel: string, message: unknown): Promise<void> {
    this.emitter.emit(channel, message);
  }

  subscribe(channel: string, handler: BusHandler): () => void {
    this.emitter.on(channel, handler);
    return () => this.emitter.off(channel, handler);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
