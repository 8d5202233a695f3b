import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS, RequestMetrics } from './request-metrics.js';

const samples: Array<[string, string, number, number]> = [
  ['GET', '/_matrix/client/versions', 200, 0.0004],
  ['GET', '/_matrix/client/versions', 200, 0.003],
  ['GET', '/_matrix/client/versions', 404, 0.02],
  ['POST', '/_matrix/client/v3/login', 403, 0.06],
  ['POST', '/_matrix/client/v3/login', 200, 12],
  ['PUT', '/_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}', 200, 0.01],
];

describe('request metrics', () => {
  it("reads exactly as prom-client's own Counter and Histogram given the same requests", async () => {
    const ours = new Registry();
    const metrics = new RequestMetrics(ours);
    const reference = new Registry();
    const counter = new Counter({ name: 'parley_http_requests_total', help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'], registers: [reference] });
    const histogram = new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route'],
      buckets: [...LATENCY_BUCKETS],
      registers: [reference],
    });
    for (const [method, route, status, seconds] of samples) {
      metrics.record(method, route, status, seconds);
      counter.inc({ method, route, status: String(status) });
      histogram.observe({ method, route }, seconds);
    }
    const lines = async (r: Registry) => (await r.metrics()).split('\n').filter(Boolean).sort();
    expect(await lines(ours)).toEqual(await lines(reference));
    expect(await lines(ours)).toContain('parley_http_requests_total{method="GET",route="/_matrix/client/versions",status="200"} 2');
  });

  it('starts again from zero when the registry is reset', async () => {
    const registry = new Registry();
    const metrics = new RequestMetrics(registry);
    metrics.record('GET', '/health', 200, 0.001);
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('route="/health"');
  });
});
