// /sync: https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3sync
// Computes initial and incremental responses from the stored streams, and long-polls by waiting
// on the notifier until something relevant arrives or the timeout passes.
import { Errors, matchesEventFilter, type RoomEventFilter, type sync as syncApi } from '@parley/spec';
import type { Knex } from 'knex';
import type { RoomService } from '../rooms/service.js';
import { maxSafeStreamOrdering } from '../rooms/stream.js';
import type { StoredEvent } from '../rooms/store.js';
import { deviceListChanges } from './device-list-changes.js';
import { usersNewlySharingRoomWith } from './membership.js';
import type { SyncFilter } from './filters.js';
import type { Listener } from './notifier.js';
import type { PresenceState } from './presence.js';
import { SyncCaches, type GlobalPositions, type MembershipRow } from './caches.js';
import { RoomSyncReader, type RoomWindow } from './room-sync.js';
import type { RealtimeServices } from './services.js';
import { countedStreamPositions } from './streams.js';
import { encodeSyncToken, maxPosition, parseSyncToken, type SyncPosition } from './token.js';

/** Longest a long-poll waits, whatever `timeout` asks. */
export const MAX_SYNC_TIMEOUT_MS = 5 * 60_000;

/**
 * Tells a waiting long-poll that its client went away. (An AbortSignal would do, but a long-poll
 * per delivery makes one per message and recipient, and each costs an EventTarget.)
 */
export class Hangup {
  gone = false;
  /** Set by the waiting sync. */
  onGone?: () => void;

  hangUp(): void {
    this.gone = true;
    this.onGone?.();
  }
}

export interface SyncRequest {
  userId: string;
  deviceId: string;
  since?: string;
  filter: SyncFilter;
  fullState: boolean;
  timeoutMs: number;
  setPresence?: PresenceState;
}


type Json = Record<string, any>;
type SyncResponse = syncApi.SyncResponse;

/** An empty map to hand out where a lookup was skipped (never written to). */
const NOTHING: ReadonlyMap<any, never> = new Map<any, never>();

export class SyncService {
  private readonly reader: RoomSyncReader;
  readonly caches: SyncCaches;
  /** Set as shutdown begins (`stop()`): waiting long-polls answer at once. */
  private stopped = false;
  /** What ends each waiting long-poll's wait early. */
  private readonly waits = new Set<() => void>();

  constructor(
    private readonly db: Knex,
    private readonly rooms: RoomService,
    private readonly r: Omit<RealtimeServices, 'sync'>,
    /** The pool of the shared caches (services.ts: deliveries get their own). */
    cacheDb: Knex = db,
  ) {
    this.caches = new SyncCaches(cacheDb, r.bus);
    this.reader = new RoomSyncReader(db, rooms, this.caches);
  }


  async currentPosition(userId: string): Promise<SyncPosition> {
    const now = this.positionNow(userId);
    if (now) return now;
    const [global, user] = await Promise.all([this.caches.positions.get(), this.caches.userPositions(userId)]);
    return this.positionOf(global, user);
  }

  /** The current position from the caches alone, if they are current (no promise on the hot path). */
  private positionNow(userId: string): SyncPosition | undefined {
    const global = this.caches.positions.peek();
    const user = this.caches.peekUserPositions(userId);
    return global && user ? this.positionOf(global, user) : undefined;
  }

  private positionOf(global: GlobalPositions, user: { accountData: number; notifications: number }): SyncPosition {
    return {
      events: global.events,
      accountData: user.accountData,
      receipts: global.receipts,
      toDevice: global.to_device,
      deviceLists: global.device_lists,
      presence: global.presence,
      pushRules: global.push_rules,
      notifications: user.notifications,
      typing: this.r.typing.currentPosition,
    };
  }

  private inFlight = new Set<Promise<unknown>>();

  /** Resolves once the syncs running now are done (shutdown: before the pool closes). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Shutdown begins: every waiting long-poll answers now, and new ones do not wait. */
  stop(): void {
    this.stopped = true;
    for (const end of [...this.waits]) end();
  }

