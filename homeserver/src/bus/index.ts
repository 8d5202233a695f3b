import type { EventBus } from './bus.js';
import { LocalBus } from './local.js';
import { RedisBus } from './redis.js';

export * from './bus.js';
export { LocalBus } from './local.js';
export { RedisBus } from './redis.js';

export async function createBus(redisUrl: string | undefined): Promise<EventBus> {
  return redisUrl ? RedisBus.connect(redisUrl) : new LocalBus();
}
