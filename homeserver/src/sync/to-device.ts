// Send-to-device messages: https://spec.matrix.org/v1.19/client-server-api/#send-to-device-messaging
// Queued per device with a `to_device` stream position; a sync delivers them in order and the
// next sync (whose since token passes them) acknowledges and deletes them.
import type { Knex } from 'knex';
import type { EventBus } from '../bus/bus.js';
import { CHANNEL } from './channels.js';
import { advanceStream } from './streams.js';

/** At most this many messages per sync response; the rest follow in the next one. */
export const TO_DEVICE_BATCH = 100;

export interface ToDeviceEvent {
  type: string;
  sender: string;
  content: Record<string, unknown>;
}

export class ToDeviceService {
  constructor(
    private readonly db: Knex,
    private readonly bus: EventBus,
    private readonly serverName: string,
  ) {}

  /** Queues the messages; a repeated (sender device, txnId) is a no-op. Remote users are skipped. */
  async send(
    sender: { userId: string; deviceId: string },
    type: string,
    txnId: string,
    messages: Record<string, Record<string, Record<string, unknown>>>,
  ): Promise<void> {
    const woken: Array<{ userId: string; deviceId: string }> = [];
    await this.db.transaction(async (trx) => {
      const inserted = await trx('to_device_txns')
        .insert({ user_id: sender.userId, device_id: sender.deviceId, txn_id: txnId, created_ts: Date.now() })
        .onConflict(['user_id', 'device_id', 'txn_id'])
        .ignore()
        .returning('txn_id');
      if (inserted.length === 0) return;
      const rows: Array<{ user_id: string; device_id: string; content: Record<string, unknown> }> = [];
      for (const [userId, byDevice] of Object.entries(messages)) {
        if (!userId.endsWith(`:${this.serverName}`)) continue;
        for (const [deviceId, content] of Object.entries(byDevice)) {
          const devices =
            deviceId === '*'
              ? (await trx('devices').where({ user_id: userId }).select('device_id')).map((d: { device_id: string }) => d.device_id)
              : [deviceId];
          for (const d of devices) rows.push({ user_id: userId, device_id: d, content });
          woken.push({ userId, deviceId });
        }
      }
      if (rows.length === 0) return;
      const last = await advanceStream(trx, 'to_device', rows.length);
      const first = last - rows.length + 1;
      const now = Date.now();
      await trx.batchInsert(
        'to_device_messages',
        rows.map((r, i) => ({ stream_id: first + i, ...r, sender: sender.userId, type, created_ts: now })),
        500,
      );
    });
    for (const w of woken) await this.bus.publish(CHANNEL.toDevice, w);
  }

  /**
   * Deletes what the device acknowledged (everything up to `since`) and returns the next batch
   * after it, with the position the next token should carry.
   */
  async take(userId: string, deviceId: string, since: number, upTo: number): Promise<{ events: ToDeviceEvent[]; position: number }> {
    if (since > 0) {
      await this.db('to_device_messages').where({ user_id: userId, device_id: deviceId }).andWhere('stream_id', '<=', since).delete();
    }
    const rows = await this.db('to_device_messages')
      .where({ user_id: userId, device_id: deviceId })
      .andWhere('stream_id', '>', since)
      .andWhere('stream_id', '<=', upTo)
      .orderBy('stream_id')
      .limit(TO_DEVICE_BATCH)
      .select('stream_id', 'sender', 'type', 'content');
    const events = rows.map((r) => ({ type: r.type, sender: r.sender, content: r.content }));
    const position = rows.length === TO_DEVICE_BATCH ? Number(rows[rows.length - 1].stream_id) : upTo;
    return { events, position };
  }
}
