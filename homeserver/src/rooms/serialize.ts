// Stored events → the client format, with the unsigned data computed at read time.
// https://spec.matrix.org/v1.19/client-server-api/#room-event-format
// Bundled aggregations: https://spec.matrix.org/v1.19/client-server-api/#aggregations-of-child-events
import type { Knex } from 'knex';
import type { JsonObject } from '@parley/spec';
import { toStoredEvent, EVENT_COLUMNS, type StoredEvent } from './store.js';
import { VisibilityChecker } from './visibility.js';

export type ClientEvent = {
  content: JsonObject;
  event_id: string;
  origin_server_ts: number;
  room_id: string;
  sender: string;
  type: string;
  state_key?: string;
  redacts?: string;
  unsigned?: JsonObject;
};

export interface SerializeOptions {
  /** The reader: gets `transaction_id` on their own events sent from `deviceId`, and thread participation. */
  userId?: string;
  deviceId?: string;
  /** Add `unsigned.m.relations` (default true). */
  bundleAggregations?: boolean;
  /** Leave out `room_id` (sync's ClientEventWithoutRoomID). */
  withoutRoomId?: boolean;
}

/** The client form of one event without any lookups. */
export function clientEventOf(e: StoredEvent, now = Date.now()): ClientEvent {
  const out = clientEventWithoutRoomId(e, now) as ClientEvent;
  out.room_id = e.roomId;
  return out;
}

/** The same without `room_id` (as sync sends timeline and state events). */
export function clientEventWithoutRoomId(e: StoredEvent, now = Date.now()): Omit<ClientEvent, 'room_id'> {
  const pdu = e.pdu as unknown as JsonObject;
  const out: Omit<ClientEvent, 'room_id'> = {
    content: (pdu.content ?? {}) as JsonObject,
    event_id: e.eventId,
    origin_server_ts: e.originServerTs,
    sender: e.sender,
    type: e.type,
    unsigned: { age: Math.max(0, now - e.originServerTs) },
  };
  if (e.stateKey !== null) out.state_key = e.stateKey;
  if (e.type === 'm.room.redaction') {
    const redacts = typeof pdu.redacts === 'string' ? pdu.redacts : (out.content.redacts as string | undefined);
    if (typeof redacts === 'string') out.redacts = redacts;
  }
  return out;
}

async function fetchByNids(db: Knex, nids: number[]): Promise<Map<number, StoredEvent>> {
  if (nids.length === 0) return new Map();
  const rows = await db('events as e').join('rooms as r', 'r.room_nid', 'e.room_nid').whereIn('e.stream_ordering', nids).select(EVENT_COLUMNS);
  return new Map(rows.map((r) => [Number(r.stream_ordering), toStoredEvent(r)]));
}

export class EventSerializer {
  constructor(private readonly db: Knex) {}

  async serialize(events: StoredEvent[], options: SerializeOptions = {}): Promise<ClientEvent[]> {
    if (events.length === 0) return [];
    const now = Date.now();
    const out = events.map((e) => (options.withoutRoomId ? clientEventWithoutRoomId(e, now) : clientEventOf(e, now))) as ClientEvent[];

    const lookups: Promise<void>[] = [];
    if (options.userId && options.deviceId) {
      const own = events.filter((e) => e.sender === options.userId).map((e) => e.nid);
      if (own.length) {
        lookups.push(
          this.db('event_txn_ids')
            .whereIn('event_nid', own)
            .where({ user_id: options.userId, device_id: options.deviceId })
            .select('event_nid', 'txn_id')
            .then((rows) => {
              const byNid = new Map(rows.map((r) => [Number(r.event_nid), r.txn_id as string]));
              events.forEach((e, i) => {
                const txn = byNid.get(e.nid);
                if (txn !== undefined) out[i].unsigned!.transaction_id = txn;
              });
            }),
        );
      }
    }
    const extraNids: number[] = [];
    for (const e of events) if (e.redactedBy !== null) extraNids.push(e.redactedBy);
    for (const e of events) if (e.replacesState !== null) extraNids.push(e.replacesState);
    if (extraNids.length) {
      lookups.push(
        fetchByNids(this.db, extraNids).then((extra) => {
          events.forEach((e, i) => {
            const unsigned = out[i].unsigned!;
            if (e.redactedBy !== null) {
              const redaction = extra.get(e.redactedBy);
              if (redaction) unsigned.redacted_because = clientEventOf(redaction, now) as unknown as JsonObject;
            }
            if (e.replacesState !== null) {
              const prev = extra.get(e.replacesState);
              if (prev) {
                unsigned.replaces_state = prev.eventId;
                unsigned.prev_content = ((prev.pdu as unknown as JsonObject).content ?? {}) as JsonObject;
                unsigned.prev_sender = prev.sender;
              }
            }
          });
        }),
      );
    }
    if (options.bundleAggregations !== false) lookups.push(this.bundle(events, out, options.userId));
    if (lookups.length) await Promise.all(lookups);
    return out;
  }

