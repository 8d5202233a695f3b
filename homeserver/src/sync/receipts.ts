// Receipts: https://spec.matrix.org/v1.19/client-server-api/#receipts
import type { Knex } from 'knex';
import { Errors } from '@parley/spec';
import type { EventBus } from '../bus/bus.js';
import { CHANNEL } from './channels.js';
import { requireJoined } from './membership.js';
import { advanceStream } from './streams.js';

export type ReceiptType = 'm.read' | 'm.read.private';

interface ReceiptRow {
  room_id: string;
  receipt_type: string;
  user_id: string;
  thread_id: string;
  event_id: string;
  data: { ts: number };
}

export class ReceiptService {
  constructor(
    private readonly db: Knex,
    private readonly bus: EventBus,
  ) {}

  /** Records a receipt; the event must exist in the room. Older receipts never replace newer ones. */
  async setReceipt(userId: string, roomId: string, type: ReceiptType, eventId: string, threadId?: string): Promise<void> {
    await requireJoined(this.db, userId, roomId);
    const event = await this.db('events as e')
      .join('rooms as r', 'r.room_nid', 'e.room_nid')
      .where({ 'e.event_id': eventId, 'r.room_id': roomId })
      .first('e.stream_ordering');
    if (!event) throw Errors.notFound('Unknown event');
    const ordering = Number(event.stream_ordering);
    const thread = threadId ?? '';
    const written = await this.db.transaction(async (trx) => {
      const existing = await trx('receipts')
        .where({ room_id: roomId, receipt_type: type, user_id: userId, thread_id: thread })
        .forUpdate()
        .first('event_stream_ordering', 'event_id');
      if (existing?.event_id === eventId) return false;
      if (existing && existing.event_stream_ordering !== null && Number(existing.event_stream_ordering) > ordering) return false;
      const streamId = await advanceStream(trx, 'receipts');
      const data: Record<string, unknown> = { ts: Date.now() };
      if (threadId) data.thread_id = threadId;
      await trx('receipts')
        .insert({
          room_id: roomId,
          receipt_type: type,
          user_id: userId,
          thread_id: thread,
          event_id: eventId,
          event_stream_ordering: ordering,
          data,
          stream_id: streamId,
        })
        .onConflict(['room_id', 'receipt_type', 'user_id', 'thread_id'])
        .merge();
      return true;
    });
    if (written) await this.bus.publish(CHANNEL.receipt, { roomId, userId });
  }

  /**
   * m.receipt events for the rooms, with receipts written after `since` (all when since is 0).
   * Private receipts only reach their owner.
   */
  async receiptEvents(viewer: string, roomIds: readonly string[], since: number, upTo: number): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    if (roomIds.length === 0) return out;
    const rows: ReceiptRow[] = await this.db('receipts')
      .whereIn('room_id', roomIds)
      .andWhere('stream_id', '>', since)
      .andWhere('stream_id', '<=', upTo)
      .andWhere((q) => q.where('receipt_type', 'm.read').orWhere({ receipt_type: 'm.read.private', user_id: viewer }))
      .select('room_id', 'receipt_type', 'user_id', 'thread_id', 'event_id', 'data');
    for (const r of rows) {
      let content = out.get(r.room_id);
      if (!content) out.set(r.room_id, (content = {}));
      const byEvent = (content[r.event_id] ??= {}) as Record<string, Record<string, unknown>>;
      (byEvent[r.receipt_type] ??= {})[r.user_id] = r.data;
    }
    return out;
  }

  /** Stream ordering of the user's latest read receipt (public or private, unthreaded or main) in each room. */
  async readUpTo(userId: string, roomIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (roomIds.length === 0) return out;
    const rows = await this.db('receipts')
      .where({ user_id: userId })
      .whereIn('room_id', roomIds)
      .whereIn('receipt_type', ['m.read', 'm.read.private'])
      .whereIn('thread_id', ['', 'main'])
      .groupBy('room_id')
      .select('room_id', this.db.raw('max(event_stream_ordering) as upto'));
    for (const r of rows) out.set(r.room_id, Number(r.upto ?? 0));
    return out;
  }
}
