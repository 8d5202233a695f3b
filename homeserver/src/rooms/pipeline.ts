// The one path by which a new local event enters a room: choose prev events, auth events and
// depth; hash and sign; authorize against the state before; persist the event, its edges, its
// state and the current state in one transaction; then notify (docs/storage.md).
import '@parley/spec/crypto-node';
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import {
  Errors,
  MatrixError,
  authEventKeys,
  authorizeEvent,
  checkPduFormat,
  computeEventId,
  computeRoomIdFromCreateEvent,
  hashAndSignEvent,
  redactEvent,
  redactionTarget,
  stateKey,
  type EventEdge,
  type JsonObject,
  type PDU,
  type RoomEvent,
  type RoomVersion,
  type StateKey,
} from '@parley/spec';
import type { EventBus } from '../bus/bus.js';
import { appendStateGroup } from './state-groups.js';
import type { StreamAllocator } from './stream.js';
import { RoomStore, type RoomInfo, type StoredEvent } from './store.js';

/** Sends to one room are serialized by this advisory lock (two-int form: namespace, room nid). */
const ROOM_LOCK_NAMESPACE = 0x726f6f6d; // 'room'
/** The next event cites at most this many forward extremities. */
export const MAX_PREV_EVENTS_CITED = 10;

export interface NewEvent {
  type: string;
  sender: string;
  content: JsonObject;
  state_key?: string;
  /** The redacted event of an `m.room.redaction` (placed per room version). */
  redacts?: string;
}

export interface TxnKey {
  userId: string;
  deviceId: string;
  /** The endpoint the transaction id is scoped to (spec: per device and per endpoint). */
  scope: string;
  txnId: string;
}

export interface SendOptions {
  txn?: TxnKey;
  /** Extra authorization against the state before the event (e.g. redaction rights); throw to refuse. */
  check?: (event: RoomEvent, state: RoomStateView) => void | Promise<void>;
}

export interface PersistedEvent {
  roomId: string;
  eventId: string;
  streamOrdering: number;
  event: RoomEvent;
  /** True when the transaction id was seen before and no new event was made. */
  duplicate?: boolean;
}

/** What the `room.event` bus channel carries. */
export interface RoomEventNotification {
  roomId: string;
  streamOrdering: number;
  eventId: string;
  type: string;
  stateKey?: string;
  sender: string;
  membership?: string;
}
export const ROOM_EVENT_CHANNEL = 'room.event';

export interface PipelineDeps {
  db: Knex;
  bus: EventBus;
  log: Logger;
  serverName: string;
  signingKey: { keyId: string; seed: Uint8Array };
  streams: StreamAllocator;
  store: RoomStore;
}

/** A view of the room's current state inside a write transaction (loaded on demand). */
export class RoomStateView {
  private readonly cache = new Map<StateKey, StoredEvent | null>();

  constructor(
    private readonly trx: Knex.Transaction,
    private readonly store: RoomStore,
    readonly room: RoomInfo,
  ) {}

  async load(keys: ReadonlyArray<[string, string]>): Promise<void> {
    const missing = keys.filter(([t, k]) => !this.cache.has(stateKey(t, k)));
    if (missing.length === 0) return;
    const found = await this.store.currentState(this.room.roomNid, missing, this.trx);
    for (const [t, k] of missing) this.cache.set(stateKey(t, k), found.get(stateKey(t, k)) ?? null);
  }

  /** Synchronous lookup over what was loaded. */
  get(type: string, key = ''): StoredEvent | undefined {
    return this.cache.get(stateKey(type, key)) ?? undefined;
  }

  set(event: StoredEvent): void {
    this.cache.set(stateKey(event.type, event.stateKey ?? ''), event);
  }

  /** Everything loaded so far (absent keys as null), to seed the next write on the same tip. */
  entries(): Map<StateKey, StoredEvent | null> {
    return this.cache;
  }

  seed(entries: Map<StateKey, StoredEvent | null>): void {
    for (const [k, v] of entries) this.cache.set(k, v);
  }
}