  /** `unsigned.m.relations`: the latest edit, thread summaries and references. */
  private async bundle(events: StoredEvent[], out: ClientEvent[], userId: string | undefined): Promise<void> {
    const ids = events.filter((e) => e.redactedBy === null).map((e) => e.eventId);
    if (ids.length === 0) return;
    const rows = await this.db('event_relations as rel')
      .join('events as e', 'e.stream_ordering', 'rel.event_nid')
      .whereIn('rel.relates_to_id', ids)
      .whereIn('rel.rel_type', ['m.replace', 'm.thread', 'm.reference'])
      .where('e.outlier', false)
      .whereNull('e.rejected_reason')
      .select('rel.relates_to_id', 'rel.rel_type', 'rel.event_nid', 'e.sender', 'e.event_id', 'e.type', 'e.state_key', 'e.origin_server_ts')
      .orderBy('rel.event_nid');
    if (rows.length === 0) return;
    // Thread replies and references by users the reader ignores are left out, as their events are.
    const ignored = userId && rows.some((r) => r.rel_type !== 'm.replace') ? await new VisibilityChecker(this.db).ignoredUsers(userId) : new Set<string>();
    const byTarget = new Map<string, typeof rows>();
    for (const r of rows) {
      if (r.rel_type !== 'm.replace' && ignored.has(r.sender)) continue;
      const list = byTarget.get(r.relates_to_id) ?? [];
      list.push(r);
      byTarget.set(r.relates_to_id, list);
    }
    const wanted: number[] = [];
    const plan = new Map<string, { edit?: number; thread?: { latest: number; count: number; participated: boolean }; refs?: string[] }>();
    for (const e of events) {
      const rels = byTarget.get(e.eventId);
      if (!rels) continue;
      const p: { edit?: number; thread?: { latest: number; count: number; participated: boolean }; refs?: string[] } = {};
      // Edits count only when sent by the original sender, of the same type, and neither is a
      // state event; the latest is the greatest (origin_server_ts, event_id) (spec: m.replace).
      const edits = rels.filter((r) => r.rel_type === 'm.replace' && r.sender === e.sender && r.type === e.type && r.state_key === null);
      if (edits.length && e.stateKey === null) {
        const latest = edits.reduce((a, b) => {
          const ta = Number(a.origin_server_ts);
          const tb = Number(b.origin_server_ts);
          return tb > ta || (tb === ta && b.event_id > a.event_id) ? b : a;
        });
        p.edit = Number(latest.event_nid);
      }
      const thread = rels.filter((r) => r.rel_type === 'm.thread');
      if (thread.length) {
        p.thread = {
          latest: Number(thread[thread.length - 1].event_nid),
          count: thread.length,
          participated: !!userId && (e.sender === userId || thread.some((r) => r.sender === userId)),
        };
      }
      const refs = rels.filter((r) => r.rel_type === 'm.reference');
      if (refs.length) p.refs = refs.map((r) => r.event_id);
      if (p.edit) wanted.push(p.edit);
      if (p.thread) wanted.push(p.thread.latest);
      plan.set(e.eventId, p);
    }
    const fetched = await fetchByNids(this.db, wanted);
    const latestThreadEvents = [...plan.values()].flatMap((p) => (p.thread && fetched.get(p.thread.latest) ? [fetched.get(p.thread.latest)!] : []));
    const serializedLatest = new Map<number, ClientEvent>();
    if (latestThreadEvents.length) {
      const s = await this.serialize(latestThreadEvents, { userId, bundleAggregations: true });
      latestThreadEvents.forEach((ev, i) => serializedLatest.set(ev.nid, s[i]));
    }
    events.forEach((e, i) => {
      const p = plan.get(e.eventId);
      if (!p) return;
      const relations: JsonObject = {};
      if (p.edit && fetched.get(p.edit)) relations['m.replace'] = clientEventOf(fetched.get(p.edit)!) as unknown as JsonObject;
      if (p.thread && serializedLatest.get(p.thread.latest)) {
        relations['m.thread'] = {
          latest_event: serializedLatest.get(p.thread.latest)! as unknown as JsonObject,
          count: p.thread.count,
          current_user_participated: p.thread.participated,
        };
      }
      if (p.refs) relations['m.reference'] = { chunk: p.refs.map((id) => ({ event_id: id })) };
      if (Object.keys(relations).length) out[i].unsigned!['m.relations'] = relations;
    });
  }
}
