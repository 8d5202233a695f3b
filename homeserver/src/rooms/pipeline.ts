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
import { runPrepared, type PreparedStatement } from '../db/prepared.js';
import { appendStateGroup } from './state-groups.js';
import type { StreamAllocator } from './stream.js';
import { RoomStore, type RoomInfo, type StoredEvent } from './store.js';

/** Sends to one room are serialized by this advisory lock (two-int form: namespace, room nid). */
const ROOM_LOCK_NAMESPACE = 0x726f6f6d; // 'room'
/** The next event cites at most this many forward extremities. */
export const MAX_PREV_EVENTS_CITED = 10;

const LOCK_ROOM = 'SELECT pg_advisory_xact_lock(?, ?)';
const EXTREMITIES = `
  SELECT e.stream_ordering, e.event_id, e.depth, e.state_group, g.chain_length, null AS json
    FROM forward_extremities f JOIN events e ON e.stream_ordering = f.event_nid LEFT JOIN state_groups g ON g.id = e.state_group
   WHERE f.room_nid = ? ORDER BY e.depth DESC LIMIT ?`;
/** Room versions whose edges carry the event's hash (v1, v2) need the extremities' JSON. */
const EXTREMITIES_WITH_JSON = EXTREMITIES.replace('null AS json', 'e.json');

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
  /** The event as stored, so that subscribers (push evaluation) need not read it back. */
  roomNid?: number;
  originServerTs?: number;
  json?: string;
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
  /**
   * Set when the extremities and state came from this process's cache instead of a read: the
   * first flush checks, under the room lock, that this is still the room's only extremity.
   */
  trustedTip?: number;
  /** A redaction changed a stored event: the loaded state may hold its unredacted form. */
  redacted: boolean;
  /** Bus notifications are skipped (imports). */
  quiet: boolean;
  /** Not in a transaction: everything must be written by one statement. */
  direct?: boolean;
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

