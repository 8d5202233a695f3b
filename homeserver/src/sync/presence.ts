// Presence: https://spec.matrix.org/v1.19/client-server-api/#presence
// Stored in Postgres (shared by processes, kept across restarts), streamed by `presence` position.
// A sweeper turns online users who stopped syncing into `unavailable` after `idleAfterMs`.
import type { Knex } from 'knex';
import type { EventBus } from '../bus/bus.js';
import { CHANNEL } from './channels.js';
import { usersSharingRoomWith } from './membership.js';
import { advanceStream } from './streams.js';

export type PresenceState = 'online' | 'unavailable' | 'offline';

interface PresenceRow {
  user_id: string;
  state: PresenceState;
  status_msg: string | null;
  last_active_ts: number;
  currently_active: boolean;
  /** Set through PUT /presence (not by a sync's set_presence or the idle sweep). */
  chosen: boolean;
  stream_id: number;
}

export interface PresenceContent {
  presence: PresenceState;
  last_active_ago?: number;
  status_msg?: string | null;
  currently_active?: boolean;
}

/** `currently_active` means active within this window. */
const CURRENTLY_ACTIVE_MS = 60_000;

export interface PresenceOptions {
  idleAfterMs: number;
  sweepEveryMs: number;
}

/**
 * How often a syncing user's last_active is written: at most once a minute (each refresh is a
 * write), and well within the idle time, so the sweep never takes an active user for idle.
 */
function activityRefreshMs(idleAfterMs: number): number {
  return Math.min(60_000, Math.floor(idleAfterMs / 4));
}

