// Rooms through matrix-js-sdk: creation, membership changes, sending, state and reading back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Direction, Preset, Visibility } from 'matrix-js-sdk';
import { startTestServer, type TestServer } from '../support/server.js';
import { client as raw } from '../support/http.js';
import { errcodeOf, sdkUser, type RoomTestUser } from '../support/rooms.js';

let hs: TestServer;
let alice: RoomTestUser;
let bob: RoomTestUser;
let carol: RoomTestUser;

beforeAll(async () => {
  hs = await startTestServer();
  alice = await sdkUser(hs, 'alice', { displayname: 'Alice' });
  bob = await sdkUser(hs, 'bob');
  carol = await sdkUser(hs, 'carol');
});
afterAll(async () => {
  await hs?.destroy();
});

describe('rooms', () => {
  it('creates a private room with name and topic, and sends messages', async () => {
    const { room_id } = await alice.client.createRoom({ name: 'Team', topic: 'Plans', preset: Preset.PrivateChat });
    expect(room_id).toMatch(/^!/);
    const name = await alice.client.getStateEvent(room_id, 'm.room.name', '');
    expect(name).toEqual({ name: 'Team' });
    const create = await raw(hs.url, alice.accessToken).get(`/_matrix/client/v3/rooms/${encodeURIComponent(room_id)}/state/m.room.create?format=event`);
    expect(create.body.sender).toBe(alice.userId);
    const { event_id } = await alice.client.sendTextMessage(room_id, 'hello');
    const ev = await raw(hs.url, alice.accessToken).get(`/_matrix/client/v3/rooms/${encodeURIComponent(room_id)}/event/${encodeURIComponent(event_id)}`);
    expect(ev.status).toBe(200);
    expect(ev.body.content).toEqual({ msgtype: 'm.text', body: 'hello' });
    const messages = await alice.client.createMessagesRequest(room_id, null, 10, Direction.Backward);
    expect(messages.chunk[0].event_id).toBe(event_id);
    expect(messages.chunk.map((e) => e.type)).toContain('m.room.create');
    const members = await alice.client.getJoinedRoomMembers(room_id);
    expect(members.joined[alice.userId].display_name).toBe('Alice');
  });

  it('is idempotent per transaction id', async () => {
    const { room_id } = await alice.client.createRoom({});
    const api = raw(hs.url, alice.accessToken);
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(room_id)}/send/m.room.message/txn1`;
    const a = await api.put(path, { msgtype: 'm.text', body: 'once' });
    const b = await api.put(path, { msgtype: 'm.text', body: 'once' });
    expect(a.status).toBe(200);
    expect(b.body.event_id).toBe(a.body.event_id);
    const ev = await api.get(`/_matrix/client/v3/rooms/${encodeURIComponent(room_id)}/event/${encodeURIComponent(a.body.event_id)}`);
    expect(ev.body.unsigned.transaction_id).toBe('txn1');
  });

  it('invites, joins, leaves, kicks, bans and unbans', async () => {
    const { room_id } = await alice.client.createRoom({ preset: Preset.PrivateChat });
    expect(await errcodeOf(bob.client.joinRoom(room_id))).toBe('M_FORBIDDEN');
    await alice.client.invite(room_id, bob.userId);
    await bob.client.joinRoom(room_id);
    expect((await bob.client.getJoinedRooms()).joined_rooms).toContain(room_id);
    await bob.client.sendTextMessage(room_id, 'hi from bob');
    await bob.client.leave(room_id);
    expect((await bob.client.getJoinedRooms()).joined_rooms).not.toContain(room_id);
    expect(await errcodeOf(bob.client.sendTextMessage(room_id, 'gone'))).toBe('M_FORBIDDEN');
    await alice.client.invite(room_id, bob.userId);
    await bob.client.joinRoom(room_id);
    await alice.client.kick(room_id, bob.userId, 'bye');
    const member = await alice.client.getStateEvent(room_id, 'm.room.member', bob.userId);
    expect(member).toMatchObject({ membership: 'leave', reason: 'bye' });
    await alice.client.ban(room_id, bob.userId);
    await alice.client.invite(room_id, carol.userId);
    expect(await errcodeOf(alice.client.invite(room_id, bob.userId))).toBe('M_FORBIDDEN');
    await alice.client.unban(room_id, bob.userId);
    await alice.client.invite(room_id, bob.userId);
    await bob.client.joinRoom(room_id);
    // Bob (power 0) cannot kick Carol.
    await carol.client.joinRoom(room_id);
    expect(await errcodeOf(bob.client.kick(room_id, carol.userId))).toBe('M_FORBIDDEN');
  });

  it('joins public rooms by alias and knocks on knockable ones', async () => {
    const { room_id } = await alice.client.createRoom({ preset: Preset.PublicChat, room_alias_name: 'lobby', visibility: Visibility.Public });
    const joined = await bob.client.joinRoom(`#lobby:${hs.config.server_name}`);
    expect(joined.roomId).toBe(room_id);
    const knockable = await alice.client.createRoom({ initial_state: [{ type: 'm.room.join_rules', state_key: '', content: { join_rule: 'knock' } }] });
    await carol.client.knockRoom(knockable.room_id, { reason: 'let me in' });
    const m = await alice.client.getStateEvent(knockable.room_id, 'm.room.member', carol.userId);
    expect(m.membership).toBe('knock');
    await alice.client.invite(knockable.room_id, carol.userId);
    await carol.client.joinRoom(knockable.room_id);
  });

  it('forgets a room after leaving', async () => {
    const { room_id } = await alice.client.createRoom({});
    const api = raw(hs.url, alice.accessToken);
    const forgetEarly = await api.post(`/_matrix/client/v3/rooms/${encodeURIComponent(room_id)}/forget`, {});
    expect(forgetEarly.status).toBe(400);
    await alice.client.leave(room_id);
    await alice.client.forget(room_id);
  });

  it('answers a join to an unknown room clearly', async () => {
    const res = await raw(hs.url, bob.accessToken).post(`/_matrix/client/v3/join/${encodeURIComponent('!nope:elsewhere.example')}`, {});
    expect(res.status).toBe(404);
    expect(res.body.errcode).toBe('M_NOT_FOUND');
  });
});