interface Extremity {
  nid: number;
  eventId: string;
  depth: number;
  stateGroup: number | null;
  chainLength: number;
  sha256?: string;
}

/** Per-transaction state of a room being written. */
interface RoomWrite {
  room: RoomInfo;
  createEvent: RoomEvent | undefined;
  state: RoomStateView;
  extremities: Extremity[];
  /** Group holding the current state, when it is the single extremity's. */
  group: { id: number; chainLength: number } | undefined;
  notifications: RoomEventNotification[];
  /** Rows not yet written; flushed after each event, or once at the end in bulk mode. */
  pending: PendingRows;
  bulk: boolean;
  /** Positions allocated by this write (abandoned if it fails) and those not used yet. */
  allocated: number[];
  preallocated: number[];
}

interface PendingRows {
  positions: number[];
  events: Record<string, unknown>[];
  edges: Record<string, unknown>[];
  txns: Record<string, unknown>[];
  relations: Record<string, unknown>[];
  memberships: Record<string, unknown>[];
  currentState: Map<StateKey, [type: string, stateKey: string, nid: number]>;
  currentMemberships: Map<string, [membership: string, nid: number]>;
  replacedExtremities: Set<number>;
}

function emptyRows(): PendingRows {
  return {
    positions: [],
    events: [],
    edges: [],
    txns: [],
    relations: [],
    memberships: [],
    currentState: new Map(),
    currentMemberships: new Map(),
    replacedExtremities: new Set(),
  };
}

/** The relation an event's content declares (`m.relates_to` with `rel_type` and `event_id`). */
function relationOf(content: JsonObject): { relates_to_id: string; rel_type: string; aggregation_key: string | null } | undefined {
  const rel = content['m.relates_to'];
  if (!rel || typeof rel !== 'object' || Array.isArray(rel)) return undefined;
  const { rel_type: relType, event_id: target, key } = rel as Record<string, unknown>;
  if (typeof relType !== 'string' || typeof target !== 'string') return undefined;
  return { relates_to_id: target, rel_type: relType, aggregation_key: typeof key === 'string' ? key : null };
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === constraint;
}

export class EventPipeline {
  /**
   * Per room: the state entries loaded by the last write, valid while its last event is the
   * room's only forward extremity (any other writer, in any process, moves the tip).
   */
  private readonly stateCache = new Map<number, { tip: number; entries: Map<StateKey, StoredEvent | null> }>();

  constructor(private readonly deps: PipelineDeps) {}

  get store(): RoomStore {
    return this.deps.store;
  }

  /** The event a transaction id already produced, if any. */
  async eventForTxn(txn: TxnKey): Promise<PersistedEvent | undefined> {
    const row = await this.deps
      .db('event_txn_ids as t')
      .join('events as e', 'e.stream_ordering', 't.event_nid')
      .join('rooms as r', 'r.room_nid', 'e.room_nid')
      .where({ 't.user_id': txn.userId, 't.device_id': txn.deviceId, 't.scope': txn.scope, 't.txn_id': txn.txnId })
      .first('e.event_id', 'e.stream_ordering', 'e.json', 'r.room_id');
    if (!row) return undefined;
    return { roomId: row.room_id, eventId: row.event_id, streamOrdering: Number(row.stream_ordering), event: JSON.parse(row.json), duplicate: true };
  }

  /** Sends one event into an existing room. */
  async send(roomId: string, input: NewEvent, options: SendOptions = {}): Promise<PersistedEvent> {
    if (options.txn) {
      const seen = await this.eventForTxn(options.txn);
      if (seen) return seen;
    }
    const room = await this.deps.store.requireRoom(roomId);
    try {
      const [result] = await this.write(room, async (w, trx) => [await this.append(w, trx, input, options)]);
      return result;
    } catch (err) {
      if (options.txn && isUniqueViolation(err, 'event_txn_ids_pkey')) {
        const seen = await this.eventForTxn(options.txn);
        if (seen) return seen;
      }
      throw err;
    }
  }

