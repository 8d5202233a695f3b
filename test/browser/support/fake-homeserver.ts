// A canned Matrix homeserver for measuring the client alone (budgets, layouts): it serves the
// built client exactly as Parley does and answers the client-server calls from fixed data.
// Not a stand-in for Parley in functional tests: those run against the real server.
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { webClient } from '../../../homeserver/src/web/static.js';

export interface FakeRoom {
  roomId: string;
  name: string;
  members: Array<{ userId: string; displayname: string }>;
  /** Message bodies, oldest first; senders alternate between the members. */
  messages: string[];
}

export interface FakeHomeserver {
  url: string;
  userId: string;
  accessToken: string;
  close(): Promise<void>;
}

function roomSync(room: FakeRoom, startTs: number, limit: number) {
  const state = [
    { type: 'm.room.create', state_key: '', sender: room.members[0].userId, content: { room_version: '11' } },
    { type: 'm.room.name', state_key: '', sender: room.members[0].userId, content: { name: room.name } },
    ...room.members.map((m) => ({ type: 'm.room.member', state_key: m.userId, sender: m.userId, content: { membership: 'join', displayname: m.displayname } })),
  ].map((e, i) => ({ ...e, event_id: `$${room.roomId.slice(1, 6)}state${i}`, origin_server_ts: startTs }));
  const timeline = room.messages.map((body, i) => ({
    event_id: `$${room.roomId.slice(1, 6)}m${i}`,
    type: 'm.room.message',
    sender: room.members[i % room.members.length].userId,
    origin_server_ts: startTs + i * 45_000,
    content: { msgtype: 'm.text', body },
  }));
  const shown = timeline.slice(-limit);
  return { state: { events: state }, timeline: { events: shown, limited: shown.length < timeline.length, prev_batch: undefined }, ephemeral: { events: [] } };
}

export async function startFakeHomeserver(opts: {
  rooms: FakeRoom[];
  userId: string;
  distDir?: string;
  /** Cap on timeline events per room in the first sync, above the client's filter (default: the filter's). */
  timelineLimit?: number;
  /** Ignore the client's filter limit (send every event). */
  ignoreFilter?: boolean;
}): Promise<FakeHomeserver> {
  const accessToken = 'fake-token';
  const startTs = Date.now() - 3 * 86_400_000;
  let counter = 0;
  const app = new Koa();
  app.use(async (ctx, next) => {
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    ctx.set('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS');
    if (ctx.method === 'OPTIONS') return void (ctx.status = 204);
    const p = ctx.path;
    if (p === '/_matrix/client/versions') return void (ctx.body = { versions: ['v1.11', 'v1.12'], unstable_features: {} });
    if (p === '/_matrix/client/v3/sync') {
      if (!ctx.query.since) {
        const join: Record<string, unknown> = {};
        let limit = opts.timelineLimit ?? Infinity;
        if (!opts.ignoreFilter) try {
          limit = Math.min(limit, JSON.parse(String(ctx.query.filter ?? '{}')).room?.timeline?.limit ?? Infinity);
        } catch {
          /* no inline filter */
        }
        for (const r of opts.rooms) join[r.roomId] = roomSync(r, startTs, limit);
        ctx.body = { next_batch: 's1', rooms: { join }, presence: { events: [] }, account_data: { events: [] } };
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(Number(ctx.query.timeout ?? 0), 30_000)));
      ctx.body = { next_batch: `s${++counter + 1}` };
      return;
    }
    if (p.startsWith('/_matrix/client/v3/rooms/') && p.includes('/messages')) return void (ctx.body = { start: 'x', chunk: [] });
    if (p.startsWith('/_matrix/client/v3/rooms/') && p.includes('/send/')) return void (ctx.body = { event_id: `$sent${++counter}` });
    if (p.startsWith('/_matrix/')) return void (ctx.body = {});
    await next();
  });
  app.use(webClient(opts.distDir ? { distDir: opts.distDir } : {}));
  const http = app.listen(0, '127.0.0.1');
  await new Promise((r) => http.once('listening', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    userId: opts.userId,
    accessToken,
    close: () => new Promise((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    }),
  };
}

/** The localStorage entry <parley-app> reads its stored session from. */
export function storedSession(url: string, userId: string, accessToken: string): { name: string; value: string } {
  return { name: 'parley.session.app', value: JSON.stringify({ homeserver: url, userId, accessToken, deviceId: 'BENCH' }) };
}

export function sampleRooms(me: string, count = 12, messagesPerRoom = 20): FakeRoom[] {
  const people = ['Alice Martin', 'Bob Okafor', 'Chen Wei', 'Dana Levi', 'Emil Novak', 'Fatima Zahra'];
  const lines = ['Are we still on for tomorrow?', 'Pushed the fix, can you review?', 'Lunch at 12:30 🍜', 'The build is green again', 'Sounds good!', 'I will send the slides tonight'];
  return Array.from({ length: count }, (_, i) => {
    const other = people[i % people.length];
    const otherId = `@${other.split(' ')[0].toLowerCase()}:localhost`;
    return {
      roomId: `!room${i}abcdef:localhost`,
      name: i % 3 === 0 ? other : ['Design review', 'Release 1.0', 'Coffee ☕', 'Ops'][i % 4],
      members: [{ userId: me, displayname: 'Me' }, { userId: otherId, displayname: other }],
      messages: Array.from({ length: messagesPerRoom }, (_, j) => lines[(i + j) % lines.length]),
    };
  });
}
