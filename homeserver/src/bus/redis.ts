import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { BusHandler, EventBus, SharedStore, TakeResult } from './bus.js';

// Token bucket in one atomic step: KEYS[1] bucket, ARGV: perSecond, burst, nowMs.
const TAKE_TOKEN_LUA = `
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local rate = tonumber(ARGV[1]); local burst = tonumber(ARGV[2]); local now = tonumber(ARGV[3])
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local allowed = 0
local retry = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 else retry = math.ceil((1 - tokens) / rate * 1000) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, retry}
`;

class RedisStore implements SharedStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  async takeToken(key: string, perSecond: number, burst: number): Promise<TakeResult> {
    const [allowed, retry] = (await this.redis.eval(
      TAKE_TOKEN_LUA,
      1,
      `${this.prefix}rl:${key}`,
      perSecond,
      burst,
      Date.now(),
    )) as [number, number];
    return { allowed: allowed === 1, retryAfterMs: retry };
  }
}

/** Channels are namespaced by a prefix so several Parley installs can share one Redis. */
export class RedisBus implements EventBus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly local = new EventEmitter();
  readonly store: SharedStore;

  private constructor(url: string, private readonly prefix: string) {
    this.pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    this.sub = new Redis(url, { lazyConnect: true });
    this.local.setMaxListeners(0);
    this.store = new RedisStore(this.pub, prefix);
    this.sub.on('message', (channel: string, raw: string) => {
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        return;
      }
      this.local.emit(channel.slice(this.prefix.length), message);
    });
  }

  static async connect(url: string, prefix = 'parley:'): Promise<RedisBus> {
    const bus = new RedisBus(url, prefix);
    await Promise.all([bus.pub.connect(), bus.sub.connect()]);
    return bus;
  }

  async publish(channel: string, message: unknown): Promise<void> {
    await this.pub.publish(this.prefix + channel, JSON.stringify(message));
  }

  subscribe(channel: string, handler: BusHandler): () => void {
    if (this.local.listenerCount(channel) === 0) void this.sub.subscribe(this.prefix + channel);
    this.local.on(channel, handler);
    return () => {
      this.local.off(channel, handler);
      if (this.local.listenerCount(channel) === 0) void this.sub.unsubscribe(this.prefix + channel).catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.local.removeAllListeners();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }
}
