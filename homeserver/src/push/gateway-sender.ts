// Posts notifications to HTTP push gateways (https://spec.matrix.org/v1.19/push-gateway-api/)
// with retries and exponential backoff. Deliveries are kept in memory per process: a gateway
// that stays down for longer than the retry budget loses those notifications (as Synapse does).
import type { Logger } from 'pino';
import type { PusherRow } from './pushers.js';

export interface GatewayNotification {
  event_id: string;
  room_id: string;
  type: string;
  sender: string;
  content?: unknown;
  sender_display_name?: string;
  room_name?: string;
  prio: 'high' | 'low';
  counts: { unread: number; missed_calls?: number };
  devices: Array<{ app_id: string; pushkey: string; pushkey_ts?: number; data?: unknown; tweaks?: Record<string, unknown> }>;
}

export interface GatewayOptions {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

export const DEFAULT_GATEWAY_OPTIONS: GatewayOptions = { maxAttempts: 8, initialBackoffMs: 1000, maxBackoffMs: 5 * 60_000, timeoutMs: 10_000 };

export class GatewaySender {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly opts: GatewayOptions = DEFAULT_GATEWAY_OPTIONS,
  ) {}

  send(pusher: PusherRow, notification: GatewayNotification): void {
    if (pusher.kind !== 'http' || typeof pusher.data.url !== 'string') return;
    const { url, format, ...data } = pusher.data;
    let body: GatewayNotification | Partial<GatewayNotification> = notification;
    if (format === 'event_id_only') {
      body = { event_id: notification.event_id, room_id: notification.room_id, counts: notification.counts, prio: notification.prio, devices: [] };
    }
    const device = { app_id: pusher.app_id, pushkey: pusher.pushkey, data: { ...data, ...(format ? { format } : {}) }, tweaks: notification.devices[0]?.tweaks ?? {} };
    void this.attempt(url, { notification: { ...body, devices: [device] } }, 1);
  }

  private async attempt(url: string, payload: unknown, attempt: number): Promise<void> {
    if (this.closed) return;
    let retry = true;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      await res.body?.cancel().catch(() => {});
      if (res.ok) return;
      // 4xx other than 429: the gateway will never accept it.
      retry = res.status >= 500 || res.status === 429;
      this.log.warn({ status: res.status, attempt }, 'push gateway refused a notification');
    } catch (err) {
      this.log.warn({ err: (err as Error).message, attempt }, 'push gateway unreachable');
    }
    if (!retry || attempt >= this.opts.maxAttempts) return;
    const delay = Math.min(this.opts.maxBackoffMs, this.opts.initialBackoffMs * 2 ** (attempt - 1));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(url, payload, attempt + 1);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
  }
}
