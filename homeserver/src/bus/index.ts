import type { EventBus } from './bus.js';
import { LocalBus } from './local.js';

export * from './bus.js';
export { LocalBus } from './local.js';
export type { RedisBus } from './redis.js';

/** ioredis loads only when Redis is configured. */
export async function createBus(redisUrl: string | undefined): Promise<EventBus> {
  if (!redisUrl) return new LocalBus();
  const { RedisBus } = await import('./redis.js');
  return RedisBus.connect(redisUrl);
}
