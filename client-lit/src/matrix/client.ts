// The client facade the elements use: a sync loop feeding the room models, sending with local
// echo and retry, and the room, profile and media operations. Emits `change` (batched per frame
// at most once per microtask), `status` and `message` (a new message from someone else).
import { MatrixApiError, MatrixHttp, NetworkError } from './http.js';
import { routes, PARLEY_WS_FEATURE, PARLEY_WS_PATH } from './routes.js';
import { Room, isMessage, type LocalEcho } from './room.js';
import { MediaCache, upload, type UploadHandle } from './media.js';
import { backoffDelay, sleep } from './backoff.js';
import type { MatrixEvent, MessagesResponse, Session, SyncResponse } from './types.js';

export type ConnectionStatus = 'connecting' | 'online' | 'offline';

export interface Presence {
  presence: string;
  lastActiveAgo?: number;
  currentlyActive?: boolean;
  receivedAt: number;
}

export interface ClientOptions {
  /** Number of events per room in the first sync. */
  initialTimelineLimit?: number;
  /** Long-poll timeout of /sync, in ms. */
  syncTimeoutMs?: number;
}

const SYNC_FILTER = (limit: number) => JSON.stringify({ room: { timeline: { limit } } });

declare global {
  interface Window {
    /** The first /sync, started by index.html before the app's JavaScript arrived. */
    parleyFirstSync?: { token: string; response: Promise<SyncResponse | null> };
  }
}

/** HTTP status for an error frame of the stream, which carries only the errcode. */
function statusOfErrcode(errcode: string | undefined): number {
  switch (errcode) {
    case 'M_LIMIT_EXCEEDED':
      return 429;
    case 'M_FORBIDDEN':
      return 403;
    case 'M_NOT_FOUND':
      return 404;
    case 'M_UNKNOWN_TOKEN':
    case 'M_MISSING_TOKEN':
      return 401;
    case 'M_BAD_JSON':
    case 'M_NOT_JSON':
    case 'M_MISSING_PARAM':
    case 'M_INVALID_PARAM':
    case 'M_TOO_LARGE':
      return 400;
    default:
      return 500;
  }
}

/** Takes the early /sync started by index.html, once, if it was made with this session. */
function takeEarlySync(token: string): Promise<SyncResponse | null> | undefined {
  const early = typeof window !== 'undefined' ? window.parleyFirstSync : undefined;
  if (!early) return undefined;
  window.parleyFirstSync = undefined;
  return early.token === token ? early.response : undefined;
}

export class MatrixClient extends EventTarget {
  readonly http: MatrixHttp;
  readonly media: MediaCache;
  readonly rooms = new Map<string, Room>();
  readonly presence = new Map<string, Presence>();
  readonly accountData = new Map<string, Record<string, any>>();
  status: ConnectionStatus = 'connecting';
  /** When the next reconnect attempt happens, while offline. */
  retryAt?: number;
  /** Transport in use once connected: Parley's WebSocket stream or /sync long-polling. */
  transport: 'sync' | 'websocket' = 'sync';
  serverFeatures: Record<string, boolean> = {};
  initialSyncDone = false;
  private since?: string;
  private readonly abort = new AbortController();
  private readonly sentEventIds = new Map<string, string>(); // txnId -> event id
  private txnCounter = 0;
  private changeQueued = false;
  private useFilter = true;
  private featuresKnown = false;
  private socket?: WebSocket;
  private wsCounter = 0;
  private readonly wsPending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private wake?: () => void;

  constructor(
    readonly session: Session,
    private readonly opts: ClientOptions = {},
  ) {
    super();
    this.http = new MatrixHttp(session.homeserver, session.accessToken);
    this.media = new MediaCache(this.http);
  }

  get userId(): string {
    return this.session.userId;
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  start(): void {
    void this.syncLoop();
    if (typeof window !== 'undefined') window.addEventListener('online', this.onBrowserOnline);
  }

  stop(): void {
    this.abort.abort();
    this.socket?.close(1000);
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onBrowserOnline);
  }

