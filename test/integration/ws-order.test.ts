// Client frames of one WebSocket connection are applied in the order they were sent
// (docs/websocket.md), however fast they arrive; pings are answered meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { registerUser, type TestUser } from '../support/users.js';
import { client as raw } from '../support/http.js';
import { connectStream } from '../support/ws.js';
import { realtimeOf } from '../../homeserver/src/sync/services.js';

let hs: TestServer;
let alice: TestUser;
let bob: TestUser;
let roomId: string;
const enc = encodeURIComponent;

beforeAll(async () => {
  hs = await startTestServer();
  alice = await registerUser(hs, 'alice');
  bob = await registerUser(hs, 'bob');
  roomId = (await raw(hs.url, alice.accessToken).post('/_matrix/client/v3/createRoom', { preset: 'public_chat' })).body.room_id;
  await raw(hs.url, bob.accessToken).post(`/_matrix/client/v3/join/${enc(roomId)}`, {});
});
afterAll(async () => {
  await hs?.destroy();
});

describe('WebSocket frame order', () => {
  it('applies send frames sent back-to-back in the order sent', async () => {
    const c = await connectStream(hs.url);
    // Authentication by frame, immediately followed by work: the work waits for it.
    c.send({ type: 'auth', id: 'auth', access_token: alice.accessToken });
    const bodies = Array.from({ length: 30 }, (_, i) => `order-${i}`);
    bodies.forEach((body, i) => c.send({ type: 'send', id: i, room_id: roomId, event_type: 'm.room.message', txn_id: `order-${i}`, content: { msgtype: 'm.text', body } }));
    c.send({ type: 'ping', id: 'p' });
    const pong = await c.next((f) => f.type === 'pong');
    const results = await Promise.all(bodies.map((_, i) => c.next((f) => f.id === i)));
    expect(results.every((r) => r.type === 'result')).toBe(true);
    // The pong did not wait for the queue.
    expect(c.frames.indexOf(pong)).toBeLessThan(c.frames.indexOf(results.at(-1)));
    const ids = c.frames.filter((f) => f.type === 'result' && typeof f.id === 'number').map((f) => f.id);
    expect(ids).toEqual(bodies.map((_, i) => i));
    const messages = await raw(hs.url, bob.accessToken).get(`/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=40`);
    const got = messages.body.chunk.filter((e: any) => e.content.body?.startsWith('order-')).map((e: any) => e.content.body).reverse();
    expect(got).toEqual(bodies);
    c.ws.close();
  });

  it('applies typing true then false sent back-to-back: nobody is left typing', async () => {
    const c = await connectStream(hs.url, { token: alice.accessToken });
    await c.next((f) => f.type === 'sync');
    for (let round = 0; round < 10; round++) {
      c.send({ type: 'typing', id: `on-${round}`, room_id: roomId, typing: true, timeout: 30_000 });
      c.send({ type: 'typing', id: `off-${round}`, room_id: roomId, typing: false });
    }
    await c.next((f) => f.id === 'off-9');
    const typingIn = (body: any) => body.rooms?.join?.[roomId]?.ephemeral?.events?.find((e: any) => e.type === 'm.typing')?.content.user_ids ?? [];
    // What Bob's next sync sees (the bus may deliver just after the result).
    await new Promise((r) => setTimeout(r, 200));
    const seen = await raw(hs.url, bob.accessToken).get('/_matrix/client/v3/sync?set_presence=offline');
    expect(typingIn(seen.body)).toEqual([]);
    c.ws.close();
  });

  it('refuses frames past the per-connection queue cap with an error, keeping the rest in order', async () => {
    const stream = realtimeOf(hs.context).websocket!;
    const cap = stream.opts.maxQueuedFrames;
    stream.opts.maxQueuedFrames = 5;
    try {
      const c = await connectStream(hs.url, { token: alice.accessToken });
      await c.next((f) => f.type === 'sync');
      for (let i = 0; i < 20; i++) c.send({ type: 'send', id: i, room_id: roomId, event_type: 'm.room.message', txn_id: `cap-${i}`, content: { msgtype: 'm.text', body: `cap-${i}` } });
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => c.next((f) => f.id === i)));
      const refused = replies.filter((r) => r.type === 'error');
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((r) => r.errcode === 'M_LIMIT_EXCEEDED')).toBe(true);
      const applied = replies.filter((r) => r.type === 'result').map((r) => r.id);
      expect(applied.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
      const messages = await raw(hs.url, bob.accessToken).get(`/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=40`);
      const got = messages.body.chunk.filter((e: any) => e.content.body?.startsWith('cap-')).map((e: any) => Number(e.content.body.slice(4))).reverse();
      expect(got).toEqual(applied);
      c.ws.close();
    } finally {
      stream.opts.maxQueuedFrames = cap;
    }
  });
});
