// Two Parley processes on one database and one Redis: a send on A wakes a long-poll on B at
// once, and typing on A is visible on B.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { registerUser, type TestUser } from '../support/users.js';
import { client as raw } from '../support/http.js';

const redisUrl = inject('redisUrl');

/**
 * Long-polls from `since` until a response satisfies `found` (a response may come early with
 * other news, e.g. unread counts of an earlier message); resolves with it and the time it came.
 */
async function pollUntil(url: string, token: string, since: string, found: (body: any) => boolean): Promise<{ body: any; at: number }> {
  for (;;) {
    const res = await raw(url, token).get(`/_matrix/client/v3/sync?since=${since}&timeout=10000`);
    if (found(res.body)) return { body: res.body, at: performance.now() };
    since = res.body.next_batch;
  }
}
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
    const afterSend: number[] = [];
    let token = since;
    for (let i = 0; i < 5; i++) {
      token = (await bobOnB.get(`/_matrix/client/v3/sync?since=${token}&timeout=0`)).body.next_batch;
      const bodies = (b: any) => (b.rooms?.join?.[roomId]?.timeline?.events ?? []).map((e: any) => e.content.body);
      const poll = pollUntil(b.url, bob.accessToken, token, (body) => bodies(body).length > 0);
      await new Promise((r) => setTimeout(r, 150));
      const sentAt = performance.now();
      await raw(a.url, alice.accessToken).put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/mp${i}`, { msgtype: 'm.text', body: `m${i}` });
      const sendDone = performance.now();
      const { body, at } = await poll;
      latencies.push(at - sentAt);
      afterSend.push(Math.max(0, at - sendDone));
      expect(bodies(body)).toEqual([`m${i}`]);
      token = body.next_batch;
    }
    // From the start of the send request (the send itself included), and from its answer.
    expect([...latencies].sort((x, y) => x - y)[2]).toBeLessThan(100);
    expect(Math.max(...afterSend)).toBeLessThan(100);
  });

  it('shows typing on A to a long-poll on B', async () => {
    const bobOnB = raw(b.url, bob.accessToken);
    const since = (await bobOnB.get('/_matrix/client/v3/sync?timeout=0')).body.next_batch;
    const typingOf = (body: any) => body.rooms?.join?.[roomId]?.ephemeral?.events?.find((e: any) => e.type === 'm.typing');
    const poll = pollUntil(b.url, bob.accessToken, since, (body) => !!typingOf(body)?.content.user_ids.length);
    await new Promise((r) => setTimeout(r, 100));
    await raw(a.url, alice.accessToken).put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(alice.userId)}`, { typing: true, timeout: 10000 });
    const typing = typingOf((await poll).body);
    expect(typing.content.user_ids).toEqual([alice.userId]);
  });
});
