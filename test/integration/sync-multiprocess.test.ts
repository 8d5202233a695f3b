// Two Parley processes on one database and one Redis: a send on A wakes a long-poll on B at
// once, and typing on A is visible on B.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { registerUser, type TestUser } from '../support/users.js';
import { client as raw } from '../support/http.js';

const redisUrl = inject('redisUrl');
let a: TestServer;
let b: TestServer;
let alice: TestUser;
let bob: TestUser;
let roomId: string;

describe.runIf(!!redisUrl)('two processes sharing a database and Redis', () => {
  beforeAll(async () => {
    a = await startTestServer({ redis_url: redisUrl });
    b = await startTestServer({ redis_url: redisUrl }, { shareWith: a });
    alice = await registerUser(a, 'alice');
    bob = await registerUser(a, 'bob');
    roomId = (await raw(a.url, alice.accessToken).post('/_matrix/client/v3/createRoom', { preset: 'public_chat' })).body.room_id;
    await raw(b.url, bob.accessToken).post(`/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {});
  });
  afterAll(async () => {
    await b?.destroy();
    await a?.destroy();
  });

  it('wakes a long-poll on B within 100 ms of a send on A', async () => {
    const bobOnB = raw(b.url, bob.accessToken);
    const since = (await bobOnB.get('/_matrix/client/v3/sync?timeout=0')).body.next_batch;
    const latencies: number[] = [];
    let token = since;
    for (let i = 0; i < 5; i++) {
      // Settle first: earlier sends may still update unread counts.
      token = (await bobOnB.get(`/_matrix/client/v3/sync?since=${token}&timeout=0`)).body.next_batch;
      const poll = bobOnB.get(`/_matrix/client/v3/sync?since=${token}&timeout=10000`);
      await new Promise((r) => setTimeout(r, 150));
      const sentAt = performance.now();
      await raw(a.url, alice.accessToken).put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/mp${i}`, { msgtype: 'm.text', body: `m${i}` });
      const res = await poll;
      latencies.push(performance.now() - sentAt);
      const bodies = res.body.rooms.join[roomId].timeline.events.map((e: any) => e.content.body);
      expect(bodies).toEqual([`m${i}`]);
      token = res.body.next_batch;
    }
    // Measured from the start of the send request: includes the send itself.
    expect(Math.max(...latencies)).toBeLessThan(100);
  });

  it('shows typing on A to a long-poll on B', async () => {
    const bobOnB = raw(b.url, bob.accessToken);
    const since = (await bobOnB.get('/_matrix/client/v3/sync?timeout=0')).body.next_batch;
    const poll = bobOnB.get(`/_matrix/client/v3/sync?since=${since}&timeout=10000`);
    await new Promise((r) => setTimeout(r, 100));
    await raw(a.url, alice.accessToken).put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(alice.userId)}`, { typing: true, timeout: 10000 });
    const res = await poll;
    const typing = res.body.rooms.join[roomId].ephemeral.events.find((e: any) => e.type === 'm.typing');
    expect(typing.content.user_ids).toEqual([alice.userId]);
  });
});