/** The extremities cited by queued events that are not queued themselves (they are in the table). */
function citedBefore(rows: PendingRows): number[] {
  const queued = new Set(rows.positions);
  return [...rows.replacedExtremities].filter((nid) => !queued.has(nid));
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

/** The extremities a write cites were not the room's any more (another writer): retry with a read. */
class StaleTip extends Error {}

/** SQLSTATE of the division by zero a write statement makes when its extremity check fails. */
const EXTREMITY_CHECK_FAILED = '22012';

/** Events whose write is rows of their own only: no state group, no change to a stored event. */
function isTimelineOnly(input: NewEvent, options: SendOptions): boolean {
  return input.state_key === undefined && input.type !== 'm.room.redaction' && !options.check;
}

/** Sends to one room that arrive while a write to it runs are written together, up to this many. */
const MAX_SENDS_PER_WRITE = 20;

interface QueuedSend {
  input: NewEvent;
  options: SendOptions;
  resolve(event: PersistedEvent): void;
  reject(err: unknown): void;
}

/** What the last write in this process left: the room's only extremity and the state it loaded. */
interface TipCache {
  tip: Extremity;
  entries: Map<StateKey, StoredEvent | null>;
}

/** Prepared forms of the one-event write statement, by text (bounded: shapes beyond it run unprepared). */
const preparedWrites = new Map<string, PreparedStatement>();
const PREPARED_WRITES_MAX = 64;

function preparedWrite(sql: string): PreparedStatement | undefined {
  let statement = preparedWrites.get(sql);
  if (!statement && preparedWrites.size < PREPARED_WRITES_MAX) {
    let n = 0;
    statement = { name: `pipeline_write_${preparedWrites.size}`, text: sql.replace(/\?/g, () => `$${++n}`) };
    preparedWrites.set(sql, statement);
  }
  return statement;
}

export class EventPipeline {
  /**
   * Per room: the tip and state entries of the last write made here, valid while that event is
   * the room's only forward extremity (any other writer, in any process, moves the tip). A send
   * trusts it and checks it when it writes (see `trustedTip`), which saves two reads per send.
   */
  private readonly tips = new Map<number, TipCache>();
  /** Per room with a write running here: the sends waiting for the next one. */
  private readonly queued = new Map<number, QueuedSend[]>();

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

  /**
   * Sends one event into an existing room. A transaction id seen before answers the event it
   * made: the insert of the txn row fails on its primary key (no read on the common path), and a
   * refusal (the sender may have left since) is checked against the txn table before it is thrown.
   */
  async send(roomId: string, input: NewEvent, options: SendOptions = {}): Promise<PersistedEvent> {
    const room = await this.deps.store.requireRoom(roomId);
    return new Promise((resolve, reject) => {
      const item = { input, options, resolve, reject };
      const queued = this.queued.get(room.roomNid);
      if (queued) return void queued.push(item);
      this.queued.set(room.roomNid, [item]);
      void this.drain(room);
    });
  }

  /**
   * Writes a room's queued sends: the ones that arrived while the previous write ran go together
   * in one transaction (one lock, one statement, one commit), like a group commit.
   */
  private async drain(room: RoomInfo): Promise<void> {
    const queued = this.queued.get(room.roomNid)!;
    try {
      while (queued.length > 0) await this.sendQueued(room, queued.splice(0, MAX_SENDS_PER_WRITE));
    } finally {
      this.queued.delete(room.roomNid);
    }
  }

  private async sendQueued(room: RoomInfo, batch: QueuedSend[]): Promise<void> {
    const alone = (item: QueuedSend) => this.sendAlone(room, item.input, item.options).then(item.resolve, item.reject);
    if (batch.length === 1) return alone(batch[0]);
    const results: Array<PersistedEvent | undefined> = [];
    try {
      await this.write(
        room,
        async (w, trx) => {
          w.bulk = true;
          w.preallocated = await this.deps.streams.allocateMany(batch.length);
          for (const item of batch) results.push(await this.append(w, trx, item.input, item.options).catch((err) => {
            if (!(err instanceof MatrixError)) throw err;
            return undefined; // refused: answered on its own below, with its own error
          }));
        },
        { trustTip: true, timelineOnly: batch.every((item) => isTimelineOnly(item.input, item.options)) },
      );
    } catch {
      // The write failed as a whole (a transaction id seen before, a stale tip, ...): one by one.
      for (const item of batch) await alone(item);
      return;
    }
    for (const [i, item] of batch.entries()) {
      const result = results[i];
      if (result) item.resolve(result);
      else await alone(item);
    }
  }

  /** One event in its own transaction, with the duplicate-transaction and stale-tip handling. */
  private async sendAlone(room: RoomInfo, input: NewEvent, options: SendOptions): Promise<PersistedEvent> {
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const [result] = await this.write(room, async (w, trx) => [await this.append(w, trx, input, options)], {
            trustTip: attempt === 0,
            timelineOnly: isTimelineOnly(input, options),
          });
          return result;
        } catch (err) {
          if (!(err instanceof StaleTip) || attempt >= 3) throw err;
        }
      }
    } catch (err) {
      if (options.txn && (isUniqueViolation(err, 'event_txn_ids_pkey') || (err instanceof MatrixError && err.status < 500))) {
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

  /**
   * Runs `fn` holding the room's lock, then publishes the notifications.
   *
   * `trustTip`: start from this process's cached tip and state without reading them; the write
   * statement checks that the tip is still the room's only extremity (StaleTip otherwise). With
   * `timelineOnly` too (events that make no state group and change no stored event), the whole
   * write is that one statement, atomic on its own: no transaction, one round trip. Its delete
   * of the extremities takes the room's lock first, so it waits for a writer that read them under
   * the lock, and then fails its check; every write fails unless it deleted exactly the
   * extremities it cites.
   */
  async write<T>(
    room: RoomInfo,
    fn: (w: RoomWrite, trx: Knex.Transaction) => Promise<T>,
    opts: { trustTip?: boolean; timelineOnly?: boolean; quiet?: boolean } = {},
  ): Promise<T> {
    let w: RoomWrite | undefined;
    const cached = opts.trustTip ? this.tips.get(room.roomNid) : undefined;
    const direct = cached !== undefined && opts.timelineOnly === true;
    try {
      const run = async (trx: Knex.Transaction) => {
        if (!direct) await trx.raw(LOCK_ROOM, [ROOM_LOCK_NAMESPACE, room.roomNid]);
        w = await this.beginWrite(trx, room, cached);
        w.quiet = opts.quiet ?? false;
        w.direct = direct;
        const result = await fn(w, trx);
        // Positions allocated for events that were refused: settled (no event) with the write.
        const unused = w.preallocated.splice(0);
        w.allocated.push(...unused);
        if (unused.length && w.pending.events.length) w.pending.positions.push(...unused);
        else if (unused.length) await trx('stream_in_flight').whereIn('stream_ordering', unused).delete();
        await this.flush(w, trx);
        return { result, notifications: w.notifications };
      };
      const { result, notifications } = direct ? await run(this.deps.db as Knex.Transaction) : await this.deps.db.transaction(run);
      this.rememberTip(room, w!);
      if (!w!.quiet) this.notify(notifications);
      return result;
    } catch (err) {
      this.tips.delete(room.roomNid);
      await this.abandon(w);
      throw err;
    }
  }

  private rememberTip(room: RoomInfo, w: RoomWrite): void {
    const [tip, ...more] = w.extremities;
    if (tip && more.length === 0 && !w.redacted && tip.stateGroup !== null && (this.tips.size < 10_000 || this.tips.has(room.roomNid))) {
      this.tips.set(room.roomNid, { tip, entries: w.state.entries() });
    } else {
      this.tips.delete(room.roomNid);
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
    // The extremities this write cites must all still be there (and, for a trusted tip, be the
    // room's only one): the check divides by zero otherwise, which aborts the statement.
    let check = 'SELECT 1 AS ok';
    const replacedNids = citedBefore(rows);
    if (w.trustedTip !== undefined) {
      // The room's lock is taken row by row before any extremity goes (this path has no lock
      // statement of its own): a writer that read the extremities under the lock always wins.
      parts.push('DELETE FROM forward_extremities WHERE room_nid = ? AND pg_advisory_xact_lock(?, ?) IS NOT NULL RETURNING event_nid');
      bindings.push(roomNid, ROOM_LOCK_NAMESPACE, roomNid);
      check = `SELECT 1 / ((SELECT count(*) FROM w${parts.length - 1}) = 1 AND (SELECT min(event_nid) FROM w${parts.length - 1}) = ?)::int AS ok`;
    } else if (replacedNids.length) {
      parts.push('DELETE FROM forward_extremities WHERE room_nid = ? AND event_nid = ANY(?::bigint[]) RETURNING event_nid');
      bindings.push(roomNid, replacedNids);
      check = `SELECT 1 / ((SELECT count(*) FROM w${parts.length - 1}) = ?)::int AS ok`;
    }
    parts.push('INSERT INTO forward_extremities (room_nid, event_nid) VALUES (?, ?)');
    bindings.push(roomNid, rows.events[rows.events.length - 1].stream_ordering);
    if (w.trustedTip !== undefined) bindings.push(w.trustedTip);
    else if (replacedNids.length) bindings.push(replacedNids.length);
    const sql = `WITH ${parts.map((p, i) => `w${i} AS (${p})`).join(', ')} ${check}`;
    try {
      // One event written on its own (most sends): a prepared statement, as its few shapes recur.
      const prepared = w.direct && rows.events.length === 1 ? preparedWrite(sql) : undefined;
      if (prepared) await runPrepared(this.deps.db, prepared, bindings);
      else await trx.raw(sql, bindings as Knex.RawBinding[]);
    } catch (err) {
      if ((err as { code?: string }).code === EXTREMITY_CHECK_FAILED) throw new StaleTip();
      throw err;
    }
    w.trustedTip = undefined;
    w.pending = emptyRows();
  }

  private checkTip(w: RoomWrite, replaced: Array<number | string> | null): void {
    if (replaced?.length !== 1 || Number(replaced[0]) !== w.trustedTip) throw new StaleTip();
    w.trustedTip = undefined;
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
  async sendBatch(roomId: string, inputs: NewEvent[], opts: { quiet?: boolean } = {}): Promise<PersistedEvent[]> {
    const room = await this.deps.store.requireRoom(roomId);
    return this.write(
      room,
      async (w, trx) => {
        w.bulk = true;
        w.preallocated = await this.deps.streams.allocateMany(inputs.length);
        const out: PersistedEvent[] = [];
        for (const input of inputs) out.push(await this.append(w, trx, input, {}));
        return out;
      },
      // quiet: imported history notifies nobody (no pushes); syncs see it on their next request.
      { quiet: opts.quiet },
    );
  }

  private async beginWrite(trx: Knex.Transaction, room: RoomInfo, cached?: TipCache): Promise<RoomWrite> {
    const state = new RoomStateView(trx, this.deps.store, room);
    let extremities: Extremity[];
    if (cached) {
      extremities = [cached.tip];
      state.seed(cached.entries);
    } else {
      const { rows } = await trx.raw(room.version.edgesAsPairs ? EXTREMITIES_WITH_JSON : EXTREMITIES, [room.roomNid, MAX_PREV_EVENTS_CITED]);
      extremities = rows.map((r: Record<string, any>) => ({
        nid: Number(r.stream_ordering),
        eventId: r.event_id,
        depth: Number(r.depth),
        stateGroup: r.state_group === null ? null : Number(r.state_group),
        chainLength: r.chain_length ?? 0,
        sha256: r.json ? JSON.parse(r.json).hashes?.sha256 : undefined,
      }));
    }
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
      trustedTip: cached?.tip.nid,
      redacted: false,
      quiet: false,
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
    const json = JSON.stringify(signed);
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
      json,
    });
    rows.edges.push({ event_nid: pos, prev_nids: w.extremities.map((x) => x.nid), auth_nids: authNids });
    for (const x of w.extremities) rows.replacedExtremities.add(x.nid);
    if (options.txn) {
      const t = options.txn;
      rows.txns.push({ user_id: t.userId, device_id: t.deviceId, scope: t.scope, txn_id: t.txnId, event_nid: pos, created_ts: Date.now() });
    }

    const notification: RoomEventNotification = {
      roomId: room.roomId,
      streamOrdering: pos,
      eventId,
      type: input.type,
      sender: input.sender,
      roomNid: room.roomNid,
      originServerTs: signed.origin_server_ts,
      json,
    };
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
      w.redacted = true;
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
    if (w.direct) throw new Error('a write outside a transaction must fit in one statement');
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
    if (w.trustedTip !== undefined) {
      const { rows: deleted } = await trx.raw('DELETE FROM forward_extremities WHERE room_nid = ? RETURNING event_nid', [roomNid]);
      this.checkTip(w, deleted.map((r: { event_nid: number }) => r.event_nid));
    } else {
      const replaced = citedBefore(rows);
      const deleted = replaced.length ? await trx('forward_extremities').where('room_nid', roomNid).whereIn('event_nid', replaced).delete() : 0;
      if (deleted !== replaced.length) throw new StaleTip();
    }
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


