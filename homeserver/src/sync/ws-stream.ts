// The WebSocket stream: GET /_matrix/client/unstable/org.parley.ws (docs/websocket.md).
// Each connection is a sync loop that pushes an incremental-sync payload whenever the notifier
// wakes it, and answers send / typing / receipt frames like the HTTP endpoints do.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { Errors, MatrixError, type JsonObject } from '@parley/spec';
import type { ServerContext } from '../context.js';
import { toMatrixError } from '../http/app.js';
import type { RateLimiter, Requester } from '../http/router.js';
import { roomsOf } from '../rooms/index.js';
import { postReceipt } from '../api/client/receipts.js';
import { setTyping } from '../api/client/typing.js';
import type { SyncFilter } from './filters.js';
import type { Listener } from './notifier.js';
import type { PresenceState } from './presence.js';
import type { RealtimeServices } from './services.js';
import { encodeSyncToken, parseSyncToken, type SyncPosition } from './token.js';
import { CLOSE, WS_PATH, clientFrameSchema, type ClientFrame, type ServerFrame } from './ws-protocol.js';

export interface WsOptions {
  /** Bytes queued for one client past which it is closed with a resume token. */
  maxBufferedBytes: number;
  pingIntervalMs: number;
  authTimeoutMs: number;
  maxFrameBytes: number;
  /** Client frames of one connection waiting for their turn past which new ones are refused. */
  maxQueuedFrames: number;
}

export const DEFAULT_WS_OPTIONS: WsOptions = {
  maxBufferedBytes: 4 * 1024 * 1024,
  pingIntervalMs: 30_000,
  authTimeoutMs: 10_000,
  maxFrameBytes: 64 * 1024,
  maxQueuedFrames: 100,
};

function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

function refuse(socket: Duplex, status: number, body: { errcode: string; error: string }): void {
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}

export class WebSocketStream {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly pinger: NodeJS.Timeout;
  /** This stream's own copy (tests lower the buffer cap). */
  readonly opts: WsOptions;

  constructor(
    readonly s: ServerContext,
    readonly r: RealtimeServices,
    readonly rateLimiter: RateLimiter,
    opts: WsOptions = DEFAULT_WS_OPTIONS,
  ) {
    this.opts = { ...opts };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
    this.pinger = setInterval(() => {
      for (const c of this.connections) c.heartbeat();
    }, opts.pingIntervalMs);
    this.pinger.unref();
  }

  get size(): number {
    return this.connections.size;
  }

  /** The upgrade hook: takes requests for the stream's path, refuses bad tokens before upgrading. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) return false;
    void (async () => {
      let since: SyncPosition | undefined;
      let filter: SyncFilter;
      try {
        since = url.searchParams.get('since') ? parseSyncToken(url.searchParams.get('since')!) : undefined;
        const token = bearer(req);
        const requester = token ? await this.s.accounts.authenticator.authenticate(token) : undefined;
        filter = requester ? await this.r.filters.resolve(requester.userId, url.searchParams.get('filter') ?? undefined) : {};
        const setPresence = (url.searchParams.get('set_presence') ?? 'online') as PresenceState;
        if (!['online', 'offline', 'unavailable'].includes(setPresence)) throw Errors.invalidParam('Invalid set_presence');
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          const c = new Connection(this, ws, since, url.searchParams.get('filter') ?? undefined, setPresence);
          this.connections.add(c);
          ws.once('close', () => this.connections.delete(c));
          if (requester) void c.start(requester, filter);
          else c.awaitAuth();
        });
      } catch (err) {
        const e = toMatrixError(err);
        refuse(socket, e.status, e.toJSON());
      }
    })();
    return true;
  };

  close(): void {
    clearInterval(this.pinger);
    for (const c of this.connections) c.close(CLOSE.goingAway);
  }
}

class Connection implements Listener {
  userId = '';
  deviceId = '';
  private requester?: Requester;
  private filter: SyncFilter = {};
  private position?: SyncPosition;
  private dirty = true;
  private running = false;
  private closed = false;
  private alive = true;
  private stopListening?: () => void;
  private authTimer?: NodeJS.Timeout;

  constructor(
    private readonly stream: WebSocketStream,
    private readonly ws: WebSocket,
    since: SyncPosition | undefined,
    private readonly filterParam: string | undefined,
    private readonly setPresence: PresenceState,
  ) {
    this.position = since;
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => this.teardown());
    ws.on('error', () => this.teardown());
  }

  awaitAuth(): void {
    this.authTimer = setTimeout(() => this.ws.close(CLOSE.unauthenticated, 'M_MISSING_TOKEN'), this.stream.opts.authTimeoutMs);
  }

  async start(requester: Requester, filter: SyncFilter): Promise<void> {
    clearTimeout(this.authTimer);
    this.requester = requester;
    this.userId = requester.userId;
    this.deviceId = requester.deviceId;
    this.filter = filter;
    const r = this.stream.r;
    this.stopListening = r.notifier.listen(this, await r.sync.joinedRoomIds(this.userId));
    if (this.setPresence) await r.presence.onSync(this.userId, this.setPresence).catch(() => {});
    this.wake();
  }

  /** Called by the notifier: schedules a sync step (coalescing wake-ups that arrive meanwhile). */
  wake(): void {
    this.dirty = true;
    if (!this.running && this.requester && !this.closed) void this.pump();
  }