  /**
   * Creates a room: the create event, then `initial` (built in order, each against the state the
   * previous ones made), all in one transaction.
   */
  async createRoom(
    version: RoomVersion,
    creator: string,
    createContent: JsonObject,
    initial: (roomId: string) => NewEvent[],
  ): Promise<{ roomId: string; events: PersistedEvent[] }> {
    const content: JsonObject = { ...createContent, room_version: version.id };
    if (version.createContentCreatorRequired) content.creator = creator;
    const partial: JsonObject = {
      auth_events: [],
      content,
      depth: 1,
      origin_server_ts: Date.now(),
      prev_events: [],
      sender: creator,
      state_key: '',
      type: 'm.room.create',
    };
    let roomId: string;
    let createPdu: PDU;
    if (version.roomIdIsCreateEventHash) {
      createPdu = this.sign(partial, version);
      roomId = computeRoomIdFromCreateEvent(createPdu as unknown as JsonObject, version);
    } else {
      roomId = `!${randomBytes(12).toString('base64url')}:${this.deps.serverName}`;
      partial.room_id = roomId;
      if (version.eventIdInPdu) partial.event_id = this.localEventId();
      createPdu = this.sign(partial, version);
    }
    let write: RoomWrite | undefined;
    const events = await this.deps.db.transaction(async (trx) => {
      const [row] = await trx('rooms')
        .insert({ room_id: roomId, room_version: version.id, creator, created_ts: Date.now() })
        .returning('*');
      const room = this.deps.store.remember(row);
      const w = (write = await this.beginWrite(trx, room));
      const persisted = [await this.persist(w, trx, createPdu as RoomEvent, { type: 'm.room.create', sender: creator, content, state_key: '' })];
      for (const ev of initial(roomId)) persisted.push(await this.append(w, trx, ev, {}));
      await this.flush(w, trx);
      return { persisted, notifications: w.notifications };
    }).catch(async (err) => {
      await this.abandon(write);
      throw err;
    });
    this.notify(events.notifications);
    return { roomId, events: events.persisted };
  }

  /** Runs `fn` holding the room's lock, then publishes the notifications. */
  async write<T>(room: RoomInfo, fn: (w: RoomWrite, trx: Knex.Transaction) => Promise<T>): Promise<T> {
    let w: RoomWrite | undefined;
    try {
      const { result, notifications } = await this.deps.db.transaction(async (trx) => {
        await trx.raw('SELECT pg_advisory_xact_lock(?, ?)', [ROOM_LOCK_NAMESPACE, room.roomNid]);
        w = await this.beginWrite(trx, room);
        const result = await fn(w, trx);
        await this.flush(w, trx);
        return { result, notifications: w.notifications };
      });
      const tip = w!.extremities.length === 1 ? w!.extremities[0].nid : undefined;
      if (tip !== undefined && this.stateCache.size < 10_000) this.stateCache.set(room.roomNid, { tip, entries: w!.state.entries() });
      else this.stateCache.delete(room.roomNid);
      this.notify(notifications);
      return result;
    } catch (err) {
      await this.abandon(w);
      throw err;
    }
  }

