// Push rules API, notifications and counts, HTTP pushers posting to a local gateway with retry,
// filters, to-device messages and key backup bookkeeping, over raw HTTP.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { registerUser, type TestUser } from '../support/users.js';
import { client as raw } from '../support/http.js';

let hs: TestServer;
let alice: TestUser;
let bob: TestUser;
let roomId: string;
let gateway: Server;
let gatewayUrl: string;
const received: Array<{ at: number; body: any }> = [];
let failuresLeft = 0;

const api = (u: TestUser) => raw(hs.url, u.accessToken);
const enc = encodeURIComponent;
const send = (u: TestUser, body: Record<string, unknown>, txn = `t${Math.random()}`) =>
  api(u).put(`/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${txn}`, { msgtype: 'm.text', ...body });

async function readBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString());
}

async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  gateway = createServer(async (req, res) => {
    const body = await readBody(req);
    if (failuresLeft > 0) {
      failuresLeft--;
      res.writeHead(503).end();
      return;
    }
    received.push({ at: Date.now(), body });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"rejected":[]}');
  });
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/_matrix/push/v1/notify`;
  hs = await startTestServer();
  alice = await registerUser(hs, 'alice', { displayname: 'Alice' });
  bob = await registerUser(hs, 'bob');
  roomId = (await api(alice).post('/_matrix/client/v3/createRoom', { preset: 'public_chat' })).body.room_id;
  await api(bob).post(`/_matrix/client/v3/join/${enc(roomId)}`, {});
});
afterAll(async () => {
  await hs?.destroy();
  gateway?.close();
});

describe('push rules API', () => {
  it('lists the default rules and edits user rules in order', async () => {
    const all = await api(alice).get('/_matrix/client/v3/pushrules/');
    expect(all.body.global.override[0]).toMatchObject({ rule_id: '.m.rule.master', enabled: false, default: true });
    expect(all.body.global.content[0]).toMatchObject({ rule_id: '.m.rule.contains_user_name', pattern: 'alice' });
    const put = (id: string, q = '') =>
      api(alice).put(`/_matrix/client/v3/pushrules/global/content/${id}${q}`, { pattern: id, actions: ['notify'] });
    expect((await put('one')).status).toBe(200);
    expect((await put('two')).status).toBe(200);
    expect((await put('three', '?after=two')).status).toBe(200);
    expect((await put('zero', '?before=two')).status).toBe(200);
    const content = (await api(alice).get('/_matrix/client/v3/pushrules/global/')).body.content.map((r: any) => r.rule_id);
    expect(content).toEqual(['zero', 'two', 'three', 'one', '.m.rule.contains_user_name']);
    expect((await put('x', '?before=nope')).body.errcode).toBe('M_NOT_FOUND');
    expect((await api(alice).put('/_matrix/client/v3/pushrules/global/content/.m.rule.custom', { pattern: 'x', actions: [] })).status).toBe(400);
    await api(alice).put('/_matrix/client/v3/pushrules/global/content/one/enabled', { enabled: false });
    expect((await api(alice).get('/_matrix/client/v3/pushrules/global/content/one/enabled')).body).toEqual({ enabled: false });
    await api(alice).put('/_matrix/client/v3/pushrules/global/underride/.m.rule.message/actions', { actions: ['notify', { set_tweak: 'sound', value: 'x' }] });
    expect((await api(alice).get('/_matrix/client/v3/pushrules/global/underride/.m.rule.message/actions')).body.actions[1]).toEqual({ set_tweak: 'sound', value: 'x' });
    for (const id of ['zero', 'one', 'two', 'three']) expect((await api(alice).delete(`/_matrix/client/v3/pushrules/global/content/${id}`)).status).toBe(200);
    expect((await api(alice).delete('/_matrix/client/v3/pushrules/global/content/one')).status).toBe(404);
    expect((await api(alice).get('/_matrix/client/v3/pushrules/global/override/nope')).status).toBe(404);
  });
});

describe('notifications and pushers', () => {
  it('counts notifications and highlights, and lists them', async () => {
    const since = (await api(alice).get('/_matrix/client/v3/sync?timeout=0')).body.next_batch;
    await send(bob, { body: 'plain' });
    await send(bob, { body: 'hey Alice!' });
    const counts = await until(async () => {
      const res = await api(alice).get(`/_matrix/client/v3/sync?since=${since}&timeout=1000`);
      const c = res.body.rooms?.join?.[roomId]?.unread_notifications;
      return c?.notification_count === 2 && c;
    });
    expect(counts).toEqual({ notification_count: 2, highlight_count: 1 });
    const list = await api(alice).get('/_matrix/client/v3/notifications?limit=1');
    expect(list.body.notifications[0]).toMatchObject({ room_id: roomId, read: false, event: { content: { body: 'hey Alice!' } } });
    const rest = await api(alice).get(`/_matrix/client/v3/notifications?from=${list.body.next_token}`);
    expect(rest.body.notifications.map((n: any) => n.event.content.body)).toContain('plain');
    const highlights = await api(alice).get('/_matrix/client/v3/notifications?only=highlight');
    expect(highlights.body.notifications.map((n: any) => n.event.content.body)).toEqual(['hey Alice!']);
  });

  it('posts to an HTTP pusher gateway, retrying with backoff after failures', async () => {
    const bad = await api(alice).post('/_matrix/client/v3/pushers/set', {
      pushkey: 'k', kind: 'http', app_id: 'app', app_display_name: 'App', device_display_name: 'Phone', lang: 'en', data: { url: 'http://x/notify' },
    });
    expect(bad.status).toBe(400);
    const set = await api(alice).post('/_matrix/client/v3/pushers/set', {
      pushkey: 'pk1', kind: 'http', app_id: 'org.example.app', app_display_name: 'App', device_display_name: 'Phone', lang: 'en', data: { url: gatewayUrl },
    });
    expect(set.status).toBe(200);
    expect((await api(alice).get('/_matrix/client/v3/pushers')).body.pushers).toMatchObject([{ pushkey: 'pk1', data: { url: gatewayUrl } }]);
    failuresLeft = 2;
    const sentAt = Date.now();
    const { body } = await send(bob, { body: 'push me' });
    const got = await until(async () => received.find((r) => r.body.notification.event_id === body.event_id), 15_000);
    expect(got.body.notification).toMatchObject({
      room_id: roomId,
      type: 'm.room.message',
      sender: bob.userId,
      content: { body: 'push me' },
      prio: 'high',
      devices: [{ app_id: 'org.example.app', pushkey: 'pk1' }],
    });
    expect(got.body.notification.counts.unread).toBeGreaterThan(0);
    // Two refusals: retried after ~1 s and ~2 s.
    expect(got.at - sentAt).toBeGreaterThanOrEqual(2500);
    await api(alice).post('/_matrix/client/v3/pushers/set', { pushkey: 'pk1', kind: null, app_id: 'org.example.app' });
    expect((await api(alice).get('/_matrix/client/v3/pushers')).body.pushers).toEqual([]);
  });
});

describe('filters, to-device and key backup', () => {
  it('stores filters and applies them', async () => {
    const created = await api(alice).post(`/_matrix/client/v3/user/${enc(alice.userId)}/filter`, { room: { timeline: { limit: 1 } }, presence: { types: [] } });
    expect(created.body.filter_id).toMatch(/^\d+$/);
    expect((await api(alice).get(`/_matrix/client/v3/user/${enc(alice.userId)}/filter/${created.body.filter_id}`)).body).toEqual({ room: { timeline: { limit: 1 } }, presence: { types: [] } });
    expect((await api(alice).get(`/_matrix/client/v3/user/${enc(bob.userId)}/filter/0`)).status).toBe(403);
    const synced = await api(alice).get(`/_matrix/client/v3/sync?filter=${created.body.filter_id}`);
    expect(synced.body.rooms.join[roomId].timeline.events).toHaveLength(1);
    expect(synced.body.rooms.join[roomId].timeline.limited).toBe(true);
    const prev = synced.body.rooms.join[roomId].timeline.prev_batch;
    const older = await api(alice).get(`/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&from=${prev}&limit=1`);
    expect(older.body.chunk[0].event_id).not.toBe(synced.body.rooms.join[roomId].timeline.events[0].event_id);
    const inline = await api(alice).get(`/_matrix/client/v3/sync?filter=${enc(JSON.stringify({ room: { rooms: [] } }))}`);
    expect(inline.body.rooms.join).toEqual({});
    expect((await api(alice).get('/_matrix/client/v3/sync?filter=999')).body.errcode).toBe('M_INVALID_PARAM');
  });

  it('delivers to-device messages once, idempotently per transaction', async () => {
    const first = await api(bob).get('/_matrix/client/v3/sync?timeout=0');
    const msg = { messages: { [bob.userId]: { [bob.deviceId]: { hello: 'device' } } } };
    await api(alice).put('/_matrix/client/v3/sendToDevice/org.example.ping/tx1', msg);
    await api(alice).put('/_matrix/client/v3/sendToDevice/org.example.ping/tx1', msg);
    const next = await api(bob).get(`/_matrix/client/v3/sync?since=${first.body.next_batch}&timeout=5000`);
    expect(next.body.to_device.events).toEqual([{ type: 'org.example.ping', sender: alice.userId, content: { hello: 'device' } }]);
    const again = await api(bob).get(`/_matrix/client/v3/sync?since=${next.body.next_batch}&timeout=0`);
    expect(again.body.to_device.events).toEqual([]);
    // Replaying the older token redelivers nothing once acknowledged.
    const replay = await api(bob).get(`/_matrix/client/v3/sync?since=${next.body.next_batch}&timeout=0`);
    expect(replay.body.to_device.events).toEqual([]);
  });

  it('keeps key backup etags and counts, and the better copy of a key', async () => {
    const v = (await api(alice).post('/_matrix/client/v3/room_keys/version', { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: { public_key: 'abc' } })).body.version;
    const key = (index: number, verified = false) => ({ first_message_index: index, forwarded_count: 0, is_verified: verified, session_data: { ciphertext: `c${index}` } });
    const put1 = await api(alice).put(`/_matrix/client/v3/room_keys/keys/${enc(roomId)}/s1?version=${v}`, key(5));
    expect(put1.body).toEqual({ etag: '1', count: 1 });
    const worse = await api(alice).put(`/_matrix/client/v3/room_keys/keys/${enc(roomId)}/s1?version=${v}`, key(9));
    expect(worse.body).toEqual({ etag: '1', count: 1 });
    const better = await api(alice).put(`/_matrix/client/v3/room_keys/keys?version=${v}`, { rooms: { [roomId]: { sessions: { s1: key(2), s2: key(0) } } } });
    expect(better.body).toEqual({ etag: '2', count: 2 });
    expect((await api(alice).get(`/_matrix/client/v3/room_keys/keys/${enc(roomId)}/s1?version=${v}`)).body.first_message_index).toBe(2);
    expect(Object.keys((await api(alice).get(`/_matrix/client/v3/room_keys/keys/${enc(roomId)}?version=${v}`)).body.sessions)).toEqual(['s1', 's2']);
    const newer = (await api(alice).post('/_matrix/client/v3/room_keys/version', { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: {} })).body.version;
    const stale = await api(alice).put(`/_matrix/client/v3/room_keys/keys/${enc(roomId)}/s3?version=${v}`, key(0));
    expect(stale.body).toMatchObject({ errcode: 'M_WRONG_ROOM_KEYS_VERSION', current_version: newer });
    expect((await api(alice).delete(`/_matrix/client/v3/room_keys/keys?version=${v}`)).body).toEqual({ etag: '3', count: 0 });
    expect((await api(alice).delete(`/_matrix/client/v3/room_keys/version/${newer}`)).status).toBe(200);
    expect((await api(alice).get('/_matrix/client/v3/room_keys/version')).body.version).toBe(v);
    expect((await api(alice).get('/_matrix/client/v3/room_keys/version/999')).body.errcode).toBe('M_NOT_FOUND');
  });
});
