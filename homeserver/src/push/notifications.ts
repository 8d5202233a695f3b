// Evaluates every new event against the push rules of each local member of its room, records the
// notifications (unread counts in /sync, /notifications) and hands them to the user's pushers.
// Runs in every process that receives `room.event`; the unique (user, event) row decides which
// process pushes, so a notification is recorded and pushed once however many processes run.
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { evaluatePushRules, type PushAction } from '@parley/spec';
import type { EventBus } from '../bus/bus.js';
import { CHANNEL, type RoomEventMessage } from '../sync/channels.js';
import type { GatewaySender } from './gateway-sender.js';
import type { PusherStore } from './pushers.js';
import type { PushRulesStore } from './rules-store.js';

interface EventJson {
  type: string;
  sender: string;
  room_id: string;
  state_key?: string;
  content: Record<string, any>;
  event_id?: string;
}

export class NotificationService {
  private queue: Promise<void> = Promise.resolve();
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
    this.unsubscribe = bus.subscribe(CHANNEL.roomEvent, (m) => {
      this.queue = this.queue.then(() => this.handle(m as RoomEventMessage)).catch((err) => this.log.error({ err }, 'push evaluation failed'));
    });
  }

  /** Resolves when every event received so far has been evaluated (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue;
  }

  async handle(m: RoomEventMessage): Promise<void> {
    const row = await this.db('events')
      .where({ event_id: m.eventId, outlier: false, soft_failed: false })
      .whereNull('rejected_reason')
      .first('json', 'room_nid', 'stream_ordering', 'origin_server_ts');
    if (!row) return;
    const event = { ...(JSON.parse(row.json) as EventJson), event_id: m.eventId, room_id: m.roomId };
    const local = (u: string) => u.endsWith(`:${this.serverName}`);
    const members: string[] = (await this.db('current_memberships').where({ room_nid: row.room_nid, membership: 'join' }).select('user_id')).map(
      (r: { user_id: string }) => r.user_id,
    );
    const targets = new Set(members.filter(local));
    // An invite notifies its target, who is not a member yet.
    if (event.type === 'm.room.member' && event.content.membership === 'invite' && event.state_key && local(event.state_key)) targets.add(event.state_key);
    targets.delete(event.sender);
    if (targets.size === 0) return;

    const state = await this.db('current_state as cs')
      .join('events as e', 'e.stream_ordering', 'cs.event_nid')
      .where('cs.room_nid', row.room_nid)
      .andWhere((q) =>
        q.where({ 'cs.type': 'm.room.power_levels', 'cs.state_key': '' }).orWhere((q2) => q2.where('cs.type', 'm.room.member').whereIn('cs.state_key', [...targets])),
      )
      .select('cs.type', 'cs.state_key', 'e.json');
    let powerLevels: Record<string, any> = {};
    const displayNames = new Map<string, string>();
    for (const s of state) {
      const content = JSON.parse(s.json).content ?? {};
      if (s.type === 'm.room.power_levels') powerLevels = content;
      else if (typeof content.displayname === 'string') displayNames.set(s.state_key, content.displayname);
    }
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
    if (rows.length === 0) return;
    const inserted: Array<{ user_id: string; id: number }> = await this.db('notifications')
      .insert(
        rows.map((r) => ({
          user_id: r.user_id,
          room_id: m.roomId,
          event_id: m.eventId,
          stream_ordering: row.stream_ordering,
          thread_id: threadId,
          actions: JSON.stringify(r.actions),
          highlight: r.highlight,
          ts: row.origin_server_ts,
        })),
      )
      .onConflict(['user_id', 'event_id'])
      .ignore()
      .returning(['user_id', 'id']);
    // Committed before the announcement: a sync that hears it can trust the id as a position.
    for (const { user_id, id } of inserted) await this.bus.publish(CHANNEL.unread, { userId: user_id, roomId: m.roomId, id: Number(id) });
    await this.push(event, inserted.map((r) => r.user_id), rows, displayNames);
  }

  private async push(event: EventJson, users: string[], rows: Array<{ user_id: string; actions: PushAction[] }>, names: Map<string, string>) {
    const pushers = await this.pushers.forUsers(users);
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
