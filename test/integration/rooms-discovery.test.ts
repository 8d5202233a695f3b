// Finding rooms and people: room summaries, space hierarchies, the user directory, and profile
// changes reaching member events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Direction, Preset } from 'matrix-js-sdk';
import { startTestServer, type TestServer } from '../support/server.js';
import { client as raw } from '../support/http.js';
import { errcodeOf, sdkUser, type RoomTestUser } from '../support/rooms.js';

let hs: TestServer;
let alice: RoomTestUser;
let bob: RoomTestUser;
let carol: RoomTestUser;

const enc = encodeURIComponent;
const child = (via = ['localhost'], extra: object = {}) => ({ via, ...extra });

beforeAll(async () => {
  hs = await startTestServer();
  [alice, bob, carol] = await Promise.all([sdkUser(hs, 'alice', { displayname: 'Alice Liddell' }), sdkUser(hs, 'bob', { displayname: 'Bob Builder' }), sdkUser(hs, 'carol')]);
});
afterAll(async () => {
  await hs?.destroy();
});

describe('room summary', () => {
  it('summarises public and world-readable rooms for anyone, private rooms for members and invitees', async () => {
    const { room_id: pub } = await alice.client.createRoom({ preset: Preset.PublicChat, name: 'Town square', topic: 'Hello', room_alias_name: 'square' });
    const anon = await raw(hs.url).get(`/_matrix/client/v1/room_summary/${enc('#square:localhost')}`);
    expect(anon.status).toBe(200);
    expect(anon.body).toEqual({
      room_id: pub,
      name: 'Town square',
      topic: 'Hello',
      canonical_alias: '#square:localhost',
      num_joined_members: 1,
      world_readable: false,
      guest_can_join: false,
      join_rule: 'public',
      room_version: '12',
    });
    const asBob = await raw(hs.url, bob.accessToken).get(`/_matrix/client/v1/room_summary/${enc(pub)}`);
    expect(asBob.body.membership).toBe('leave');
    // js-sdk 37 asks at MSC3266's unstable path.
    expect(await bob.client.getRoomSummary(pub)).toMatchObject({ room_id: pub, name: 'Town square', membership: 'leave' });

    const { room_id: priv } = await alice.client.createRoom({ preset: Preset.PrivateChat, name: 'Secret', initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }] });
    for (const token of [undefined, bob.accessToken]) {
      const r = await raw(hs.url, token).get(`/_matrix/client/v1/room_summary/${enc(priv)}`);
      expect([r.status, r.body.errcode]).toEqual([404, 'M_NOT_FOUND']);
    }
    await alice.client.invite(priv, bob.userId);
    const invited = await raw(hs.url, bob.accessToken).get(`/_matrix/client/v1/room_summary/${enc(priv)}`);
    expect(invited.body).toMatchObject({ membership: 'invite', encryption: 'm.megolm.v1.aes-sha2', join_rule: 'invite', name: 'Secret' });
    expect((await raw(hs.url).get(`/_matrix/client/v1/room_summary/${enc('#nope:localhost')}`)).status).toBe(404);

    const { room_id: readable } = await alice.client.createRoom({ preset: Preset.PrivateChat, initial_state: [{ type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'world_readable' } }] });
    expect((await raw(hs.url).get(`/_matrix/client/v1/room_summary/${enc(readable)}`)).body.world_readable).toBe(true);
  });
});

describe('spaces', () => {
  it('walks a space tree with suggested_only, max_depth and pagination, leaving out rooms the user cannot see', async () => {
    const mk = (name: string, opts: object = {}) => alice.client.createRoom({ name, preset: Preset.PublicChat, ...opts }).then((r) => r.room_id);
    const space = await mk('Root space', { creation_content: { type: 'm.space' } });
    const sub = await mk('Sub space', { creation_content: { type: 'm.space' } });
    const a = await mk('Room A');
    const b = await mk('Room B');
    const deep = await mk('Deep room');
    const hidden = await alice.client.createRoom({ name: 'Hidden', preset: Preset.PrivateChat }).then((r) => r.room_id);
    const setChild = (parent: string, id: string, content: object) => alice.client.sendStateEvent(parent, 'm.space.child' as never, content as never, id);
    await setChild(space, b, child(['localhost'], { order: 'b' }));
    await setChild(space, a, child(['localhost'], { order: 'a', suggested: true }));
    await setChild(space, sub, child());
    await setChild(space, hidden, child());
    await setChild(space, '!removed:localhost', {}); // no via: not a child
    await setChild(sub, deep, child());
    await alice.client.sendStateEvent(a, 'm.space.parent' as never, { via: ['localhost'], canonical: true } as never, space);

    const res = await bob.client.getRoomHierarchy(space);
    expect(res.rooms.map((r) => r.name)).toEqual(['Root space', 'Room A', 'Room B', 'Sub space', 'Deep room']);
    const root = res.rooms[0];
    expect(root.room_type).toBe('m.space');
    expect(root.children_state.map((c) => c.state_key)).toEqual([a, b, sub, hidden]);
    expect(root.children_state[0]).toMatchObject({ type: 'm.space.child', sender: alice.userId, content: { order: 'a', suggested: true } });
    expect(typeof root.children_state[0].origin_server_ts).toBe('number');
    expect(res.next_batch).toBeUndefined();

    // Alice is in the hidden room, so she sees it.
    expect((await alice.client.getRoomHierarchy(space)).rooms.map((r) => r.name)).toContain('Hidden');
    expect((await bob.client.getRoomHierarchy(space, undefined, 1)).rooms.map((r) => r.name)).toEqual(['Root space', 'Room A', 'Room B', 'Sub space']);
    expect((await bob.client.getRoomHierarchy(space, undefined, 0)).rooms.map((r) => r.name)).toEqual(['Root space']);
    expect((await bob.client.getRoomHierarchy(space, undefined, undefined, true)).rooms.map((r) => r.name)).toEqual(['Root space', 'Room A']);

    const names: string[] = [];
    let from: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page = await bob.client.getRoomHierarchy(space, 2, undefined, false, from);
      names.push(...page.rooms.map((r) => r.name!));
      from = page.next_batch;
      if (!from) break;
    }
    expect(names).toEqual(['Root space', 'Room A', 'Room B', 'Sub space', 'Deep room']);

    const first = await bob.client.getRoomHierarchy(space, 1);
    const api = raw(hs.url, bob.accessToken);
    const changed = await api.get(`/_matrix/client/v1/rooms/${enc(space)}/hierarchy?from=${first.next_batch}&suggested_only=true`);
    expect([changed.status, changed.body.errcode]).toEqual([400, 'M_INVALID_PARAM']);
    expect((await api.get(`/_matrix/client/v1/rooms/${enc(space)}/hierarchy?from=zzz`)).status).toBe(400);
    expect(await errcodeOf(bob.client.getRoomHierarchy(hidden))).toBe('M_FORBIDDEN');
    expect(await errcodeOf(bob.client.getRoomHierarchy('!unknown:localhost'))).toBe('M_FORBIDDEN');
  });
});

