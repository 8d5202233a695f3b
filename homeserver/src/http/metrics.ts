// Prometheus metrics served at /metrics.
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/database.js';
import { RequestMetrics } from './request-metrics.js';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new RequestMetrics(this.registry);

  constructor(db?: Database) {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
    if (db) {
      const pool = () => (db.client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number } }).pool;
      new Gauge({
        name: 'parley_db_pool_connections',
        help: 'Database pool connections by state',
        labelNames: ['state'] as const,
        registers: [this.registry],
        collect() {
          const p = pool();
          if (!p) return;
          this.set({ state: 'used' }, p.numUsed());
          this.set({ state: 'free' }, p.numFree());
          this.set({ state: 'pending' }, p.numPendingAcquires());
        },
      });
    }
  }
}
