// Presence of users who newly share a room with the syncing user: their current presence comes
// with the sync that shows the join, even though it did not change since the token. And how a
// user's own syncs, a state they chose by hand and the idle sweep combine.
// https://spec.matrix.org/v1.19/client-server-api/#presence
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { registerUser, type TestUser } from '../support/users.js';
import { client as raw } from '../support/http.js';
import { connectStream } from '../support/ws.js';

let hs: TestServer;
const api = (u: TestUser) => raw(hs.url, u.accessToken);
const enc = encodeURIComponent;

beforeAll(async () => {
  // A short idle time: the sweep runs every 200 ms (a quarter of it, at least 200 ms).
  hs = await startTestServer({ presence: { idle_after_ms: 800 } });
});
afterAll(async () => {
  await hs?.destroy();
});

async function online(u: TestUser, statusMsg: string): Promise<void> {
  expect((await api(u).put(`/_matrix/client/v3/presence/${enc(u.userId)}/status`, { presence: 'online', status_msg: statusMsg })).status).toBe(200);
}

async function createRoom(u: TestUser): Promise<string> {
  return (await api(u).post('/_matrix/client/v3/createRoom', { preset: 'public_chat' })).body.room_id;
}

async function join(u: TestUser, roomId: string): Promise<void> {
  expect((await api(u).post(`/_matrix/client/v3/join/${enc(roomId)}`, {})).status).toBe(200);
}

const sync = async (u: TestUser, since?: string) =>
  (await api(u).get(`/_matrix/client/v3/sync?set_presence=offline${since ? `&since=${enc(since)}&timeout=5000` : ''}`)).body;

const presenceOf = (body: any, userId: string) => body.presence?.events?.find((e: any) => e.sender === userId);

describe('presence of users who newly share a room', () => {
  it('comes when they join a room of the syncing user', async () => {
    const [alice, bob] = await Promise.all([registerUser(hs, 'alice1'), registerUser(hs, 'bob1')]);
    const roomId = await createRoom(alice);
    await online(bob, 'here first');
    const first = await sync(alice);
    expect(presenceOf(first, bob.userId)).toBeUndefined();
    await join(bob, roomId);
    const next = await sync(alice, first.next_batch);
    expect(next.rooms.join[roomId]).toBeDefined();
    expect(presenceOf(next, bob.userId)).toMatchObject({ type: 'm.presence', content: { presence: 'online', status_msg: 'here first' } });
    // Only once: the following sync has nothing new about Bob.
    await online(alice, 'poke');
    const after = await sync(alice, next.next_batch);
    expect(presenceOf(after, bob.userId)).toBeUndefined();
  });

  it("comes when the syncing user joins their room", async () => {
    const [alice, bob] = await Promise.all([registerUser(hs, 'alice2'), registerUser(hs, 'bob2')]);
    const roomId = await createRoom(bob);
    await online(bob, 'hosting');
    const first = await sync(alice);
    await join(alice, roomId);
    const next = await sync(alice, first.next_batch);
    expect(next.rooms.join[roomId]).toBeDefined();
    expect(presenceOf(next, bob.userId)).toMatchObject({ content: { presence: 'online', status_msg: 'hosting' } });
  });

  it('comes in WebSocket frames too', async () => {
    const [alice, bob] = await Promise.all([registerUser(hs, 'alice3'), registerUser(hs, 'bob3')]);
    const roomId = await createRoom(alice);
    await online(bob, 'streaming');
    const c = await connectStream(hs.url, { token: alice.accessToken, query: { set_presence: 'offline' } });
    await c.next((f) => f.type === 'sync');
    await join(bob, roomId);
    const frame = await c.next((f) => f.type === 'sync' && f.rooms.join[roomId]?.timeline.events.some((e: any) => e.type === 'm.room.member' && e.state_key === bob.userId));
    expect(presenceOf(frame, bob.userId)).toMatchObject({ content: { presence: 'online', status_msg: 'streaming' } });
    c.ws.close();
  });
});

describe('presence states', () => {
  const statusOf = async (u: TestUser) => (await api(u).get(`/_matrix/client/v3/presence/${enc(u.userId)}/status`)).body;
  const plainSync = (u: TestUser, query = '') => api(u).get(`/_matrix/client/v3/sync?timeout=0${query}`);

  it('keeps a state chosen by hand while the user syncs, until they choose another', async () => {
    const alice = await registerUser(hs, 'alice4');
    await plainSync(alice);
    expect(await statusOf(alice)).toMatchObject({ presence: 'online', currently_active: true });
    expect((await api(alice).put(`/_matrix/client/v3/presence/${enc(alice.userId)}/status`, { presence: 'unavailable', status_msg: 'lunch' })).status).toBe(200);
    // Syncing without set_presence means "online", but not over a state the user chose.
    await plainSync(alice);
    await plainSync(alice);
    expect(await statusOf(alice)).toMatchObject({ presence: 'unavailable', status_msg: 'lunch', currently_active: false });
    await online(alice, 'back');
    await plainSync(alice);
    expect(await statusOf(alice)).toMatchObject({ presence: 'online', status_msg: 'back' });
  });

  it("follows set_presence on sync: unavailable marks the user idle, the next plain sync online", async () => {
    const alice = await registerUser(hs, 'alice5');
    await plainSync(alice, '&set_presence=unavailable');
    expect(await statusOf(alice)).toMatchObject({ presence: 'unavailable' });
    await plainSync(alice);
    expect(await statusOf(alice)).toMatchObject({ presence: 'online' });
  });

  it('refreshes the activity of a user who keeps syncing without telling the users who share a room', async () => {
    const [alice, bob] = await Promise.all([registerUser(hs, 'alice7'), registerUser(hs, 'bob7')]);
    const roomId = await createRoom(alice);
    await join(bob, roomId);
    await plainSync(alice);
    const before = await sync(bob);
    // The idle time is 800 ms: activity is written every 200 ms of syncing. Alice syncs for 1.5 s.
    const started = Date.now();
    let lastActiveAgo = Infinity;
    while (Date.now() - started < 1500) {
      await plainSync(alice);
      const status = await statusOf(alice);
      expect(status).toMatchObject({ presence: 'online', currently_active: true });
      lastActiveAgo = status.last_active_ago;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(lastActiveAgo).toBeLessThan(400);
    // Nothing changed that Bob's client does not already show: no presence event, and no wake-up.
    const t0 = Date.now();
    const after = (await api(bob).get(`/_matrix/client/v3/sync?set_presence=offline&since=${enc(before.next_batch)}&timeout=500`)).body;
    expect(presenceOf(after, alice.userId)).toBeUndefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
  });

  it('turns a user who stops syncing unavailable after the idle time, and online when they sync again', async () => {
    const [alice, bob] = await Promise.all([registerUser(hs, 'alice6'), registerUser(hs, 'bob6')]);
    const roomId = await createRoom(alice);
    await join(bob, roomId);
    await plainSync(alice);
    const before = await sync(bob);
    const deadline = Date.now() + 10_000;
    while ((await statusOf(alice)).presence !== 'unavailable') {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Bob, sharing a room, is told.
    expect(presenceOf(await sync(bob, before.next_batch), alice.userId)).toMatchObject({ content: { presence: 'unavailable', currently_active: false } });
    await plainSync(alice);
    expect(await statusOf(alice)).toMatchObject({ presence: 'online', currently_active: true });
  });
});