  /**
   * Every row of the queued events in one statement (data-modifying CTEs; foreign keys are
   * checked at its end), so a send costs one round trip for its writes.
   */
  private async flushInOneStatement(w: RoomWrite, trx: Knex.Transaction): Promise<void> {
    const rows = w.pending;
    const roomNid = w.room.roomNid;
    const parts: string[] = [];
    const bindings: unknown[] = [];
    const insert = (table: string, list: Record<string, unknown>[], suffix = '') => {
      if (list.length === 0) return;
      const cols = Object.keys(list[0]);
      parts.push(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${list.map(() => `(${cols.map(() => '?').join(', ')})`).join(', ')} ${suffix}`);
      for (const r of list) for (const c of cols) bindings.push(r[c]);
    };
    insert('events', rows.events);
    insert('event_edges', rows.edges);
    insert('event_txn_ids', rows.txns);
    insert('event_relations', rows.relations);
    insert('room_memberships', rows.memberships);
    insert(
      'current_state',
      [...rows.currentState.values()].map(([type, key, nid]) => ({ room_nid: roomNid, type, state_key: key, event_nid: nid })),
      'ON CONFLICT (room_nid, type, state_key) DO UPDATE SET event_nid = excluded.event_nid',
    );
    insert(
      'current_memberships',
      [...rows.currentMemberships.entries()].map(([user, [membership, nid]]) => ({ room_nid: roomNid, user_id: user, membership, event_nid: nid, forgotten: false })),
      `ON CONFLICT (room_nid, user_id) DO UPDATE SET membership = excluded.membership, event_nid = excluded.event_nid,
         forgotten = current_memberships.forgotten AND excluded.membership NOT IN ('join', 'invite', 'knock')`,
    );
    parts.push('DELETE FROM stream_in_flight WHERE stream_ordering = ANY(?::bigint[])');
    bindings.push(rows.positions);
    if (rows.replacedExtremities.size) {
      parts.push('DELETE FROM forward_extremities WHERE room_nid = ? AND event_nid = ANY(?::bigint[])');
      bindings.push(roomNid, [...rows.replacedExtremities]);
    }
    const tip = rows.events[rows.events.length - 1].stream_ordering;
    const sql = `WITH ${parts.map((p, i) => `w${i} AS (${p})`).join(', ')} INSERT INTO forward_extremities (room_nid, event_nid) VALUES (?, ?)`;
    bindings.push(roomNid, tip);
    await trx.raw(sql, bindings as Knex.RawBinding[]);
    w.pending = emptyRows();
  }

  /** The transaction is lost: free its positions (on the pool, not the transaction). */
  private async abandon(w: RoomWrite | undefined): Promise<void> {
    const positions = [...(w?.allocated ?? []), ...(w?.preallocated ?? [])];
    if (positions.length) await this.deps.db('stream_in_flight').whereIn('stream_ordering', positions).delete().catch(() => {});
  }

  /**
   * Appends many events in one transaction with multi-row writes (imports, benchmarks, and
   * later federation backfill of local-looking batches). All or nothing.
   */
  async sendBatch(roomId: string, inputs: NewEvent[]): Promise<PersistedEvent[]> {
    const room = await this.deps.store.requireRoom(roomId);
    return this.write(room, async (w, trx) => {
      w.bulk = true;
      w.preallocated = await this.deps.streams.allocateMany(inputs.length);
      const out: PersistedEvent[] = [];
      for (const input of inputs) out.push(await this.append(w, trx, input, {}));
      return out;
    });
  }

  private async beginWrite(trx: Knex.Transaction, room: RoomInfo): Promise<RoomWrite> {
    const rows = await trx('forward_extremities as f')
      .join('events as e', 'e.stream_ordering', 'f.event_nid')
      .leftJoin('state_groups as g', 'g.id', 'e.state_group')
      .where('f.room_nid', room.roomNid)
      .select('e.stream_ordering', 'e.event_id', 'e.depth', 'e.state_group', 'g.chain_length', room.version.edgesAsPairs ? 'e.json' : trx.raw('null as json'))
      .orderBy('e.depth', 'desc')
      .limit(MAX_PREV_EVENTS_CITED);
    const extremities: Extremity[] = rows.map((r) => ({
      nid: Number(r.stream_ordering),
      eventId: r.event_id,
      depth: Number(r.depth),
      stateGroup: r.state_group === null ? null : Number(r.state_group),
      chainLength: r.chain_length ?? 0,
      sha256: r.json ? JSON.parse(r.json).hashes?.sha256 : undefined,
    }));
    const state = new RoomStateView(trx, this.deps.store, room);
    const cached = this.stateCache.get(room.roomNid);
    if (cached && extremities.length === 1 && cached.tip === extremities[0].nid) state.seed(cached.entries);
    let createEvent: RoomEvent | undefined;
    if (extremities.length > 0) {
      await state.load([['m.room.create', '']]);
      createEvent = state.get('m.room.create')?.pdu;
    }
    const single = extremities.length === 1 && extremities[0].stateGroup !== null ? extremities[0] : undefined;
    return {
      room,
      createEvent,
      state,
      extremities,
      group: single ? { id: single.stateGroup!, chainLength: single.chainLength } : undefined,
      notifications: [],
      pending: emptyRows(),
      bulk: false,
      allocated: [],
      preallocated: [],
    };
  }

  private localEventId(): string {
    return `$${randomBytes(18).toString('base64url')}:${this.deps.serverName}`;
  }

  private sign(partial: JsonObject, version: RoomVersion): PDU {
    const { keyId, seed } = this.deps.signingKey;
    return hashAndSignEvent(partial, version, this.deps.serverName, keyId, seed);
  }

  /** Builds, signs, authorizes and persists one event on top of the room's extremities. */
  async append(w: RoomWrite, trx: Knex.Transaction, input: NewEvent, options: SendOptions): Promise<PersistedEvent> {
    const { room } = w;
    const version = room.version;
    if (w.extremities.length === 0) throw Errors.notFound('Room has no events');
    const keys = authEventKeys({ type: input.type, sender: input.sender, state_key: input.state_key, content: input.content }, version);
    await w.state.load([['m.room.create', ''], ...keys]);
    const authEvents: StoredEvent[] = [];
    const seen = new Set<string>();
    for (const [t, k] of keys) {
      const e = w.state.get(t, k);
      if (e && !seen.has(e.eventId)) {
        seen.add(e.eventId);
        authEvents.push(e);
      }
    }
    authEvents.sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
    const edge = (id: string, sha256?: string): EventEdge => (version.edgesAsPairs ? [id, { sha256: sha256 ?? '' }] : id);
    const authSha = (e: StoredEvent) => (e.pdu.hashes as { sha256?: string })?.sha256;
    const maxDepth = typeof version.maxDepth === 'bigint' ? Number.MAX_SAFE_INTEGER : version.maxDepth;
    const depth = Math.min(Math.max(...w.extremities.map((x) => x.depth)) + 1, maxDepth);

    const partial: JsonObject = {
      auth_events: authEvents.map((e) => edge(e.eventId, authSha(e))) as unknown as JsonObject[],
      content: input.content,
      depth,
      origin_server_ts: Date.now(),
      prev_events: w.extremities.map((x) => edge(x.eventId, x.sha256)) as unknown as JsonObject[],
      room_id: room.roomId,
      sender: input.sender,
      type: input.type,
    };
    if (input.state_key !== undefined) partial.state_key = input.state_key;
    if (input.redacts !== undefined) {
      if (version.redactsInContent) partial.content = { ...input.content, redacts: input.redacts };
      else partial.redacts = input.redacts;
    }
    if (version.eventIdInPdu) partial.event_id = this.localEventId();

    let signed: PDU;
    try {
      signed = this.sign(partial, version);
    } catch (err) {
      throw Errors.badJson(`event is not valid canonical JSON: ${(err as Error).message}`);
    }
    const format = checkPduFormat(signed, version);
    if (!format.ok) {
      if (format.reason.startsWith('PDU is larger')) throw Errors.tooLarge(`event too large: ${format.reason}`);
      throw Errors.badJson(format.reason);
    }
    const eventId = version.eventIdInPdu ? (partial.event_id as string) : computeEventId(signed as unknown as JsonObject, version);
    const event = { ...signed, event_id: eventId } as RoomEvent;

    const result = authorizeEvent(event, version, {
      authEvents: authEvents.map((e) => e.pdu),
      createEvent: w.createEvent,
      stateBefore: (t, k) => w.state.get(t, k)?.pdu,
    });
    if (!result.ok) throw Errors.forbidden(result.reason, { 'org.parley.auth_rule': result.rule });
    if (options.check) await options.check(event, w.state);

    return this.persist(w, trx, signed, input, options, eventId, authEvents.map((e) => e.nid));
  }

  private async persist(
    w: RoomWrite,
    trx: Knex.Transaction,
    signed: PDU,
    input: NewEvent,
    options: SendOptions = {},
    eventId?: string,
    authNids: number[] = [],
  ): Promise<PersistedEvent> {
    const { room } = w;
    const version = room.version;
    eventId ??= version.eventIdInPdu ? (signed.event_id as string) : computeEventId(signed as unknown as JsonObject, version);
    const pos = w.preallocated.shift() ?? (await this.deps.streams.allocate());
    w.allocated.push(pos);
    return this.persistAt(w, trx, signed, input, options, eventId, authNids, pos);
  }

  private async persistAt(
    w: RoomWrite,
    trx: Knex.Transaction,
    signed: PDU,
    input: NewEvent,
    options: SendOptions,
    eventId: string,
    authNids: number[],
    pos: number,
  ): Promise<PersistedEvent> {
    const { room } = w;
    const isState = input.state_key !== undefined;
    const key = isState ? stateKey(input.type, input.state_key!) : undefined;
    const replaced = isState ? w.state.get(input.type, input.state_key) : undefined;

    // State after the event: the predecessor's group, or a new one when the state changes
    // (or when several extremities were merged and no single group holds the current state).
    let group = w.group;
    if (isState || !group) {
      group = await appendStateGroup(trx, room.roomNid, isState ? w.group : undefined, [pos], async () => {
        await this.flush(w, trx);
        const current = await trx('current_state').where('room_nid', room.roomNid).select('type', 'state_key', 'event_nid');
        const nids = current.filter((r) => !key || stateKey(r.type, r.state_key) !== key).map((r) => Number(r.event_nid));
        if (key) nids.push(pos);
        return nids;
      });
    }

    // Read after the group is made: making a full snapshot flushes (and replaces) the queue.
    const rows = w.pending;
    rows.positions.push(pos);
    rows.events.push({
      stream_ordering: pos,
      event_id: eventId,
      room_nid: room.roomNid,
      type: input.type,
      state_key: input.state_key ?? null,
      sender: input.sender,
      depth: signed.depth,
      origin_server_ts: signed.origin_server_ts,
      state_group: group.id,
      replaces_state: replaced ? replaced.nid : null,
      json: JSON.stringify(signed),
    });
    rows.edges.push({ event_nid: pos, prev_nids: w.extremities.map((x) => x.nid), auth_nids: authNids });
    for (const x of w.extremities) rows.replacedExtremities.add(x.nid);
    if (options.txn) {
      const t = options.txn;
      rows.txns.push({ user_id: t.userId, device_id: t.deviceId, scope: t.scope, txn_id: t.txnId, event_nid: pos, created_ts: Date.now() });
    }

    const notification: RoomEventNotification = { roomId: room.roomId, streamOrdering: pos, eventId, type: input.type, sender: input.sender };
    if (isState) {
      notification.stateKey = input.state_key;
      rows.currentState.set(key!, [input.type, input.state_key!, pos]);
      if (input.type === 'm.room.member') {
        const membership = String(input.content.membership);
        notification.membership = membership;
        rows.memberships.push({ event_nid: pos, room_nid: room.roomNid, user_id: input.state_key, sender: input.sender, membership });
        rows.currentMemberships.set(input.state_key!, [membership, pos]);
      }
    }
    const relation = relationOf(input.content);
    if (relation) rows.relations.push({ event_nid: pos, room_nid: room.roomNid, ...relation });
    const stored: StoredEvent = {
      nid: pos,
      eventId,
      roomNid: room.roomNid,
      roomId: room.roomId,
      type: input.type,
      stateKey: input.state_key ?? null,
      sender: input.sender,
      depth: signed.depth,
      originServerTs: signed.origin_server_ts,
      stateGroup: group.id,
      replacesState: replaced ? replaced.nid : null,
      redactedBy: null,
      outlier: false,
      rejected: false,
      pdu: { ...(signed as RoomEvent), event_id: eventId },
    };
    if (input.type === 'm.room.redaction') {
      await this.flush(w, trx);
      await this.applyRedaction(trx, room, stored);
    }
    if (!w.bulk) await this.flush(w, trx);

    if (isState) w.state.set(stored);
    w.extremities = [{ nid: pos, eventId, depth: signed.depth, stateGroup: group.id, chainLength: group.chainLength, sha256: signed.hashes.sha256 }];
    w.group = group;
    if (input.type === 'm.room.create') w.createEvent = stored.pdu;
    w.notifications.push(notification);
    return { roomId: room.roomId, eventId, streamOrdering: pos, event: stored.pdu };
  }

  /** Writes the queued rows: one statement for a few events, multi-row statements per table in bulk. */
  private async flush(w: RoomWrite, trx: Knex.Transaction): Promise<void> {
    const rows = w.pending;
    if (rows.events.length === 0) return;
    if (rows.events.length <= 20) return this.flushInOneStatement(w, trx);
    const roomNid = w.room.roomNid;
    const chunks = <T>(list: T[], n = 500): T[][] => Array.from({ length: Math.ceil(list.length / n) }, (_, i) => list.slice(i * n, i * n + n));
    for (const c of chunks(rows.events)) await trx('events').insert(c);
    for (const c of chunks(rows.edges)) await trx('event_edges').insert(c);
    for (const c of chunks(rows.txns)) await trx('event_txn_ids').insert(c);
    for (const c of chunks(rows.relations)) await trx('event_relations').insert(c);
    for (const c of chunks(rows.memberships)) await trx('room_memberships').insert(c);
    for (const c of chunks([...rows.currentState.values()])) {
      await trx.raw(
        `INSERT INTO current_state (room_nid, type, state_key, event_nid) VALUES ${c.map(() => '(?, ?, ?, ?)').join(', ')}
         ON CONFLICT (room_nid, type, state_key) DO UPDATE SET event_nid = excluded.event_nid`,
        c.flatMap(([type, key, nid]) => [roomNid, type, key, nid]),
      );
    }
    for (const c of chunks([...rows.currentMemberships.entries()])) {
      await trx.raw(
        `INSERT INTO current_memberships (room_nid, user_id, membership, event_nid, forgotten) VALUES ${c.map(() => '(?, ?, ?, ?, false)').join(', ')}
         ON CONFLICT (room_nid, user_id) DO UPDATE SET membership = excluded.membership, event_nid = excluded.event_nid,
           forgotten = current_memberships.forgotten AND excluded.membership NOT IN ('join', 'invite', 'knock')`,
        c.flatMap(([user, [membership, nid]]) => [roomNid, user, membership, nid]),
      );
    }
    const tip = rows.events[rows.events.length - 1].stream_ordering as number;
    const replaced = [...rows.replacedExtremities];
    if (replaced.length) await trx('forward_extremities').where('room_nid', roomNid).whereIn('event_nid', replaced).delete();
    await trx('forward_extremities').insert({ room_nid: roomNid, event_nid: tip });
    for (const c of chunks(rows.positions, 1000)) await trx('stream_in_flight').whereIn('stream_ordering', c).delete();
    w.pending = emptyRows();
  }

  /** Replaces the target's JSON by its redacted form (content gone from every read path, search included). */
  private async applyRedaction(trx: Knex.Transaction, room: RoomInfo, redaction: StoredEvent): Promise<void> {
    const targetId = redactionTarget(redaction.pdu as unknown as JsonObject, room.version);
    if (!targetId) return;
    const target = await trx('events').where({ event_id: targetId, room_nid: room.roomNid }).first('stream_ordering', 'json', 'type');
    if (!target || target.type === 'm.room.create') return;
    const redacted = redactEvent(JSON.parse(target.json), room.version);
    await trx('events').where('stream_ordering', target.stream_ordering).update({ json: JSON.stringify(redacted), redacted_by: redaction.nid });
    await trx('event_relations').where('event_nid', target.stream_ordering).delete();
  }

  private notify(notifications: RoomEventNotification[]): void {
    for (const n of notifications) {
      this.deps.bus.publish(ROOM_EVENT_CHANNEL, n).catch((err) => this.deps.log.warn({ err }, 'room.event publish failed'));
    }
  }
}