export class PresenceService {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Knex,
    private readonly bus: EventBus,
    private readonly opts: PresenceOptions = { idleAfterMs: 5 * 60_000, sweepEveryMs: 30_000 },
  ) {
    this.timer = setInterval(() => void this.sweepIdle().catch(() => {}), opts.sweepEveryMs);
    this.timer.unref();
    // Any change (the idle sweep of any process above all) means the next sync reads again.
    this.unsubscribe = bus.subscribe(CHANNEL.presence, (m) => this.recentlyOnline.delete((m as { userId: string }).userId));
  }

  private readonly unsubscribe: () => void;

  /**
   * PUT /presence/{userId}/status (`chosen`), or a sync's set_presence: the state and optional
   * status message. A chosen unavailable or offline holds until the user sets another state: the
   * implicit "online" of their syncs leaves it alone (an "away" set by hand must not flip back on
   * the next long-poll). The idle sweep's "unavailable" is not chosen: syncing ends it.
   */
  async setPresence(userId: string, state: PresenceState, statusMsg?: string | null, chosen = true): Promise<void> {
    this.recentlyOnline.delete(userId);
    await this.write(userId, (prev) => ({
      state,
      status_msg: statusMsg === undefined ? (prev?.status_msg ?? null) : statusMsg,
      last_active_ts: state === 'online' ? Date.now() : (prev?.last_active_ts ?? Date.now()),
      currently_active: state === 'online',
      chosen: chosen && state !== 'online',
    }));
  }

  /** Users this process saw online recently (skips a read per long-poll). */
  private readonly recentlyOnline = new Map<string, number>();

  /**
   * A sync with `set_presence`: online refreshes activity; others set the state if it differs.
   * Refreshing an online user's activity is not a change others are told of (their clients
   * already show the user online and active), as Synapse does: it neither moves the presence
   * stream nor wakes anyone's sync.
   */
  async onSync(userId: string, setPresence: PresenceState): Promise<void> {
    const now = Date.now();
    const refreshMs = activityRefreshMs(this.opts.idleAfterMs);
    if (setPresence === 'online' && now < (this.recentlyOnline.get(userId) ?? 0)) return;
    const row: PresenceRow | undefined = await this.db('presence').where({ user_id: userId }).first();
    if (setPresence === 'online' && row && (row.state === 'online' || row.chosen)) {
      if (this.recentlyOnline.size > 100_000) this.recentlyOnline.clear();
      // Skip the read until the row needs its refresh; a chosen state needs none (a presence
      // change on the bus drops this entry).
      this.recentlyOnline.set(userId, (row.chosen ? now : row.last_active_ts) + refreshMs);
    }
    if (setPresence === 'online') {
      if (row?.chosen) return;
      if (row && row.state === 'online') {
        if (now - row.last_active_ts < refreshMs) return;
        // Only while still online and not chosen: the idle sweep or a PUT may have changed it since the read.
        const refreshed = await this.db('presence').where({ user_id: userId, state: 'online', chosen: false }).update({ last_active_ts: now, currently_active: true });
        if (refreshed) {
          this.recentlyOnline.set(userId, now + refreshMs);
          return;
        }
      }
      await this.write(userId, (prev) => ({
        state: 'online',
        status_msg: prev?.status_msg ?? null,
        last_active_ts: now,
        currently_active: true,
        chosen: false,
      }));
      this.recentlyOnline.set(userId, now + refreshMs);
    } else if (row?.state !== setPresence) {
      await this.setPresence(userId, setPresence, undefined, false);
    }
  }

  private async write(userId: string, next: (prev: PresenceRow | undefined) => Omit<PresenceRow, 'user_id' | 'stream_id'>): Promise<void> {
    await this.db.transaction(async (trx) => {
      const prev: PresenceRow | undefined = await trx('presence').where({ user_id: userId }).forUpdate().first();
      const streamId = await advanceStream(trx, 'presence');
      await trx('presence')
        .insert({ user_id: userId, ...next(prev), stream_id: streamId })
        .onConflict('user_id')
        .merge();
    });
    await this.bus.publish(CHANNEL.presence, { userId });
  }

  async get(userId: string): Promise<PresenceContent> {
    const row: PresenceRow | undefined = await this.db('presence').where({ user_id: userId }).first();
    return row ? this.content(row) : { presence: 'offline' };
  }

  private content(row: PresenceRow): PresenceContent {
    const ago = Math.max(0, Date.now() - row.last_active_ts);
    const out: PresenceContent = { presence: row.state, last_active_ago: ago, currently_active: row.state === 'online' && ago < CURRENTLY_ACTIVE_MS };
    if (row.status_msg !== null) out.status_msg = row.status_msg;
    return out;
  }

  /** m.presence events of users sharing a room with `viewer`, changed in (since, upTo]. */
  async presenceEvents(viewer: string, since: number, upTo: number): Promise<Array<{ type: 'm.presence'; sender: string; content: PresenceContent }>> {
    const q = this.db('presence').where('stream_id', '<=', upTo).andWhere('stream_id', '>', since);
    // Initial syncs ask about the viewer's contacts only; incremental ones about the few changes.
    const visible = since === 0 ? await usersSharingRoomWith(this.db, viewer) : undefined;
    if (visible) q.whereIn('user_id', [...visible]);
    const rows: PresenceRow[] = await q.select();
    if (rows.length === 0) return [];
    const shown = visible ?? (await usersSharingRoomWith(this.db, viewer));
    return rows.filter((r) => shown.has(r.user_id)).map((r) => ({ type: 'm.presence', sender: r.user_id, content: this.content(r) }));
  }

  /**
   * The current presence (up to `upTo`) of users who newly share a room with the viewer: they
   * see it on joining even though it did not change (https://spec.matrix.org/v1.19/client-server-api/#presence).
   */
  async currentPresence(userIds: string[], upTo: number): Promise<Array<{ type: 'm.presence'; sender: string; content: PresenceContent }>> {
    if (userIds.length === 0) return [];
    const rows: PresenceRow[] = await this.db('presence').whereIn('user_id', userIds).where('stream_id', '<=', upTo).select();
    return rows.map((r) => ({ type: 'm.presence', sender: r.user_id, content: this.content(r) }));
  }

  async sweepIdle(): Promise<void> {
    const cutoff = Date.now() - this.opts.idleAfterMs;
    const idle: Array<{ user_id: string }> = await this.db('presence')
      .where({ state: 'online' })
      .andWhere('last_active_ts', '<', cutoff)
      .select('user_id');
    for (const { user_id } of idle) {
      let changed = false;
      await this.db.transaction(async (trx) => {
        const row: PresenceRow | undefined = await trx('presence').where({ user_id }).forUpdate().first();
        if (!row || row.state !== 'online' || row.last_active_ts >= cutoff) return;
        const streamId = await advanceStream(trx, 'presence');
        await trx('presence').where({ user_id }).update({ state: 'unavailable', currently_active: false, stream_id: streamId });
        changed = true;
      });
      if (changed) await this.bus.publish(CHANNEL.presence, { userId: user_id });
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.unsubscribe();
  }
}
