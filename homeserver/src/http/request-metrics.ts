// Request counts and latencies per route for /metrics. Counted in plain fields on the hot path and
// formatted only when scraped: prom-client's labelled Counter and Histogram hash their label set on
// every update, which was a measurable part of a small request. Registered with prom-client's
// registry as two metrics in its own value format, so /metrics reads them like any other.
import type { Registry } from 'prom-client';

/** Latency bucket bounds in seconds (Prometheus `le`). */
export const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10] as const;

interface RouteStats {
  method: string;
  route: string;
  byStatus: Map<number, number>;
  /** Requests per bucket (not cumulative); the last one is +Inf. */
  buckets: number[];
  sum: number;
  count: number;
}

type Value = { labels: Record<string, string | number>; value: number; metricName?: string };

export class RequestMetrics {
  private routes = new Map<string, RouteStats>();

  constructor(registry: Registry) {
    const counter = {
      name: 'parley_http_requests_total',
      help: 'HTTP requests by method, route and status',
      type: 'counter',
      aggregator: 'sum',
    } as const;
    const histogram = {
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      type: 'histogram',
      aggregator: 'sum',
    } as const;
    const reset = () => (this.routes = new Map());
    registry.registerMetric({ ...counter, get: async () => ({ ...counter, values: this.counts() }), reset } as never);
    registry.registerMetric({ ...histogram, get: async () => ({ ...histogram, values: this.latencies(histogram.name) }), reset } as never);
  }

  /** `route` is the endpoint's path as the spec writes it (a bounded set), never the raw URL. */
  record(method: string, route: string, status: number, seconds: number): void {
    const key = method + ' ' + route;
    let r = this.routes.get(key);
    if (!r) {
      r = { method, route, byStatus: new Map(), buckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.routes.set(key, r);
    }
    r.byStatus.set(status, (r.byStatus.get(status) ?? 0) + 1);
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
    r.buckets[i]++;
    r.sum += seconds;
    r.count++;
  }

  private counts(): Value[] {
    const out: Value[] = [];
    for (const r of this.routes.values()) {
      for (const [status, n] of r.byStatus) out.push({ labels: { method: r.method, route: r.route, status: String(status) }, value: n });
    }
    return out;
  }

  private latencies(name: string): Value[] {
    const out: Value[] = [];
    for (const r of this.routes.values()) {
      const labels = { method: r.method, route: r.route };
      let cumulative = 0;
      for (let i = 0; i <= LATENCY_BUCKETS.length; i++) {
        cumulative += r.buckets[i];
        const le = i < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[i] : '+Inf';
        out.push({ metricName: `${name}_bucket`, labels: { le, ...labels }, value: cumulative });
      }
      out.push({ metricName: `${name}_sum`, labels, value: r.sum });
      out.push({ metricName: `${name}_count`, labels, value: r.count });
    }
    return out;
  }
}