  /**
   * Runs a sync; with a since token and a timeout, waits until there is something to say (or
   * `hangup` reports the client gone).
   */
  async sync(req: SyncRequest, hangup?: Hangup): Promise<SyncResponse> {
    const run = this.run(req, hangup);
    this.inFlight.add(run);
    try {
      return await run;
    } finally {
      this.inFlight.delete(run);
    }
  }

  private async run(req: SyncRequest, hangup?: Hangup): Promise<SyncResponse> {
    const since = req.since !== undefined ? parseSyncToken(req.since) : undefined;
    if (req.setPresence) await this.r.presence.onSync(req.userId, req.setPresence);
    const timeout = Math.min(req.timeoutMs, MAX_SYNC_TIMEOUT_MS);
    if (!since || timeout === 0 || req.fullState) return (await this.compute(req, since)).response;

    let woken = false;
    let wake: () => void = () => (woken = true);
    const listener: Listener = { userId: req.userId, deviceId: req.deviceId, wake: () => wake() };
    const stop = this.r.notifier.listen(listener, await this.joinedRoomIds(req.userId));
    const deadline = Date.now() + timeout;
    try {
      for (;;) {
        woken = false;
        const { response, empty, joinedRooms } = await this.compute(req, since);
        if (!empty || Date.now() >= deadline || hangup?.gone || this.stopped) return response;
        this.r.notifier.setRooms(listener, joinedRooms);
        if (!woken) {
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              this.waits.delete(done);
              if (hangup) hangup.onGone = undefined;
              resolve();
            };
            const timer = setTimeout(done, deadline - Date.now());
            this.waits.add(done);
            wake = done;
            if (hangup) hangup.onGone = done;
          });
          wake = () => (woken = true);
        }
      }
    } finally {
      stop();
    }
  }

  private memberships(userId: string): MembershipRow[] | Promise<MembershipRow[]> {
    return this.caches.peekMemberships(userId) ?? this.caches.membershipsOf(userId);
  }

  async joinedRoomIds(userId: string): Promise<string[]> {
    return (await this.memberships(userId)).filter((m) => m.membership === 'join').map((m) => m.room_id);
  }

  /** One sync response from `since` (undefined: initial) to now. */
  async compute(req: SyncRequest, sinceIn: SyncPosition | undefined): Promise<{ response: SyncResponse; empty: boolean; joinedRooms: string[] }> {
    const { userId, deviceId, filter } = req;
    const now = this.positionNow(userId) ?? (await this.currentPosition(userId));
    const global = this.caches.positions.peek() ?? (await this.caches.positions.get());
    const since = sinceIn ?? undefined;
    const S = (k: keyof SyncPosition) => since?.[k] ?? 0;
    const next: SyncPosition = since ? maxPosition(since, now) : now;
    const N = next.events;
    const roomFilter = filter.room ?? {};
    const roomAllowed = (roomId: string) => !roomFilter.not_rooms?.includes(roomId) && (!roomFilter.rooms || roomFilter.rooms.includes(roomId));
    const known = this.memberships(userId);
    const memberships = (Array.isArray(known) ? known : await known).filter((m) => roomAllowed(m.room_id));
    const ignored = this.caches.peekIgnoredUsers(userId) ?? (await this.caches.ignoredUsers(userId, () => this.rooms.visibility.ignoredUsers(userId)));
    const timelineFilter = roomFilter.timeline as RoomEventFilter | undefined;
    const stateFilter = roomFilter.state as RoomEventFilter | undefined;
    const lazy = !!stateFilter?.lazy_load_members;
    const threadCounts = !!timelineFilter?.unread_thread_notifications;

    const join: Record<string, Json> = {};
    const invite: Record<string, Json> = {};
    const knock: Record<string, Json> = {};
    const leave: Record<string, Json> = {};

    // Per-user data that decides which rooms appear in an incremental sync.
    // Streams that did not move since the token are not read at all.
    const moved = (k: keyof SyncPosition) => !since || next[k] > S(k);
    const accountRows: Array<{ room_id: string; type: string; content: unknown }> = moved('accountData')
      ? await this.db('account_data').where({ user_id: userId }).where('stream_id', '>', S('accountData')).where('stream_id', '<=', next.accountData).select('room_id', 'type', 'content')
      : [];
    const roomAccount = new Map<string, Array<{ type: string; content: unknown }>>();
    for (const a of accountRows) if (a.room_id !== '') (roomAccount.get(a.room_id) ?? roomAccount.set(a.room_id, []).get(a.room_id)!).push(a);
    const notifiedRooms =
      since && next.notifications > S('notifications')
        ? (this.caches.notifiedRooms(userId, S('notifications'), next.notifications) ??
          new Set<string>(
            (await this.db('notifications').where({ user_id: userId }).where('id', '>', S('notifications')).where('id', '<=', next.notifications).distinct('room_id')).map(
              (r: { room_id: string }) => r.room_id,
            ),
          ))
        : new Set<string>();
    if (since && next.notifications <= S('notifications')) this.caches.watchNotified(userId, next.notifications);

    const joined = memberships.filter((m) => m.membership === 'join' && m.event_nid <= N);
    const fullRooms = new Set(joined.filter((m) => !since || req.fullState || m.event_nid > S('events')).map((m) => m.room_id));
    const joinedIds = joined.map((m) => m.room_id);
    const incrementalIds = joinedIds.filter((id) => !fullRooms.has(id));
    const none: ReadonlyMap<string, Record<string, unknown>> = NOTHING;
    const [receiptsIncremental, receiptsFull] =
      moved('receipts') || fullRooms.size
        ? await Promise.all([
            moved('receipts') ? this.r.receipts.receiptEvents(userId, incrementalIds, S('receipts'), next.receipts) : none,
            fullRooms.size ? this.r.receipts.receiptEvents(userId, [...fullRooms], 0, next.receipts) : none,
          ])
        : [none, none];
    const ephemeralFilter = roomFilter.ephemeral as RoomEventFilter | undefined;

    const fullIds = [...fullRooms];
    const fullAccount = new Map<string, Array<{ type: string; content: unknown }>>();
    if (fullIds.length) {
      const rows = await this.db('account_data').where({ user_id: userId }).whereIn('room_id', fullIds).select('room_id', 'type', 'content');
      for (const r of rows) (fullAccount.get(r.room_id) ?? fullAccount.set(r.room_id, []).get(r.room_id)!).push(r);
    }
    // Timelines first (mostly from the shared recent-events cache), then the rest in batches.
    const prepared = (
      await mapLimited(joined, 8, async (m) => {
        const full = fullRooms.has(m.room_id);
        const w: RoomWindow = { roomId: m.room_id, roomNid: m.room_nid, from: full ? 0 : S('events'), upTo: N, fullState: full, joinedAt: m.event_nid };
        const timeline = full || N > S('events') ? await this.reader.timeline(userId, w, timelineFilter, ignored) : { events: [], limited: false, prevBatch: undefined };
        const ephemeral: Json[] = [];
        const typing = this.r.typing.typingEvent(m.room_id, full ? 0 : S('typing'));
        if (typing) ephemeral.push(typing);
        const receipts = (full ? receiptsFull : receiptsIncremental).get(m.room_id);
        if (receipts) ephemeral.push({ type: 'm.receipt', content: receipts });
        const ephemeralShown = ephemeral.filter((e) => matchesEventFilter(ephemeralFilter, { type: e.type, sender: '' }));
        const accountData = ((full ? fullAccount : roomAccount).get(m.room_id) ?? []).filter((e) =>
          matchesEventFilter(roomFilter.account_data as RoomEventFilter | undefined, { type: e.type, sender: userId }),
        );
        const changed = timeline.events.length > 0 || ephemeralShown.length > 0 || accountData.length > 0 || notifiedRooms.has(m.room_id);
        if (!full && !changed) return undefined;
        return { m, w, full, timeline, ephemeralShown, accountData };
      })
    ).filter((p) => p !== undefined);
    const fullNids = prepared.filter((p) => p.full).map((p) => p.m.room_nid);
    const currentStates = fullNids.length ? await this.reader.currentStates(fullNids) : NOTHING;
    const withState = await mapLimited(prepared, 8, async (p) => {
      const lazyMembers = lazy ? new Set([userId, ...p.timeline.events.map((e) => e.sender)]) : undefined;
      const state = await this.reader.stateBefore(p.w, p.timeline.events, p.timeline.limited, lazyMembers, currentStates.get(p.m.room_nid));
      return { ...p, state: state.filter((e) => matchesEventFilter(stateFilter, { type: e.type, sender: e.sender, content: e.pdu.content })) };
    });
    // One serialization for every event of the response.
    const serialized = await this.serialize(userId, deviceId, withState.flatMap((p) => [...p.timeline.events, ...p.state]));
    const summarized = withState.filter((p) => p.full || [...p.timeline.events, ...p.state].some((e) => e.type === 'm.room.member'));
    const summaries = summarized.length ? await this.reader.summaries(userId, summarized.map((p) => p.m.room_nid)) : NOTHING;
    let at = 0;
    const sections = withState.map((p) => {
      const timelineEvents = serialized.slice(at, (at += p.timeline.events.length));
      const stateEvents = serialized.slice(at, (at += p.state.length));
      const section: Json = {
        timeline: { events: timelineEvents, limited: p.timeline.limited, ...(p.timeline.prevBatch ? { prev_batch: p.timeline.prevBatch } : {}) },
        state: { events: stateEvents },
        ephemeral: { events: p.ephemeralShown },
        account_data: { events: p.accountData },
      };
      const summary = summaries.get(p.m.room_nid);
      if (summary) section.summary = summary;
      return { roomId: p.m.room_id, section };
    });
    const shownRooms = sections.filter(Boolean).map((s) => s!.roomId);
    const counts = await this.caches.unread.counts(userId, shownRooms, threadCounts);
    for (const s of sections) {
      if (!s) continue;
      const c = counts.get(s.roomId)!;
      s.section.unread_notifications = c.main;
      if (threadCounts) s.section.unread_thread_notifications = c.threads;
      join[s.roomId] = s.section;
    }

    for (const m of memberships) {
      const isNew = !since || m.event_nid > S('events');
      if (!isNew || m.event_nid > N) continue;
      if (m.membership === 'invite' || m.membership === 'knock') {
        const [event] = await this.rooms.store.eventsByNids([m.event_nid]);
        const stripped = await this.reader.strippedState(m.room_nid, event);
        if (m.membership === 'invite') invite[m.room_id] = { invite_state: { events: stripped } };
        else knock[m.room_id] = { knock_state: { events: stripped } };
      } else if ((m.membership === 'leave' || m.membership === 'ban') && !m.forgotten && (since || roomFilter.include_leave)) {
        const w: RoomWindow = { roomId: m.room_id, roomNid: m.room_nid, from: since ? S('events') : 0, upTo: m.event_nid, fullState: !since, joinedAt: m.event_nid };
        const timeline = await this.reader.timeline(userId, w, timelineFilter, ignored);
        const state = await this.reader.stateBefore(w, timeline.events, timeline.limited, undefined);
        leave[m.room_id] = {
          timeline: { events: await this.serialize(userId, deviceId, timeline.events), limited: timeline.limited, ...(timeline.prevBatch ? { prev_batch: timeline.prevBatch } : {}) },
          state: { events: await this.serialize(userId, deviceId, state) },
          account_data: { events: [] },
        };
      }
    }

    const globalAccount = (since ? accountRows.filter((a) => a.room_id === '') : await this.roomAccountData(userId, '')).map((a) => ({ type: a.type, content: a.content }));
    if (!since || (moved('pushRules') && (await this.r.pushRules.changedSince(userId, S('pushRules'), next.pushRules)))) {
      globalAccount.push({ type: 'm.push_rules', content: { global: await this.r.pushRules.forClient(userId) } });
    }
    const accountData = globalAccount.filter((e) => matchesEventFilter(filter.account_data, { type: e.type, sender: userId }));
    // Users who newly share a room: their presence (even if old) and device lists concern the viewer.
    const sharing = !!since && global.lastMembership > S('events');
    const noToDevice = { events: [], position: S('toDevice') };
    const noDeviceLists = { changed: [] as string[], left: [] as string[] };
    // Most incremental syncs: none of these streams moved and the key counts are cached (no promises).
    const knownKeyCounts =
      since && !moved('presence') && !sharing && !moved('toDevice') && !moved('deviceLists') ? this.r.keys.peekCounts(userId, deviceId) : undefined;
    const [changedPresence, newlySharedPresence, toDevice, deviceLists, keyCounts] = knownKeyCounts
      ? [[], [], noToDevice, noDeviceLists, knownKeyCounts]
      : await Promise.all([
          moved('presence') ? this.r.presence.presenceEvents(userId, S('presence'), next.presence) : [],
          sharing ? usersNewlySharingRoomWith(this.db, userId, S('events'), N).then((ids) => this.r.presence.currentPresence(ids, next.presence)) : [],
          moved('toDevice') ? this.r.toDevice.take(userId, deviceId, S('toDevice'), next.toDevice) : noToDevice,
          since && (moved('deviceLists') || sharing)
            ? deviceListChanges(this.db, this.r.deviceLists, userId, { events: [S('events'), N], deviceLists: [S('deviceLists'), next.deviceLists] })
            : noDeviceLists,
          this.r.keys.countsFor(userId, deviceId),
        ]);
    const changedSenders = new Set(changedPresence.map((e) => e.sender));
    const presenceEvents = [...changedPresence, ...newlySharedPresence.filter((e) => !changedSenders.has(e.sender))];
    const presence = presenceEvents.filter((e) => matchesEventFilter(filter.presence, { type: e.type, sender: e.sender }));
    next.toDevice = Math.max(S('toDevice'), toDevice.position);
    const { oneTimeKeyCounts: otkCounts, unusedFallbackKeyTypes: fallbackTypes } = keyCounts;

    const response: SyncResponse = {
      next_batch: encodeSyncToken(next),
      rooms: { join, invite, knock, leave },
      presence: { events: presence as never },
      account_data: { events: accountData as never },
      to_device: { events: toDevice.events as never },
      device_lists: deviceLists,
      device_one_time_keys_count: otkCounts,
      device_unused_fallback_key_types: fallbackTypes,
    };
    const empty =
      Object.keys(join).length + Object.keys(invite).length + Object.keys(knock).length + Object.keys(leave).length === 0 &&
      presence.length === 0 &&
      accountData.length === 0 &&
      toDevice.events.length === 0 &&
      deviceLists.changed.length + deviceLists.left.length === 0;
    return { response, empty, joinedRooms: joinedIds };
  }

  private async roomAccountData(userId: string, roomId: string): Promise<Array<{ type: string; content: unknown }>> {
    return this.db('account_data').where({ user_id: userId, room_id: roomId }).select('type', 'content');
  }

  /** Client format; events the caches know to have no bundled relations skip that read. */
  private async serialize(userId: string, deviceId: string, events: StoredEvent[]): Promise<Json[]> {
    const plain: StoredEvent[] = [];
    const bundled: StoredEvent[] = [];
    for (const e of events) (this.caches.withoutRelations(e) ? plain : bundled).push(e);
    const serializer = this.rooms.serializer;
    let out: Json[];
    const asPlain = { userId, deviceId, bundleAggregations: false, withoutRoomId: true };
    const asBundled = { userId, deviceId, withoutRoomId: true };
    if (bundled.length === 0) out = (await serializer.serialize(plain, asPlain)) as Json[];
    else if (plain.length === 0) out = (await serializer.serialize(bundled, asBundled)) as Json[];
    else {
      const [a, b] = await Promise.all([serializer.serialize(plain, asPlain), serializer.serialize(bundled, asBundled)]);
      const byEvent = new Map<StoredEvent, Json>();
      plain.forEach((e, i) => byEvent.set(e, a[i] as Json));
      bundled.forEach((e, i) => byEvent.set(e, b[i] as Json));
      out = events.map((e) => byEvent.get(e)!);
    }
    return out;
  }

  /** GET /keys/changes between two sync tokens. */
  async keyChanges(userId: string, from: string, to: string): Promise<{ changed: string[]; left: string[] }> {
    let a: SyncPosition;
    let b: SyncPosition;
    try {
      a = parseSyncToken(from);
      b = parseSyncToken(to);
    } catch {
      throw Errors.invalidParam('from and to must be sync tokens');
    }
    return deviceListChanges(this.db, this.r.deviceLists, userId, { events: [a.events, b.events], deviceLists: [a.deviceLists, b.deviceLists] });
  }
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  if (items.length <= 1) return items.length ? [await fn(items[0])] : [];
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}
