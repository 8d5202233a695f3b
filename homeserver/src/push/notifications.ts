// Evaluates every new event against the push rules of each local member of its room, records the
// notifications (unread counts in /sync, /notifications) and hands them to the user's pushers.
// Runs in every process that receives `room.event`; the unique (user, event) row decides which
// process pushes, so a notification is recorded and pushed once however many processes run.
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { evaluatePushRules, type PushAction } from '@parley/spec';
import type { EventBus } from '../bus/bus.js';
import { runPrepared, type PreparedStatement } from '../db/prepared.js';
import { CHANNEL, type RoomEventMessage, type UserMessage } from '../sync/channels.js';
import type { GatewaySender } from './gateway-sender.js';
import type { PusherRow, PusherStore } from './pushers.js';
import type { PushRulesStore } from './rules-store.js';

interface EventJson {
  type: string;
  sender: string;
  room_id: string;
  state_key?: string;
  content: Record<string, any>;
  event_id?: string;
}

/** What evaluating an event needs of its room, kept until the room's state changes. */
interface RoomContext {
  members: string[];
  powerLevels: Record<string, any>;
  displayNames: Map<string, string>;
}

/** What evaluating an event reads of it. */
interface StoredRow {
  event_id: string;
  json: string;
  room_nid: number;
  stream_ordering: number;
  origin_server_ts: number;
}

/** A room event waiting for evaluation, and what to call when it is done. */
interface Waiting {
  m: RoomEventMessage;
  done: () => void;
}

const BATCH_MAX = 500;

/** A batch's notification rows, returning those new and their users' pushers (every event runs it). */
const RECORD_NOTIFICATIONS: PreparedStatement = {
  name: 'push_record_notifications',
  text: `WITH ins AS (
           INSERT INTO notifications (user_id, room_id, event_id, stream_ordering, thread_id, actions, highlight, ts)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::jsonb[], $7::boolean[], $8::bigint[])
           ON CONFLICT (user_id, event_id) DO NOTHING RETURNING user_id, event_id, id)
         SELECT ins.user_id, ins.event_id, ins.id, to_jsonb(p) AS pusher FROM ins LEFT JOIN pushers p ON p.user_id = ins.user_id`,
};

