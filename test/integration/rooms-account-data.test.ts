// Account data, tags, m.direct and m.ignored_user_list, through matrix-js-sdk, and what /sync sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Direction, Preset } from 'matrix-js-sdk';
import { startTestServer, type TestServer } from '../support/server.js';
import { client as raw } from '../support/http.js';
import { errcodeOf, sdkUser, type RoomTestUser } from '../support/rooms.js';

let hs: TestServer;
let alice: RoomTestUser;
let bob: RoomTestUser;

beforeAll(async () => {
  hs = await startTestServer();
  alice = await sdkUser(hs, 'alice');
  bob = await sdkUser(hs, 'bob');
});
afterAll(async () => {
  await hs?.destroy();
});

const enc = encodeURIComponent;

describe('account data', () => {
  it('stores global and per-room account data, and /sync delivers it', async () => {
    const api = raw(hs.url, alice.accessToken);
    const first = await api.get('/_matrix/client/v3/sync?timeout=0');
    await alice.client.setAccountDataRaw('org.example.config' as never, { theme: 'dark' } as never);
    expect(await alice.client.getAccountDataFromServer('org.example.config' as never)).toEqual({ theme: 'dark' });
    const { room_id } = await alice.client.createRoom({});
    await alice.client.setRoomAccountData(room_id, 'org.example.room', { pinned: true });
    const got = await api.get(`/_matrix/client/v3/user/${enc(alice.userId)}/rooms/${enc(room_id)}/account_data/org.example.room`);
    expect(got.body).toEqual({ pinned: true });

    const next = await api.get(`/_matrix/client/v3/sync?timeout=0&since=${enc(first.body.next_batch)}`);
    expect(next.body.account_data.events).toContainEqual({ type: 'org.example.config', content: { theme: 'dark' } });
    expect(next.body.rooms.join[room_id].account_data.events).toContainEqual(expect.objectContaining({ type: 'org.example.room', content: { pinned: true } }));

    // Overwrites replace the content.
    await alice.client.setAccountDataRaw('org.example.config' as never, { theme: 'light' } as never);
    expect(await alice.client.getAccountDataFromServer('org.example.config' as never)).toEqual({ theme: 'light' });
  });

  it('answers the spec errors', async () => {
    const api = raw(hs.url, alice.accessToken);
    const mine = `/_matrix/client/v3/user/${enc(alice.userId)}`;
    expect((await api.get(`${mine}/account_data/org.example.none`)).body.errcode).toBe('M_NOT_FOUND');
    const theirs = await api.put(`/_matrix/client/v3/user/${enc(bob.userId)}/account_data/org.example.x`, { a: 1 });
    expect([theirs.status, theirs.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
    const readTheirs = await api.get(`/_matrix/client/v3/user/${enc(bob.userId)}/account_data/org.example.x`);
    expect([readTheirs.status, readTheirs.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
    const theirTags = await api.get(`/_matrix/client/v3/user/${enc(bob.userId)}/rooms/${enc('!a:localhost')}/tags`);
    expect(theirTags.status).toBe(403);
    for (const type of ['m.fully_read', 'm.push_rules']) {
      const r = await api.put(`${mine}/account_data/${type}`, {});
      expect([r.status, r.body.errcode]).toEqual([405, 'M_BAD_JSON']);
      const perRoom = await api.put(`${mine}/rooms/${enc('!a:localhost')}/account_data/${type}`, { event_id: '$x' });
      expect([perRoom.status, perRoom.body.errcode]).toEqual([405, 'M_BAD_JSON']);
    }
    const badRoom = await api.put(`${mine}/rooms/not-a-room/account_data/org.example.x`, {});
    expect([badRoom.status, badRoom.body.errcode]).toEqual([400, 'M_INVALID_PARAM']);
    const notObject = await api.put(`${mine}/account_data/org.example.x`, [1, 2]);
    expect(notObject.status).toBe(400);
    const badIgnore = await api.put(`${mine}/account_data/m.ignored_user_list`, { ignored_users: [] });
    expect(badIgnore.body.errcode).toBe('M_BAD_JSON');
  });

  it('adds, lists and removes room tags', async () => {
    const { room_id } = await alice.client.createRoom({});
    await alice.client.setRoomTag(room_id, 'm.favourite', { order: 0.25 });
    await alice.client.setRoomTag(room_id, 'u.work', {});
    expect((await alice.client.getRoomTags(room_id)).tags).toEqual({ 'm.favourite': { order: 0.25 }, 'u.work': {} });
    await alice.client.deleteRoomTag(room_id, 'u.work');
    expect((await alice.client.getRoomTags(room_id)).tags).toEqual({ 'm.favourite': { order: 0.25 } });
    const stored = await raw(hs.url, alice.accessToken).get(`/_matrix/client/v3/user/${enc(alice.userId)}/rooms/${enc(room_id)}/account_data/m.tag`);
    expect(stored.body).toEqual({ tags: { 'm.favourite': { order: 0.25 } } });
    const none = await alice.client.createRoom({});
    expect((await alice.client.getRoomTags(none.room_id)).tags).toEqual({});
  });

  it('keeps m.direct', async () => {
    const { room_id } = await alice.client.createRoom({ invite: [bob.userId], is_direct: true, preset: Preset.TrustedPrivateChat });
    await alice.client.setAccountDataRaw('m.direct' as never, { [bob.userId]: [room_id] } as never);
    expect(await alice.client.getAccountDataFromServer('m.direct' as never)).toEqual({ [bob.userId]: [room_id] });
    const bad = await raw(hs.url, alice.accessToken).put(`/_matrix/client/v3/user/${enc(alice.userId)}/account_data/m.direct`, { [bob.userId]: 'x' });
    expect(bad.body.errcode).toBe('M_BAD_JSON');
  });

  it("hides an ignored user's events from the ignorer only, and wakes /sync", async () => {
    const { room_id } = await alice.client.createRoom({ preset: Preset.PublicChat });
    await bob.client.joinRoom(room_id);
    const api = raw(hs.url, alice.accessToken);
    const before = await api.get('/_matrix/client/v3/sync?timeout=0');
    const waiting = api.get(`/_matrix/client/v3/sync?timeout=10000&since=${enc(before.body.next_batch)}`);
    await new Promise((r) => setTimeout(r, 100));
    await alice.client.setIgnoredUsers([bob.userId]);
    const woke = await waiting;
    expect(woke.body.account_data.events).toContainEqual({ type: 'm.ignored_user_list', content: { ignored_users: { [bob.userId]: {} } } });
    expect(alice.client.getIgnoredUsers).toBeDefined();

    const { event_id } = await bob.client.sendTextMessage(room_id, 'you cannot see me');
    const aliceView = await alice.client.createMessagesRequest(room_id, null, 20, Direction.Backward);
    expect(aliceView.chunk.map((e) => e.event_id)).not.toContain(event_id);
    expect(await errcodeOf(alice.client.fetchRoomEvent(room_id, event_id))).toBe('M_NOT_FOUND');
    const bobView = await bob.client.createMessagesRequest(room_id, null, 20, Direction.Backward);
    expect(bobView.chunk.map((e) => e.event_id)).toContain(event_id);

    // Their thread replies do not count in the ignorer's thread summary either.
    const { event_id: root } = await alice.client.sendTextMessage(room_id, 'a thread');
    await bob.client.sendMessage(room_id, { msgtype: 'm.text', body: 'ignored reply', 'm.relates_to': { rel_type: 'm.thread', event_id: root } } as never);
    expect((await alice.client.fetchRoomEvent(room_id, root)).unsigned?.['m.relations']).toBeUndefined();
    expect(((await bob.client.fetchRoomEvent(room_id, root)).unsigned as any)['m.relations']['m.thread'].count).toBe(1);

    await alice.client.setIgnoredUsers([]);
    const again = await alice.client.createMessagesRequest(room_id, null, 20, Direction.Backward);
    expect(again.chunk.map((e) => e.event_id)).toContain(event_id);
  });
});