describe('user directory', () => {
  it('finds users sharing a room and members of public rooms, not strangers', async () => {
    const dave = await sdkUser(hs, 'dave', { displayname: 'Dave Stranger' });
    const erin = await sdkUser(hs, 'erin', { displayname: 'Erin Public' });
    const { room_id: pub } = await alice.client.createRoom({ preset: Preset.PublicChat });
    await erin.client.joinRoom(pub);
    const { room_id: priv } = await alice.client.createRoom({ preset: Preset.PrivateChat });
    await alice.client.invite(priv, carol.userId);
    await carol.client.joinRoom(priv);

    const find = async (user: RoomTestUser, term: string, limit?: number) => (await user.client.searchUserDirectory({ term, limit })).results.map((r) => r.user_id);
    expect(await find(carol, 'alice')).toEqual([alice.userId]);
    expect(await find(carol, 'Liddell')).toEqual([alice.userId]);
    expect(await find(carol, 'erin')).toEqual([erin.userId]);
    expect(await find(carol, 'dave')).toEqual([]);
    expect(await find(dave, 'carol')).toEqual([]);
    const withProfile = await carol.client.searchUserDirectory({ term: 'alice' });
    expect(withProfile.results[0]).toEqual({ user_id: alice.userId, display_name: 'Alice Liddell' });
    const limited = await carol.client.searchUserDirectory({ term: 'localhost', limit: 1 });
    expect(limited.results).toHaveLength(1);
    expect(limited.limited).toBe(true);
    expect(await find(carol, '%')).toEqual([]);
  });

  it('searches every local user when configured to', async () => {
    const server = await startTestServer({ user_directory: { search_all_users: true } });
    try {
      const [x, y] = await Promise.all([sdkUser(server, 'xavier'), sdkUser(server, 'yolanda', { displayname: 'Yolanda' })]);
      expect((await x.client.searchUserDirectory({ term: 'yol' })).results).toEqual([{ user_id: y.userId, display_name: 'Yolanda' }]);
    } finally {
      await server.destroy();
    }
  });
});

describe('profile propagation', () => {
  it('updates the member event in every joined room when the displayname or avatar changes', async () => {
    const frank = await sdkUser(hs, 'frank', { displayname: 'Frank' });
    const { room_id: r1 } = await alice.client.createRoom({ preset: Preset.PublicChat });
    const { room_id: r2 } = await alice.client.createRoom({ preset: Preset.PublicChat });
    const { room_id: left } = await alice.client.createRoom({ preset: Preset.PublicChat });
    await frank.client.joinRoom(r1);
    await frank.client.joinRoom(r2);
    await frank.client.joinRoom(left);
    await frank.client.leave(left);

    await frank.client.setDisplayName('Frank Renamed');
    await frank.client.setAvatarUrl('mxc://localhost/frank');
    for (const room of [r1, r2]) {
      expect(await alice.client.getStateEvent(room, 'm.room.member', frank.userId)).toEqual({ membership: 'join', displayname: 'Frank Renamed', avatar_url: 'mxc://localhost/frank' });
      const members = await alice.client.getJoinedRoomMembers(room);
      expect(members.joined[frank.userId].display_name).toBe('Frank Renamed');
    }
    expect((await alice.client.getStateEvent(left, 'm.room.member', frank.userId)).membership).toBe('leave');
    const timeline = await alice.client.createMessagesRequest(r1, null, 5, Direction.Backward);
    const change = timeline.chunk.find((e) => e.type === 'm.room.member' && e.content.displayname === 'Frank Renamed' && !e.content.avatar_url)!;
    expect(change.sender).toBe(frank.userId);
    expect((change.unsigned as any).prev_content.displayname).toBe('Frank');
    expect((await carol.client.searchUserDirectory({ term: 'renamed' })).results.map((r) => r.user_id)).toEqual([frank.userId]);
  });
});