  private async pump(): Promise<void> {
    this.running = true;
    const r = this.stream.r;
    try {
      while (this.dirty && !this.closed) {
        this.dirty = false;
        if (this.ws.bufferedAmount > this.stream.opts.maxBufferedBytes) {
          // A slow reader: stop producing and let it resume from what it was last given.
          this.close(CLOSE.slowConsumer);
          return;
        }
        const first = this.position === undefined;
        const { response, empty, joinedRooms } = await r.sync.compute(
          { userId: this.userId, deviceId: this.deviceId, filter: this.filter, fullState: false, timeoutMs: 0 },
          this.position,
        );
        r.notifier.setRooms(this, joinedRooms);
        if (this.closed) return;
        // The empty first frame tells a resuming client where it stands.
        if (!empty || first || this.sentNothingYet) {
          this.sentNothingYet = false;
          this.send({ type: 'sync', ...response });
        }
        this.position = parseSyncToken(response.next_batch);
      }
    } catch (err) {
      this.stream.s.log.warn({ err }, 'websocket sync step failed');
      this.sendError(undefined, err);
      setTimeout(() => this.wake(), 1000).unref();
    } finally {
      this.running = false;
    }
  }

  private sentNothingYet = true;

  private send(frame: ServerFrame): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(frame));
  }

  private sendError(id: string | number | undefined, err: unknown): void {
    const e = toMatrixError(err);
    this.send({ type: 'error', ...(id !== undefined ? { id } : {}), ...e.toJSON() });
  }

  /** Client frames are applied one after the other, in the order they arrived. */
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;

  private onMessage(data: RawData, isBinary: boolean): void {
    const parsed = this.parse(data, isBinary);
    // Pings skip the queue: they answer whether the connection is alive, not whether it is idle.
    if (parsed.frame?.type === 'ping') return this.send({ type: 'pong', ...(parsed.id !== undefined ? { id: parsed.id } : {}) });
    if (this.queued >= this.stream.opts.maxQueuedFrames) return this.sendError(parsed.id, Errors.limitExceeded(1000));
    this.queued++;
    this.queue = this.queue.then(async () => {
      try {
        if (!parsed.frame) throw parsed.error;
        if (!this.closed) await this.handle(parsed.frame);
      } catch (err) {
        this.sendError(parsed.id, err);
      } finally {
        this.queued--;
      }
    });
  }

  private parse(data: RawData, isBinary: boolean): { frame?: ClientFrame; id?: string | number; error?: unknown } {
    let id: string | number | undefined;
    try {
      if (isBinary) throw Errors.notJson('Frames must be JSON text');
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        throw Errors.notJson('Frame is not JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw Errors.notJson('Frame must be a JSON object');
      const rawId = (parsed as { id?: unknown }).id;
      if (typeof rawId === 'string' || typeof rawId === 'number') id = rawId;
      const result = clientFrameSchema.safeParse(parsed);
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue.path.join('.') || 'frame';
        throw issue.code === 'invalid_type' && issue.input === undefined ? Errors.missingParam(`Missing ${where}`) : Errors.badJson(`Invalid ${where}: ${issue.message}`);
      }
      return { frame: result.data, id };
    } catch (error) {
      return { id, error };
    }
  }

  private async handle(frame: ClientFrame): Promise<void> {
    const s = this.stream.s;
    const r = this.stream.r;
    if (frame.type === 'auth') {
      if (this.requester) throw new MatrixError(400, 'M_BAD_STATE', 'Already authenticated');
      let requester: Requester;
      try {
        requester = await s.accounts.authenticator.authenticate(frame.access_token);
      } catch (err) {
        this.sendError(frame.id, err);
        this.ws.close(CLOSE.unauthenticated, 'M_UNKNOWN_TOKEN');
        return;
      }
      const filter = await r.filters.resolve(requester.userId, this.filterParam);
      this.send({ type: 'result', ...(frame.id !== undefined ? { id: frame.id } : {}), body: { user_id: requester.userId, device_id: requester.deviceId } });
      await this.start(requester, filter);
      return;
    }
    const requester = this.requester;
    if (!requester) throw Errors.missingToken();
    const result = (body: Record<string, unknown>) => this.send({ type: 'result', ...(frame.id !== undefined ? { id: frame.id } : {}), body });
    switch (frame.type) {
      case 'send': {
        if (!requester.isAdmin) await this.stream.rateLimiter.check('message', `user:${requester.userId}`);
        if (frame.event_type === 'm.room.redaction' && typeof frame.content.redacts !== 'string') throw Errors.badJson('m.room.redaction needs content.redacts');
        const sent = await roomsOf(s).send(
          requester,
          frame.room_id,
          {
            type: frame.event_type,
            content: frame.content as JsonObject,
            redacts: frame.event_type === 'm.room.redaction' ? (frame.content.redacts as string) : undefined,
          },
          { scope: `send:${frame.room_id}`, txnId: frame.txn_id },
        );
        return result({ event_id: sent.eventId });
      }
      case 'typing':
        if (!requester.isAdmin) await this.stream.rateLimiter.check('message', `user:${requester.userId}`);
        await setTyping(s.db, r, requester, frame.room_id, requester.userId, frame);
        return result({});
      case 'receipt':
        if (!requester.isAdmin) await this.stream.rateLimiter.check('message', `user:${requester.userId}`);
        await postReceipt(s.db, r, requester.userId, frame.room_id, frame.receipt_type, frame.event_id, frame.thread_id);
        return result({});
    }
  }

  heartbeat(): void {
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  /** Closes with the token the client should resume from (what it was last sent). */
  close(code: number): void {
    if (this.closed) return;
    const token = this.position ? encodeSyncToken(this.position) : '';
    this.ws.close(code, token);
    this.teardown();
  }

  private teardown(): void {
    this.closed = true;
    clearTimeout(this.authTimer);
    this.stopListening?.();
    this.stopListening = undefined;
  }
}
