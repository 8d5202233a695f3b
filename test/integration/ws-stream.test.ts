// The WebSocket stream: authentication, pushed sync payloads, client frames with HTTP's
// validation and errors, and resumption without loss or duplication.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { registerUser, type TestUser } from '../support/users.js';
import { client as raw } from '../support/http.js';
import { connectStream, timelineOf } from '../support/ws.js';
import { realtimeOf } from '../../homeserver/src/sync/services.js';

let hs: TestServer;
let alice: TestUser;
let bob: TestUser;
let roomId: string;

const sendText = (user: TestUser, body: string, txn = `t${Math.random()}`) =>
  raw(hs.url, user.accessToken).put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txn}`, { msgtype: 'm.text', body });

beforeAll(async () => {
  hs = await startTestServer();
  alice = await registerUser(hs, 'alice');
  bob = await registerUser(hs, 'bob');
  const created = await raw(hs.url, alice.accessToken).post('/_matrix/client/v3/createRoom', { preset: 'public_chat' });
  roomId = created.body.room_id;
  await raw(hs.url, bob.accessToken).post(`/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {});
});
afterAll(async () => {
  await hs?.destroy();
});

describe('WebSocket stream', () => {
  it('is advertised in /versions and documented in the OpenAPI document', async () => {
    const versions = await raw(hs.url).get('/_matrix/client/versions');
    expect(versions.body.unstable_features['org.parley.ws']).toBe(true);
    const doc = await raw(hs.url).get('/_parley/openapi.json');
    expect(doc.body.paths['/_matrix/client/unstable/org.parley.ws'].get['x-parley-extension']).toBe(true);
  });

  it('refuses an upgrade with a bad token, and closes a connection that never authenticates properly', async () => {
    await expect(connectStream(hs.url, { token: 'not-a-token' })).rejects.toMatchObject({ status: 401 });
    const c = await connectStream(hs.url);
    c.send({ type: 'send', id: 1, room_id: roomId, event_type: 'm.room.message', txn_id: 'x', content: {} });
    expect(await c.next((f) => f.type === 'error')).toMatchObject({ id: 1, errcode: 'M_MISSING_TOKEN' });
    c.send({ type: 'auth', access_token: 'wrong' });
    expect(await c.closed).toMatchObject({ code: 4001 });
  });

  it('authenticates by first frame and pushes new messages', async () => {
    const c = await connectStream(hs.url);
    c.send({ type: 'auth', id: 'a', access_token: alice.accessToken });
    expect(await c.next((f) => f.type === 'result' && f.id === 'a')).toMatchObject({ body: { user_id: alice.userId } });
    const initial = await c.next((f) => f.type === 'sync');
    expect(initial.rooms.join[roomId]).toBeDefined();
    const started = Date.now();
    await sendText(bob, 'pushed');
    const frame = await c.next((f) => timelineOf(f, roomId).some((e: any) => e.content.body === 'pushed'));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(frame.next_batch).toMatch(/^s/);
    c.ws.close();
  });

  it('answers bad frames with error frames and stays usable', async () => {
    const c = await connectStream(hs.url, { token: alice.accessToken });
    await c.next((f) => f.type === 'sync');
    c.send('not json');
    expect(await c.next((f) => f.type === 'error')).toMatchObject({ errcode: 'M_NOT_JSON' });
    let seen = c.frames.length;
    c.send({ type: 'nonsense', id: 2 });
    expect(await c.next((f) => f.type === 'error', 5000, seen)).toMatchObject({ id: 2, errcode: 'M_BAD_JSON' });
    seen = c.frames.length;
    c.send({ type: 'typing', id: 3, room_id: roomId });
    expect(await c.next((f) => f.type === 'error', 5000, seen)).toMatchObject({ id: 3, errcode: 'M_MISSING_PARAM' });
    c.send({ type: 'typing', id: 4, room_id: '!nowhere:localhost', typing: true });
    expect(await c.next((f) => f.id === 4)).toMatchObject({ type: 'error', errcode: 'M_FORBIDDEN' });
    c.send({ type: 'receipt', id: 5, room_id: roomId, receipt_type: 'm.read', event_id: '$missing' });
    expect(await c.next((f) => f.id === 5)).toMatchObject({ type: 'error', errcode: 'M_NOT_FOUND' });
    c.send({ type: 'ping', id: 6 });
    expect(await c.next((f) => f.id === 6)).toEqual({ type: 'pong', id: 6 });
    // Still usable: a send frame works, is idempotent, and comes back in the stream.
    c.send({ type: 'send', id: 7, room_id: roomId, event_type: 'm.room.message', txn_id: 'ws-1', content: { msgtype: 'm.text', body: 'via ws' } });
    const sent = await c.next((f) => f.id === 7);
    expect(sent).toMatchObject({ type: 'result', body: { event_id: expect.stringMatching(/^\$/) } });
    c.send({ type: 'send', id: 8, room_id: roomId, event_type: 'm.room.message', txn_id: 'ws-1', content: { msgtype: 'm.text', body: 'via ws' } });
    expect((await c.next((f) => f.id === 8)).body.event_id).toBe(sent.body.event_id);
    const echoed = await c.next((f) => timelineOf(f, roomId).some((e: any) => e.event_id === sent.body.event_id));
    expect(timelineOf(echoed, roomId).find((e: any) => e.event_id === sent.body.event_id).unsigned.transaction_id).toBe('ws-1');
    // Typing and receipt frames reach the other side like their HTTP counterparts.
    const b = await connectStream(hs.url, { token: bob.accessToken });
    await b.next((f) => f.type === 'sync');
    c.send({ type: 'typing', id: 9, room_id: roomId, typing: true, timeout: 10_000 });
    await c.next((f) => f.id === 9 && f.type === 'result');
    await b.next((f) => f.rooms?.join?.[roomId]?.ephemeral?.events?.some((e: any) => e.type === 'm.typing' && e.content.user_ids.includes(alice.userId)));
    c.send({ type: 'receipt', id: 10, room_id: roomId, receipt_type: 'm.read', event_id: sent.body.event_id });
    await c.next((f) => f.id === 10 && f.type === 'result');
    await b.next((f) => f.rooms?.join?.[roomId]?.ephemeral?.events?.some((e: any) => e.type === 'm.receipt' && e.content[sent.body.event_id]));
    c.ws.close();
    b.ws.close();
  });

  it('resumes after a forced disconnect without losing or repeating anything', async () => {
    const c = await connectStream(hs.url, { token: alice.accessToken });
    await c.next((f) => f.type === 'sync');
    await sendText(bob, 'before-0');
    await c.next((f) => timelineOf(f, roomId).some((e: any) => e.content.body === 'before-0'));
    const lastToken = c.frames.filter((f) => f.type === 'sync').at(-1).next_batch;
    c.ws.terminate();
    await c.closed;
    for (let i = 0; i < 5; i++) await sendText(bob, `missed-${i}`);
    const d = await connectStream(hs.url, { token: alice.accessToken, query: { since: lastToken } });
    for (let i = 5; i < 8; i++) await sendText(bob, `live-${i}`);
    await d.next((f) => timelineOf(f, roomId).some((e: any) => e.content.body === 'live-7'));
    const bodies = d.frames.filter((f) => f.type === 'sync').flatMap((f) => timelineOf(f, roomId).map((e: any) => e.content.body));
    expect(bodies).toEqual(['missed-0', 'missed-1', 'missed-2', 'missed-3', 'missed-4', 'live-5', 'live-6', 'live-7']);
    d.ws.close();
  });

  it('closes a slow consumer past its buffer cap with a resume token, and resuming loses nothing', async () => {
    const stream = realtimeOf(hs.context).websocket!;
    const notifier = realtimeOf(hs.context).notifier;
    const cap = stream.opts.maxBufferedBytes;
    stream.opts.maxBufferedBytes = 64 * 1024;
    try {
      const query = { filter: JSON.stringify({ room: { timeline: { limit: 100 } } }) };
      const c = await connectStream(hs.url, { token: alice.accessToken, query });
      await c.next((f) => f.type === 'sync');
      const listening = notifier.listenerCount;
      // Stop reading: frames pile up in the kernel's buffers, then in the server's send queue.
      c.ws.pause();
      const big = 'x'.repeat(40_000);
      const sent: string[] = [];
      for (let round = 0; round < 100 && notifier.listenerCount >= listening; round++) {
        const bodies = Array.from({ length: 5 }, (_, i) => `slow-${round}-${i}`);
        await Promise.all(bodies.map((body) => raw(hs.url, bob.accessToken).put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${body}`, { msgtype: 'm.text', body, pad: big })));
        sent.push(...bodies);
      }
      expect(notifier.listenerCount).toBeLessThan(listening);
      for (const body of ['after-0', 'after-1']) {
        await sendText(bob, body);
        sent.push(body);
      }
      c.ws.resume();
      const closed = await c.closed;
      expect(closed.code).toBe(4008);
      expect(closed.reason).toMatch(/^s\d/);
      const bodiesOf = (frames: any[]) => frames.filter((f) => f.type === 'sync').flatMap((f) => timelineOf(f, roomId).map((e: any) => e.content.body));
      const before = bodiesOf(c.frames);
      // The close reason is the next_batch of the last frame queued: the one this client read last.
      expect(c.frames.filter((f) => f.type === 'sync').at(-1).next_batch).toBe(closed.reason);
      const d = await connectStream(hs.url, { token: alice.accessToken, query: { ...query, since: closed.reason } });
      await d.next((f) => bodiesOf([f]).includes('after-1'), 20_000);
      const all = [...before, ...bodiesOf(d.frames)].filter((b) => b?.startsWith('slow-') || b?.startsWith('after-'));
      // Each round's sends run in parallel (any order among them): every body once, none twice.
      expect([...all].sort()).toEqual([...sent].sort());
      d.ws.close();
    } finally {
      stream.opts.maxBufferedBytes = cap;
    }
  }, 60_000);
});
