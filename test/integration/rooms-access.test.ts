// Who may read what on the read paths of relations, threads, search, aliases and spaces, and
// that a redacted event's content is gone from every read path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Direction, Preset } from 'matrix-js-sdk';
import { startTestServer, type TestServer } from '../support/server.js';
import { client as raw } from '../support/http.js';
import { sdkUser, type RoomTestUser } from '../support/rooms.js';

let hs: TestServer;
let alice: RoomTestUser;
let bob: RoomTestUser;
let mallory: RoomTestUser;

const enc = encodeURIComponent;
const inThread = (root: string, body: string) => ({ msgtype: 'm.text', body, 'm.relates_to': { rel_type: 'm.thread', event_id: root } });
const searchIds = async (user: RoomTestUser, term: string): Promise<string[]> => {
  const r = await raw(hs.url, user.accessToken).post('/_matrix/client/v3/search', { search_categories: { room_events: { search_term: term } } });
  expect(r.status).toBe(200);
  return r.body.search_categories.room_events.results.map((x: any) => x.result.event_id);
};

beforeAll(async () => {
  hs = await startTestServer();
  [alice, bob, mallory] = await Promise.all(['alice', 'bob', 'mallory'].map((n) => sdkUser(hs, n)));
});
afterAll(async () => {
  await hs?.destroy();
});

