// Token-bucket rate limiting per user or IP, stored in the bus's shared store so that
// several Parley processes on one Redis share the same limits.
import { Errors } from '@parley/spec';
import type { Config } from '../config/schema.js';
import type { SharedStore } from '../bus/bus.js';
import type { RateLimitCategory, RateLimiter } from './router.js';

export class BucketRateLimiter implements RateLimiter {
  constructor(
    private readonly store: SharedStore,
    private readonly limits: Config['rate_limits'],
  ) {}

  async check(category: RateLimitCategory, key: string): Promise<void> {
    if (!this.limits.enabled) return;
    const { per_second, burst } = this.limits[category];
    const r = await this.store.takeToken(`${category}:${key}`, per_second, burst);
    if (!r.allowed) throw Errors.limitExceeded(r.retryAfterMs);
  }
}