  private readonly onBrowserOnline = (): void => this.retryNow();

  /** Asks /versions once (again after a failure) what the server offers. */
  private async detectFeatures(): Promise<void> {
    if (this.featuresKnown) return;
    const v = await this.http.call(routes.versions, { signal: this.abort.signal });
    this.serverFeatures = v.unstable_features ?? {};
    this.featuresKnown = true;
  }

  /** Whether the server offers Parley's WebSocket stream (docs/websocket.md). */
  get offersWebSocket(): boolean {
    return !!this.serverFeatures[PARLEY_WS_FEATURE] && typeof WebSocket !== 'undefined';
  }

  private syncFilter(): string | undefined {
    return this.useFilter ? SYNC_FILTER(this.opts.initialTimelineLimit ?? 10) : undefined;
  }

  /**
   * The first sync over HTTP (it may have started before this script, see index.html), then
   * Parley's WebSocket stream when /versions offers it, long-polling /sync otherwise. Reconnects
   * with backoff and always resumes from the last token processed.
   */
  private async syncLoop(): Promise<void> {
    let failures = 0;
    let wsOpenFailures = 0;
    const signal = this.abort.signal;
    const early = await takeEarlySync(this.session.accessToken);
    if (early?.next_batch && !signal.aborted) {
      this.processSync(early);
      this.since = early.next_batch;
      this.setStatus('online');
    }
    while (!signal.aborted) {
      try {
        if (this.since) await this.detectFeatures();
        if (this.since && this.offersWebSocket && wsOpenFailures < 2) {
          const openedAt = Date.now();
          let opened = false;
          try {
            await this.stream(() => (opened = true));
          } catch (err) {
            if (!opened && err instanceof NetworkError) {
              // Refused before it opened: is the server down, or is the stream blocked on the way
              // (a proxy without WebSocket support)? If plain HTTP gets through, fall back to /sync.
              const reachable = await this.http.call(routes.versions, { signal }).then(() => true, () => false);
              if (reachable) wsOpenFailures++;
            }
            throw err;
          }
          wsOpenFailures = 0;
          if (signal.aborted) return;
          // Closed after it was open (a restart closes with 1001): reconnect after about a second,
          // jittered so that a server's clients do not all come back at once; longer if the
          // connections keep dropping soon after opening.
          if (Date.now() - openedAt > 10_000) failures = 0;
          const delay = backoffDelay(failures++);
          this.retryAt = Date.now() + delay;
          this.setStatus('offline');
          await this.pause(delay);
          continue;
        }
        this.transport = 'sync';
        const query: Record<string, string | number> = { timeout: this.since ? (this.opts.syncTimeoutMs ?? 30_000) : 0 };
        if (this.since) query.since = this.since;
        const filter = this.syncFilter();
        if (filter) query.filter = filter;
        const res = await this.http.call<SyncResponse>(routes.sync, { query, signal });
        failures = 0;
        this.processSync(res);
        this.since = res.next_batch;
        this.setStatus('online');
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof MatrixApiError && err.errcode === 'M_UNKNOWN_TOKEN') {
          this.dispatchEvent(new CustomEvent('session-ended', { detail: err }));
          return;
        }
        if (err instanceof MatrixApiError && err.status === 400 && this.useFilter && !this.since) {
          this.useFilter = false; // a server that rejects inline filters still syncs without one
          continue;
        }
        const delay = err instanceof MatrixApiError && err.retryAfterMs ? err.retryAfterMs : backoffDelay(failures++);
        this.retryAt = Date.now() + delay;
        this.setStatus(err instanceof NetworkError || (err instanceof MatrixApiError && err.status >= 500) ? 'offline' : this.status);
        await this.pause(delay);
      }
    }
  }

  /** Waits, unless retryNow() or stop() cuts it short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      this.abort.signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * One connection to the WebSocket stream, from `since`; resolves when it closes after having
   * opened. Rejects with NetworkError if it never opened, with M_UNKNOWN_TOKEN if the server
   * refused the token.
   */
  private stream(onOpen: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const query: Record<string, string> = { since: this.since! };
      const filter = this.syncFilter();
      if (filter) query.filter = filter;
      const url = new URL(this.http.url(PARLEY_WS_PATH, query));
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      let ws: WebSocket;
      try {
        ws = new WebSocket(url);
      } catch (err) {
        return reject(new NetworkError((err as Error).message));
      }
      let opened = false;
      let authError: Record<string, any> | undefined;
      let lastHeard = Date.now();
      let keepalive: ReturnType<typeof setInterval> | undefined;
      const onAbort = () => ws.close(1000);
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      ws.onopen = () => {
        opened = true;
        onOpen();
        // Browsers cannot set headers on a WebSocket: the token goes in the first frame.
        ws.send(JSON.stringify({ type: 'auth', access_token: this.session.accessToken, id: 'auth' }));
        this.socket = ws;
        // The server pings at the protocol level; an application ping also tells us when a
        // connection died without a close (a sleeping laptop, a dropped Wi-Fi).
        keepalive = setInterval(() => {
          if (Date.now() - lastHeard > 45_000) ws.close(4000, 'no pong');
          else if (Date.now() - lastHeard > 25_000) ws.send(JSON.stringify({ type: 'ping', id: 'ping' }));
        }, 5_000);
      };
      ws.onmessage = (m) => {
        lastHeard = Date.now();
        let frame: Record<string, any>;
        try {
          frame = JSON.parse(String(m.data));
        } catch {
          return;
        }
        if (frame.type === 'sync') {
          this.transport = 'websocket';
          this.processSync(frame as unknown as SyncResponse);
          this.since = frame.next_batch;
          this.setStatus('online');
        } else if (frame.type === 'result' || frame.type === 'error') {
          if (frame.id === 'auth' && frame.type === 'error') authError = frame;
          const waiting = this.wsPending.get(frame.id);
          if (!waiting) return;
          this.wsPending.delete(frame.id);
          if (frame.type === 'result') waiting.resolve(frame.body ?? {});
          else waiting.reject(new MatrixApiError(statusOfErrcode(frame.errcode), frame.errcode ?? 'M_UNKNOWN', frame.error ?? '', frame));
        }
      };
      ws.onclose = (ev) => {
        clearInterval(keepalive);
        this.abort.signal.removeEventListener('abort', onAbort);
        if (this.socket === ws) this.socket = undefined;
        for (const [id, waiting] of this.wsPending) {
          this.wsPending.delete(id);
          waiting.reject(new NetworkError('connection closed'));
        }
        if (ev.code === 4001 || authError) reject(new MatrixApiError(401, authError?.errcode ?? 'M_UNKNOWN_TOKEN', authError?.error ?? 'Unknown token', authError));
        else if (!opened) reject(new NetworkError('WebSocket connection failed'));
        else resolve();
      };
    });
  }

  /** Sends a client frame on the open stream and waits for its result (docs/websocket.md). */
  private wsRequest<T = any>(frame: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    const ws = this.socket;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new NetworkError('not connected'));
    const id = `r${++this.wsCounter}`;
    const text = JSON.stringify({ ...frame, id });
    if (text.length > 60_000) return Promise.reject(new NetworkError('frame too large for the stream'));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wsPending.delete(id);
        reject(new NetworkError('no answer on the stream'));
      }, timeoutMs);
      this.wsPending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      ws.send(text);
    });
  }

  /** Whether client frames can go over the stream right now. */
  private get streamOpen(): boolean {
    return this.transport === 'websocket' && this.socket?.readyState === 1;
  }

  private setStatus(s: ConnectionStatus): void {
    if (s === 'online') this.retryAt = undefined;
    if (this.status === s) return;
    this.status = s;
    this.dispatchEvent(new CustomEvent('status', { detail: s }));
    if (s === 'online') this.flushQueues();
    this.changed();
  }

  /** Reconnect now instead of waiting for the backoff timer. */
  retryNow(): void {
    this.retryAt = Date.now();
    this.wake?.();
  }

  changed(): void {
    if (this.changeQueued) return;
    this.changeQueued = true;
    queueMicrotask(() => {
      this.changeQueued = false;
      this.dispatchEvent(new Event('change'));
    });
  }

  // ---- sync processing ---------------------------------------------------------------------

  room(roomId: string): Room {
    let room = this.rooms.get(roomId);
    if (!room) this.rooms.set(roomId, (room = new Room(roomId, this.userId)));
    return room;
  }

  processSync(res: SyncResponse): void {
    for (const e of res.account_data?.events ?? []) this.accountData.set(e.type, e.content);
    for (const e of res.presence?.events ?? []) {
      this.presence.set(e.sender, {
        presence: e.content.presence,
        lastActiveAgo: e.content.last_active_ago,
        currentlyActive: e.content.currently_active,
        receivedAt: Date.now(),
      });
    }
    for (const [roomId, inv] of Object.entries(res.rooms?.invite ?? {})) {
      const room = this.room(roomId);
      room.membership = 'invite';
      for (const e of inv.invite_state?.events ?? []) room.setState(e);
      room.inviter = room.memberEvent(this.userId)?.sender;
      room.touch();
    }
    for (const [roomId, joined] of Object.entries(res.rooms?.join ?? {})) {
      const room = this.room(roomId);
      const wasJoined = room.membership === 'join' && this.initialSyncDone;
      room.membership = 'join';
      if (joined.summary?.['m.heroes']) room.heroes = joined.summary['m.heroes'];
      for (const e of joined.state?.events ?? []) room.setState(e);
      const timeline = joined.timeline?.events ?? [];
      if (joined.timeline?.limited && room.events.length) {
        // A gap: the loaded timeline no longer joins the live one. Start afresh from here.
        room.events.length = 0;
        room.eventsVersion++;
      }
      if (room.prevBatch === undefined || joined.timeline?.limited) room.prevBatch = joined.timeline?.prev_batch ?? null;
      room.addLive(timeline, this.sentEventIds);
      // Someone new shares a room with us: their presence may now be readable.
      for (const e of timeline) if (e.type === 'm.room.member' && e.content.membership === 'join' && !this.presence.has(e.state_key!)) this.presenceAsked.delete(e.state_key!);
      for (const e of joined.account_data?.events ?? []) room.accountData.set(e.type, e.content);
      room.applyEphemeral(joined.ephemeral?.events ?? []);
      if (this.initialSyncDone || wasJoined) {
        for (const e of timeline) {
          if (e.sender !== this.userId && isMessage(e)) this.dispatchEvent(new CustomEvent('message', { detail: { room, event: e } }));
        }
      }
    }
    for (const [roomId, left] of Object.entries(res.rooms?.leave ?? {})) {
      const room = this.room(roomId);
      room.membership = 'leave';
      for (const e of left.state?.events ?? []) room.setState(e);
      room.addLive(left.timeline?.events ?? []);
    }
    this.initialSyncDone = true;
    this.changed();
  }

  // ---- rooms -------------------------------------------------------------------------------

  /** Rooms I am in or invited to, most recent activity first. */
  roomList(): Room[] {
    return [...this.rooms.values()]
      .filter((r) => r.membership !== 'leave')
      .sort((a, b) => (b.membership === 'invite' ? 1 : 0) - (a.membership === 'invite' ? 1 : 0) || b.lastActivity() - a.lastActivity());
  }

  directRoomIds(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [user, ids] of Object.entries<string[]>(this.accountData.get('m.direct') ?? {})) for (const id of ids ?? []) out.set(id, user);
    return out;
  }

  /** The other user if the room is a DM (per m.direct, or is_direct on my invite). */
  dmPartner(room: Room): string | undefined {
    const fromAccountData = this.directRoomIds().get(room.roomId);
    if (fromAccountData) return fromAccountData;
    const me = room.memberEvent(this.userId) as MatrixEvent | undefined;
    if (me?.content.is_direct) return me.sender !== this.userId ? me.sender : room.otherMembers()[0];
    // Joined from a direct invite: the invite is the previous content of my membership.
    if (me?.unsigned?.prev_content?.is_direct && me.unsigned.prev_content.membership === 'invite') {
      const others = room.otherMembers();
      return others.length === 1 ? others[0] : undefined;
    }
    return undefined;
  }

  /** Accepts an invite; a direct one is recorded in m.direct, as the inviter's client did. */
  async acceptInvite(roomId: string): Promise<void> {
    const room = this.rooms.get(roomId);
    const invite = room?.memberEvent(this.userId);
    const inviter = invite?.content.is_direct ? invite.sender : undefined;
    await this.join(roomId);
    if (inviter && inviter !== this.userId) await this.addDirect(inviter, roomId);
  }

  private async addDirect(userId: string, roomId: string): Promise<void> {
    const direct = { ...(this.accountData.get('m.direct') ?? {}) } as Record<string, string[]>;
    if (direct[userId]?.includes(roomId)) return;
    direct[userId] = [...(direct[userId] ?? []), roomId];
    this.accountData.set('m.direct', direct);
    this.changed();
    await this.http.call(routes.setAccountData, { params: { userId: this.userId, type: 'm.direct' }, body: direct }).catch(() => {});
  }

  roomName(room: Room): string {
    const named = room.name;
    if (named) return named;
    const others = room.otherMembers();
    if (others.length === 0) return room.membership === 'invite' && room.inviter ? room.displayName(room.inviter) : 'Empty room';
    const names = others.slice(0, 3).map((u) => room.displayName(u));
    return others.length > 3 ? `${names.join(', ')} +${others.length - 3}` : names.join(', ');
  }

  myDisplayName(): string {
    for (const room of this.rooms.values()) {
      const n = room.memberEvent(this.userId)?.content.displayname;
      if (n) return n;
    }
    return this.userId.slice(1).split(':')[0];
  }

  async createDirectRoom(userId: string): Promise<string> {
    const existing = [...this.directRoomIds()].find(([id, u]) => u === userId && this.rooms.get(id)?.membership === 'join');
    if (existing) return existing[0];
    const { room_id } = await this.http.call(routes.createRoom, {
      body: { is_direct: true, invite: [userId], preset: 'trusted_private_chat' },
    });
    await this.addDirect(userId, room_id);
    return room_id;
  }

  async createGroup(name: string, invite: string[], topic?: string): Promise<string> {
    const { room_id } = await this.http.call(routes.createRoom, {
      body: { name, invite, topic: topic || undefined, preset: 'private_chat' },
    });
    return room_id;
  }

  async join(roomIdOrAlias: string): Promise<string> {
    const { room_id } = await this.http.call(routes.join, { params: { roomIdOrAlias }, body: {} });
    return room_id;
  }

  async leave(roomId: string): Promise<void> {
    await this.http.call(routes.leave, { params: { roomId }, body: {} });
    const room = this.rooms.get(roomId);
    if (room) room.membership = 'leave';
    this.changed();
  }

  invite(roomId: string, userId: string) {
    return this.http.call(routes.invite, { params: { roomId }, body: { user_id: userId } });
  }
  kick(roomId: string, userId: string, reason?: string) {
    return this.http.call(routes.kick, { params: { roomId }, body: { user_id: userId, reason } });
  }
  ban(roomId: string, userId: string, reason?: string) {
    return this.http.call(routes.ban, { params: { roomId }, body: { user_id: userId, reason } });
  }
  setRoomState(roomId: string, eventType: string, content: Record<string, unknown>, stateKey = '') {
    return this.http.call(routes.setState, { params: { roomId, eventType, stateKey }, body: content });
  }

  async resolveAlias(alias: string): Promise<string> {
    const res = await this.http.call(routes.resolveAlias, { params: { roomAlias: alias } });
    return res.room_id;
  }

  /** Loads older events; returns false when the start of the room is reached. */
  async paginateBack(room: Room, limit = 40): Promise<boolean> {
    if (room.prevBatch === null) return false;
    const query: Record<string, string | number> = { dir: 'b', limit };
    if (room.prevBatch) query.from = room.prevBatch;
    const res = await this.http.call<MessagesResponse>(routes.messages, { params: { roomId: room.roomId }, query });
    for (const s of res.state ?? []) if (!room.memberEvent(s.state_key ?? '')) room.setState(s);
    room.addHistory(res.chunk);
    room.prevBatch = res.chunk.length && res.end ? res.end : null;
    this.changed();
    return room.prevBatch !== null;
  }

  async searchUsers(term: string): Promise<Array<{ user_id: string; display_name?: string; avatar_url?: string }>> {
    const res = await this.http.call(routes.userSearch, { body: { search_term: term, limit: 10 } });
    return res.results ?? [];
  }

  /** Server-side search in one room; falls back to the loaded timeline if the server has none. */
  async searchRoom(room: Room, term: string): Promise<MatrixEvent[]> {
    try {
      const res = await this.http.call(routes.search, {
        body: { search_categories: { room_events: { search_term: term, filter: { rooms: [room.roomId] }, order_by: 'recent' } } },
      });
      return (res.search_categories?.room_events?.results ?? []).map((r: { result: MatrixEvent }) => r.result);
    } catch {
      const t = term.toLowerCase();
      return room.visibleEvents().filter((e) => isMessage(e) && String(room.displayContent(e).content.body ?? '').toLowerCase().includes(t)).reverse();
    }
  }

  // ---- sending -----------------------------------------------------------------------------

  private newTxnId(): string {
    return `p${Date.now().toString(36)}${(this.txnCounter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  }

  /** Sends a message with a local echo; delivery state shows on the echo until the server's copy arrives. */
  sendMessage(roomId: string, content: Record<string, unknown>, eventType = 'm.room.message'): LocalEcho {
    const room = this.room(roomId);
    const txnId = this.newTxnId();
    const echo: LocalEcho = {
      txnId,
      status: 'sending',
      event: { event_id: `~${txnId}`, type: eventType, sender: this.userId, origin_server_ts: Date.now(), content, room_id: roomId },
    };
    room.pending.push(echo);
    room.touch();
    this.changed();
    // One message of a room at a time, so they land in the order they were written (neither
    // parallel HTTP requests nor the stream's frames promise an order).
    const next = (this.sendChains.get(roomId) ?? Promise.resolve()).then(() => this.deliver(room, echo));
    this.sendChains.set(roomId, next);
    void next.then(() => this.sendChains.get(roomId) === next && this.sendChains.delete(roomId));
    return echo;
  }

  private readonly sendChains = new Map<string, Promise<void>>();

  private async deliver(room: Room, echo: LocalEcho): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        // Same transaction id over the stream or HTTP: a retry on the other path is idempotent.
        const res = this.streamOpen
          ? await this.wsRequest<{ event_id: string }>({ type: 'send', room_id: room.roomId, event_type: echo.event.type, txn_id: echo.txnId, content: echo.event.content })
          : await this.http.call(routes.send, {
              params: { roomId: room.roomId, eventType: echo.event.type, txnId: echo.txnId },
              body: echo.event.content,
            });
        this.sentEventIds.set(echo.txnId, res.event_id);
        if (room.event(res.event_id) && room.indexOf(res.event_id) >= 0) {
          const i = room.pending.indexOf(echo);
          if (i >= 0) room.pending.splice(i, 1);
        } else echo.status = 'sent';
        break;
      } catch (err) {
        const transient = err instanceof NetworkError || (err instanceof MatrixApiError && (err.status === 429 || err.status >= 500));
        if (!transient || Date.now() - started > 120_000 || this.abort.signal.aborted) {
          echo.status = 'failed';
          break;
        }
        const wait = err instanceof MatrixApiError && err.retryAfterMs ? err.retryAfterMs : backoffDelay(attempt, 10_000);
        await Promise.race([sleep(wait, this.abort.signal), this.nextOnline()]);
      }
    }
    room.touch();
    this.changed();
  }

  private nextOnline(): Promise<void> {
    return new Promise((resolve) => {
      const on = () => {
        if (this.status === 'online') {
          this.removeEventListener('status', on);
          resolve();
        }
      };
      this.addEventListener('status', on);
    });
  }

  private flushQueues(): void {
    /* deliveries waiting in nextOnline() wake up through the status event */
  }

  retry(roomId: string, txnId: string): void {
    const room = this.room(roomId);
    const echo = room.pending.find((p) => p.txnId === txnId);
    if (!echo || echo.status !== 'failed') return;
    echo.status = 'sending';
    room.touch();
    this.changed();
    void this.deliver(room, echo);
  }

  discard(roomId: string, txnId: string): void {
    const room = this.room(roomId);
    const i = room.pending.findIndex((p) => p.txnId === txnId);
    if (i >= 0) room.pending.splice(i, 1);
    room.touch();
    this.changed();
  }

  sendText(roomId: string, body: string, formatted?: string, replyTo?: string, threadRoot?: string): LocalEcho {
    const content: Record<string, unknown> = { msgtype: 'm.text', body };
    if (formatted) Object.assign(content, { format: 'org.matrix.custom.html', formatted_body: formatted });
    if (threadRoot) content['m.relates_to'] = this.threadRelation(roomId, threadRoot, replyTo);
    else if (replyTo) content['m.relates_to'] = { 'm.in_reply_to': { event_id: replyTo } };
    return this.sendMessage(roomId, content);
  }

  /**
   * m.thread relation for a reply in a thread; clients without threads see it as a reply to the
   * thread's latest message (is_falling_back), as the spec asks.
   */
  threadRelation(roomId: string, threadRoot: string, replyTo?: string): Record<string, unknown> {
    const latest = this.room(roomId).threadSummary(threadRoot)?.latest?.event_id ?? threadRoot;
    return replyTo
      ? { rel_type: 'm.thread', event_id: threadRoot, is_falling_back: false, 'm.in_reply_to': { event_id: replyTo } }
      : { rel_type: 'm.thread', event_id: threadRoot, is_falling_back: true, 'm.in_reply_to': { event_id: latest } };
  }

  /** Loads a thread's replies (newest first from /relations, up to `limit`). */
  async loadThread(room: Room, rootId: string, limit = 100): Promise<void> {
    if (!room.event(rootId)) {
      const root = await this.http.call<MatrixEvent>(routes.event, { params: { roomId: room.roomId, eventId: rootId } }).catch(() => undefined);
      if (root) room.addRelated([root]);
    }
    const res = await this.http.call<{ chunk: MatrixEvent[] }>(routes.relations, {
      params: { roomId: room.roomId, eventId: rootId, relType: 'm.thread' },
      query: { dir: 'b', limit },
    });
    room.addRelated(res.chunk ?? []);
    this.changed();
  }

  async edit(roomId: string, eventId: string, body: string, formatted?: string): Promise<void> {
    const newContent: Record<string, unknown> = { msgtype: 'm.text', body };
    if (formatted) Object.assign(newContent, { format: 'org.matrix.custom.html', formatted_body: formatted });
    await this.sendEvent(roomId, 'm.room.message', {
      ...newContent,
      body: `* ${body}`,
      'm.new_content': newContent,
      'm.relates_to': { rel_type: 'm.replace', event_id: eventId },
    });
  }

  async react(roomId: string, eventId: string, key: string): Promise<void> {
    const mine = this.room(roomId).reactionsFor(eventId).find((r) => r.key === key)?.mine;
    if (mine) return this.redact(roomId, mine);
    await this.sendEvent(roomId, 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: eventId, key } });
  }

  async redact(roomId: string, eventId: string, reason?: string): Promise<void> {
    await this.http.call(routes.redact, { params: { roomId, eventId, txnId: this.newTxnId() }, body: reason ? { reason } : {} });
  }

  private async sendEvent(roomId: string, eventType: string, content: Record<string, unknown>): Promise<string> {
    const res = await this.http.call(routes.send, { params: { roomId, eventType, txnId: this.newTxnId() }, body: content });
    return res.event_id;
  }

  private readonly typingChains = new Map<string, Promise<unknown>>();

  /**
   * Typing notifications of a room go one after the other: a "stopped" sent while "typing" is
   * still in flight could otherwise be applied first and leave us typing until the timeout.
   */
  setTyping(roomId: string, typing: boolean): void {
    const send = () =>
      this.streamOpen
        ? this.wsRequest({ type: 'typing', room_id: roomId, typing, timeout: typing ? 10_000 : undefined })
        : this.http.call(routes.typing, { params: { roomId, userId: this.userId }, body: typing ? { typing, timeout: 10_000 } : { typing } });
    const next = (this.typingChains.get(roomId) ?? Promise.resolve()).then(send).catch(() => {});
    this.typingChains.set(roomId, next);
    void next.then(() => this.typingChains.get(roomId) === next && this.typingChains.delete(roomId));
  }

  /** Marks a room read up to an event (public receipt and fully-read marker). */
  async markRead(room: Room, eventId: string): Promise<void> {
    const current = room.receipts.get(this.userId)?.eventId;
    if (current === eventId || eventId.startsWith('~')) return;
    room.setReceipt(this.userId, eventId, Date.now());
    room.touch();
    this.changed();
    await this.http
      .call(routes.readMarkers, { params: { roomId: room.roomId }, body: { 'm.fully_read': eventId, 'm.read': eventId } })
      .catch(() => this.http.call(routes.receipt, { params: { roomId: room.roomId, receiptType: 'm.read', eventId }, body: {} }))
      .catch(() => {});
  }

  /** Uploads a file and sends it as m.image / m.file once uploaded. */
  sendFile(roomId: string, file: File, onProgress?: (f: number) => void, dims?: { w: number; h: number }, threadRoot?: string): UploadHandle {
    const handle = upload(this.http, file, file.name, onProgress);
    const promise = handle.promise.then((url) => {
      const isImage = file.type.startsWith('image/');
      const info: Record<string, unknown> = { mimetype: file.type, size: file.size };
      if (dims) Object.assign(info, { w: dims.w, h: dims.h });
      const content: Record<string, unknown> = { msgtype: isImage ? 'm.image' : 'm.file', body: file.name, url, info };
      if (threadRoot) content['m.relates_to'] = this.threadRelation(roomId, threadRoot);
      this.sendMessage(roomId, content);
      return url;
    });
    return { promise, abort: handle.abort };
  }

  // ---- presence ----------------------------------------------------------------------------

  private readonly presenceAsked = new Set<string>();

  /**
   * Presence of a user, asking the server once if no sync has told us yet (a server may send
   * presence only when it changes, so a DM partner who was online before the room was shared
   * would otherwise stay unknown). Returns what is known now; a `change` follows the answer.
   */
  presenceOf(userId: string): Presence | undefined {
    const known = this.presence.get(userId);
    if (!known && !this.presenceAsked.has(userId) && this.status === 'online') {
      this.presenceAsked.add(userId);
      void this.http
        .call(routes.presence, { params: { userId } })
        .then((p) => {
          if (this.presence.has(userId) || typeof p?.presence !== 'string') return;
          this.presence.set(userId, { presence: p.presence, lastActiveAgo: p.last_active_ago, currentlyActive: p.currently_active, receivedAt: Date.now() });
          this.changed();
        })
        .catch(() => {});
    }
    return known;
  }

  // ---- profile -----------------------------------------------------------------------------

  async profile(userId: string): Promise<{ displayname?: string; avatar_url?: string }> {
    return this.http.call(routes.profile, { params: { userId } }).catch(() => ({}));
  }

  async setDisplayName(name: string): Promise<void> {
    await this.http.call(routes.setDisplayName, { params: { userId: this.userId }, body: { displayname: name } });
  }

  async setAvatar(file: File): Promise<void> {
    const url = await upload(this.http, file, file.name).promise;
    await this.http.call(routes.setAvatarUrl, { params: { userId: this.userId }, body: { avatar_url: url } });
  }
}
