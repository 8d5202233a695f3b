// Prometheus metrics served at /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/database.js';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'parley_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

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