export class NotificationService {
  /**
   * Events wait here and are evaluated in batches, in arrival order (so each room's notifications
   * are recorded and announced in stream order): one read of the events and one write of all
   * their notifications per batch, however many rooms they span. Whatever arrives while a batch
   * runs makes the next one, so batches grow with the load instead of queues.
   */
  private waiting: Waiting[] = [];
  private running?: Promise<void>;
  /** Evaluations under way, by event id (the notifier wakes a room's syncs once its event is done). */
  private readonly evaluations = new Map<string, Promise<void>>();
  private readonly rooms = new Map<string, Promise<RoomContext>>();
  private pushing: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly db: Knex,
    private readonly bus: EventBus,
    private readonly rules: PushRulesStore,
    private readonly pushers: PusherStore,
    private readonly gateway: GatewaySender,
    private readonly log: Logger,
    private readonly serverName: string,
  ) {
    this.unsubscribe = bus.subscribe(CHANNEL.roomEvent, (msg) => {
      const m = msg as RoomEventMessage;
      if (m.stateKey !== undefined) this.rooms.delete(m.roomId);
      this.evaluations.set(m.eventId, new Promise<void>((done) => this.waiting.push({ m, done })));
      this.kick();
    });
  }

  private kick(): void {
    if (this.running || this.waiting.length === 0) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) {
      const batch = this.waiting.splice(0, BATCH_MAX);
      try {
        await this.handle(batch.map((w) => w.m));
      } catch (err) {
        this.log.error({ err }, 'push evaluation failed');
      }
      for (const w of batch) {
        this.evaluations.delete(w.m.eventId);
        w.done();
      }
    }
  }

  /** Resolves once the event's notifications are recorded and announced (at once if unknown here). */
  evaluated(eventId: string): Promise<void> {
    return this.evaluations.get(eventId) ?? Promise.resolve();
  }

  /** Resolves when every event received so far has been evaluated (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
    await this.pushing;
  }

  private roomContext(roomId: string, roomNid: number): Promise<RoomContext> {
    let hit = this.rooms.get(roomId);
    if (!hit) {
      if (this.rooms.size > 10_000) this.rooms.clear();
      hit = this.loadRoomContext(roomNid);
      hit.catch(() => this.rooms.get(roomId) === hit && this.rooms.delete(roomId));
      this.rooms.set(roomId, hit);
    }
    return hit;
  }

  private async loadRoomContext(roomNid: number): Promise<RoomContext> {
    const [memberRows, state] = await Promise.all([
      this.db('current_memberships').where({ room_nid: roomNid, membership: 'join' }).select('user_id'),
      this.db('current_state as cs')
        .join('events as e', 'e.stream_ordering', 'cs.event_nid')
        .where('cs.room_nid', roomNid)
        .whereIn('cs.type', ['m.room.power_levels', 'm.room.member'])
        .select('cs.type', 'cs.state_key', 'e.json'),
    ]);
    let powerLevels: Record<string, any> = {};
    const displayNames = new Map<string, string>();
    for (const s of state) {
      const content = JSON.parse(s.json).content ?? {};
      if (s.type === 'm.room.power_levels') powerLevels = content;
      else if (typeof content.displayname === 'string') displayNames.set(s.state_key, content.displayname);
    }
    return { members: memberRows.map((r: { user_id: string }) => r.user_id), powerLevels, displayNames };
  }

  /** Evaluates events (in order) against their rooms' members' rules; records and announces the notifications. */
  async handle(batch: RoomEventMessage[]): Promise<void> {
    // Events announced with their stored form (this process's or another's pipeline) are not read back.
    const isCarried = (m: RoomEventMessage) => m.json !== undefined && m.roomNid !== undefined && m.originServerTs !== undefined;
    const carried = batch.filter(isCarried);
    const toRead = batch.filter((m) => !isCarried(m));
    const stored: StoredRow[] = carried.map((m) => ({
      event_id: m.eventId,
      json: m.json!,
      room_nid: m.roomNid!,
      stream_ordering: m.streamOrdering,
      origin_server_ts: m.originServerTs!,
    }));
    if (toRead.length) {
      const rows: StoredRow[] = await this.db('events')
        .whereIn('event_id', toRead.map((m) => m.eventId))
        .where({ outlier: false, soft_failed: false })
        .whereNull('rejected_reason')
        .select('event_id', 'json', 'room_nid', 'stream_ordering', 'origin_server_ts');
      stored.push(...rows);
    }
    const byId = new Map(stored.map((r) => [r.event_id, r]));
    const roomNids = new Map<string, number>();
    for (const m of batch) {
      const row = byId.get(m.eventId);
      if (row) roomNids.set(m.roomId, row.room_nid);
    }
    const contexts = new Map<string, RoomContext>();
    await Promise.all([...roomNids].map(async ([roomId, nid]) => contexts.set(roomId, await this.roomContext(roomId, nid))));
    const local = (u: string) => u.endsWith(`:${this.serverName}`);
    const planned: Array<{ m: RoomEventMessage; row: (typeof stored)[number]; event: EventJson; threadId: string | null; rows: Array<{ user_id: string; actions: PushAction[]; highlight: boolean }> }> = [];
    for (const m of batch) {
      const row = byId.get(m.eventId);
      if (!row) continue;
      const event = { ...(JSON.parse(row.json) as EventJson), event_id: m.eventId, room_id: m.roomId };
      const { members, powerLevels, displayNames } = contexts.get(m.roomId)!;
      const targets = new Set(members.filter(local));
      // An invite notifies its target, who is not a member yet.
      if (event.type === 'm.room.member' && event.content.membership === 'invite' && event.state_key && local(event.state_key)) targets.add(event.state_key);
      targets.delete(event.sender);
      if (targets.size === 0) continue;
      const senderPowerLevel = Number(powerLevels.users?.[event.sender] ?? powerLevels.users_default ?? 0);
      const notificationPowerLevels = { room: 50, ...(powerLevels.notifications ?? {}) };
      const threadId = event.content?.['m.relates_to']?.rel_type === 'm.thread' ? String(event.content['m.relates_to'].event_id) : null;
      const rows: Array<{ user_id: string; actions: PushAction[]; highlight: boolean }> = [];
      for (const userId of targets) {
        const ruleset = await this.rules.ruleset(userId);
        const result = evaluatePushRules(ruleset, event, {
          userId,
          displayName: displayNames.get(userId),
          roomMemberCount: members.length,
          senderPowerLevel,
          notificationPowerLevels,
        });
        if (result.notify || result.highlight) rows.push({ user_id: userId, actions: result.actions, highlight: result.highlight });
      }
      if (rows.length) planned.push({ m, row, event, threadId, rows });
    }
    if (planned.length === 0) return;
    // Every row of the batch, and the pushers of the users they were recorded for, in one round trip.
    const all = planned.flatMap((p) => p.rows.map((r) => ({ p, r })));
    const result = await runPrepared<{ user_id: string; event_id: string; id: string; pusher: PusherRow | null }>(this.db, RECORD_NOTIFICATIONS, [
      all.map(({ r }) => r.user_id),
      all.map(({ p }) => p.m.roomId),
      all.map(({ p }) => p.m.eventId),
      all.map(({ p }) => p.row.stream_ordering),
      all.map(({ p }) => p.threadId),
      all.map(({ r }) => JSON.stringify(r.actions)),
      all.map(({ r }) => r.highlight),
      all.map(({ p }) => p.row.origin_server_ts),
    ]);
    const inserted = new Map<string, { id: number; pushers: PusherRow[] }>();
    for (const r of result) {
      const key = `${r.event_id}|${r.user_id}`;
      const entry = inserted.get(key) ?? inserted.set(key, { id: Number(r.id), pushers: [] }).get(key)!;
      if (r.pusher) entry.pushers.push(r.pusher);
    }
    // Committed before the announcement: a sync that hears it can trust the id as a position.
    for (const p of planned) {
      const pushers: PusherRow[] = [];
      for (const r of p.rows) {
        const hit = inserted.get(`${p.m.eventId}|${r.user_id}`);
        if (!hit) continue;
        pushers.push(...hit.pushers);
        const message: UserMessage = { userId: r.user_id, roomId: p.m.roomId, id: hit.id, streamOrdering: Number(p.row.stream_ordering), highlight: r.highlight, threadId: p.threadId };
        await this.bus.publish(CHANNEL.unread, message);
      }
      // Pushes go out in order, after the syncs were told (they do not hold up the room's wake-up).
      const names = contexts.get(p.m.roomId)!.displayNames;
      if (pushers.length) this.pushing = this.pushing.then(() => this.push(p.event, pushers, p.rows, names)).catch((err) => this.log.error({ err }, 'push failed'));
    }
  }

  private async push(event: EventJson, pushers: PusherRow[], rows: Array<{ user_id: string; actions: PushAction[] }>, names: Map<string, string>) {
    if (pushers.length === 0) return;
    for (const pusher of pushers) {
      const actions = rows.find((r) => r.user_id === pusher.user_id)?.actions ?? [];
      if (!actions.includes('notify')) continue;
      const tweaks = Object.fromEntries(
        actions.filter((a): a is { set_tweak: string; value?: unknown } => typeof a === 'object').map((a) => [a.set_tweak, a.value ?? true]),
      );
      const unread = await this.unreadCount(pusher.user_id);
      this.gateway.send(pusher, {
        event_id: event.event_id!,
        room_id: event.room_id,
        type: event.type,
        sender: event.sender,
        content: event.content,
        sender_display_name: names.get(event.sender),
        prio: tweaks.highlight || event.type === 'm.room.encrypted' || event.type === 'm.room.message' ? 'high' : 'low',
        counts: { unread },
        devices: [{ app_id: pusher.app_id, pushkey: pusher.pushkey, tweaks }],
      });
    }
  }

  /** Notifications after the user's read receipt, summed over their rooms (the badge count). */
  async unreadCount(userId: string): Promise<number> {
    const { rows } = await this.db.raw(
      `SELECT count(*)::int AS n FROM notifications n
        WHERE n.user_id = ? AND n.stream_ordering > coalesce((
          SELECT max(r.event_stream_ordering) FROM receipts r
           WHERE r.user_id = n.user_id AND r.room_id = n.room_id AND r.receipt_type IN ('m.read', 'm.read.private')), 0)`,
      [userId],
    );
    return Number(rows[0].n);
  }

  close(): void {
    this.unsubscribe();
  }
}