describe('access on the new read paths', () => {
  it('refuses non-members with 403 M_FORBIDDEN (404 for the room summary, as the spec says)', async () => {
    const { room_id } = await alice.client.createRoom({ preset: Preset.PrivateChat, creation_content: { type: 'm.space' }, room_alias_name: 'private-space' });
    const { event_id: root } = await alice.client.sendTextMessage(room_id, 'okapi root');
    await alice.client.sendMessage(room_id, inThread(root, 'okapi reply') as never);
    const api = raw(hs.url, mallory.accessToken);
    const paths = [
      `/_matrix/client/v1/rooms/${enc(room_id)}/relations/${enc(root)}`,
      `/_matrix/client/v1/rooms/${enc(room_id)}/relations/${enc(root)}/m.thread`,
      `/_matrix/client/v1/rooms/${enc(room_id)}/relations/${enc(root)}/m.thread/m.room.message`,
      `/_matrix/client/v1/rooms/${enc(room_id)}/threads`,
      `/_matrix/client/v3/rooms/${enc(room_id)}/aliases`,
      `/_matrix/client/v1/rooms/${enc(room_id)}/hierarchy`,
    ];
    for (const path of paths) {
      const r = await api.get(path);
      expect([path, r.status, r.body.errcode]).toEqual([path, 403, 'M_FORBIDDEN']);
    }
    const summary = await api.get(`/_matrix/client/v1/room_summary/${enc(room_id)}`);
    expect([summary.status, summary.body.errcode]).toEqual([404, 'M_NOT_FOUND']);
    expect(await searchIds(mallory, 'okapi')).toEqual([]);
    const tags = await api.put(`/_matrix/client/v3/user/${enc(alice.userId)}/rooms/${enc(room_id)}/tags/u.x`, {});
    expect([tags.status, tags.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
    // Unauthenticated requests to endpoints that need a user.
    expect((await raw(hs.url).get(paths[0])).body.errcode).toBe('M_MISSING_TOKEN');
  });

  it('shows relations, threads and search results only inside the history visibility window', async () => {
    const { room_id } = await alice.client.createRoom({
      preset: Preset.PublicChat,
      initial_state: [{ type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'joined' } }],
    });
    const { event_id: target } = await alice.client.sendTextMessage(room_id, 'tapir target');
    const early = await alice.client.sendEvent(room_id, 'm.reaction' as never, { 'm.relates_to': { rel_type: 'm.annotation', event_id: target, key: 'early' } } as never);
    const { event_id: oldRoot } = await alice.client.sendTextMessage(room_id, 'tapir old thread');
    await alice.client.sendMessage(room_id, inThread(oldRoot, 'tapir old reply') as never);
    await bob.client.joinRoom(room_id);
    const late = await alice.client.sendEvent(room_id, 'm.reaction' as never, { 'm.relates_to': { rel_type: 'm.annotation', event_id: target, key: 'late' } } as never);
    const { event_id: newRoot } = await alice.client.sendTextMessage(room_id, 'tapir new thread');
    const newReply = await alice.client.sendMessage(room_id, inThread(newRoot, 'tapir new reply') as never);

    const api = raw(hs.url, bob.accessToken);
    // The parent itself predates bob: 404 as for /event.
    const hiddenParent = await api.get(`/_matrix/client/v1/rooms/${enc(room_id)}/relations/${enc(target)}`);
    expect(hiddenParent.body.errcode).toBe('M_NOT_FOUND');
    const aliceView = await raw(hs.url, alice.accessToken).get(`/_matrix/client/v1/rooms/${enc(room_id)}/relations/${enc(target)}`);
    expect(aliceView.body.chunk.map((e: any) => e.event_id)).toEqual([late.event_id, early.event_id]);
    const threads = await api.get(`/_matrix/client/v1/rooms/${enc(room_id)}/threads`);
    expect(threads.body.chunk.map((e: any) => e.event_id)).toEqual([newRoot]);
    expect(await searchIds(bob, 'tapir')).toEqual([newReply.event_id, newRoot]);

    // Having left, bob keeps what he could see and nothing after.
    await bob.client.leave(room_id);
    const after = await alice.client.sendMessage(room_id, inThread(newRoot, 'tapir after bob') as never);
    const rel = await api.get(`/_matrix/client/v1/rooms/${enc(room_id)}/relations/${enc(newRoot)}`);
    expect(rel.body.chunk.map((e: any) => e.event_id)).toEqual([newReply.event_id]);
    expect(await searchIds(bob, 'tapir')).not.toContain(after.event_id);
  });
});

describe('redaction', () => {
  it("removes an event's content from every read path", async () => {
    const { room_id } = await alice.client.createRoom({ preset: Preset.PublicChat });
    await bob.client.joinRoom(room_id);
    const { event_id: secret } = await alice.client.sendTextMessage(room_id, 'zebra launch codes');
    const { event_id: reaction } = await bob.client.sendEvent(room_id, 'm.reaction' as never, { 'm.relates_to': { rel_type: 'm.annotation', event_id: secret, key: '🦓' } } as never);
    const { event_id: edit } = await alice.client.sendMessage(room_id, {
      msgtype: 'm.text',
      body: '* zebra launch codes v2',
      'm.new_content': { msgtype: 'm.text', body: 'zebra launch codes v2' },
      'm.relates_to': { rel_type: 'm.replace', event_id: secret },
    } as never);
    const { event_id: reply } = await bob.client.sendMessage(room_id, inThread(secret, 'zebra reply') as never);
    await alice.client.sendTextMessage(room_id, 'after');
    expect(await searchIds(bob, 'zebra')).toHaveLength(3);

    await alice.client.redactEvent(room_id, secret, undefined, { reason: 'oops' });
    await alice.client.redactEvent(room_id, edit);
    await bob.client.redactEvent(room_id, reply);
    await bob.client.redactEvent(room_id, reaction);

    const api = raw(hs.url, bob.accessToken);
    const event = await api.get(`/_matrix/client/v3/rooms/${enc(room_id)}/event/${enc(secret)}`);
    expect(event.body.content).toEqual({});
    expect(event.body.unsigned.redacted_because.content).toMatchObject({ reason: 'oops' });
    expect(event.body.unsigned['m.relations']).toBeUndefined();
    const page = await bob.client.createMessagesRequest(room_id, null, 30, Direction.Backward);
    for (const id of [secret, edit, reply, reaction]) expect(page.chunk.find((e) => e.event_id === id)!.content).toEqual({});
    expect(JSON.stringify(page.chunk)).not.toContain('zebra');
    const ctx = await api.get(`/_matrix/client/v3/rooms/${enc(room_id)}/context/${enc(secret)}?limit=10`);
    expect(ctx.body.event.content).toEqual({});
    expect(JSON.stringify(ctx.body)).not.toContain('zebra');
    const rel = await api.get(`/_matrix/client/v1/rooms/${enc(room_id)}/relations/${enc(secret)}?recurse=true`);
    expect(rel.body.chunk).toEqual([]);
    const threads = await api.get(`/_matrix/client/v1/rooms/${enc(room_id)}/threads`);
    expect(threads.body.chunk).toEqual([]);
    expect(await searchIds(bob, 'zebra')).toEqual([]);
    expect(await searchIds(alice, 'zebra')).toEqual([]);
  });
});
