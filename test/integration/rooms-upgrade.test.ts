// Room upgrades through matrix-js-sdk: copied state, predecessor, tombstone, aliases moved, old room restricted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Preset, Visibility } from 'matrix-js-sdk';
import { startTestServer, type TestServer } from '../support/server.js';
import { client as raw } from '../support/http.js';
import { errcodeOf, sdkUser, type RoomTestUser } from '../support/rooms.js';

let hs: TestServer;
let alice: RoomTestUser;
let bob: RoomTestUser;
let carol: RoomTestUser;

const enc = encodeURIComponent;

beforeAll(async () => {
  hs = await startTestServer();
  [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => sdkUser(hs, n)));
});
afterAll(async () => {
  await hs?.destroy();
});

describe('room upgrades', () => {
  it('replaces a v10 room by a v12 room with its state, aliases and bans', async () => {
    const { room_id: oldRoom } = await alice.client.createRoom({
      room_version: '10',
      preset: Preset.PublicChat,
      visibility: Visibility.Public,
      name: 'Old times',
      topic: 'Before the upgrade',
      room_alias_name: 'up',
      initial_state: [
        { type: 'm.room.avatar', state_key: '', content: { url: 'mxc://localhost/pic' } },
        { type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
        { type: 'm.room.server_acl', state_key: '', content: { allow: ['*'], deny: ['evil.example'], allow_ip_literals: false } },
        { type: 'm.room.guest_access', state_key: '', content: { guest_access: 'can_join' } },
      ],
      power_level_content_override: { users: { [alice.userId]: 100, [carol.userId]: 50 } },
    });
    await alice.client.createAlias('#up-alt:localhost', oldRoom);
    await alice.client.sendStateEvent(oldRoom, 'm.room.canonical_alias' as never, { alias: '#up:localhost', alt_aliases: ['#up-alt:localhost'] } as never, '');
    await bob.client.joinRoom(oldRoom);
    await carol.client.joinRoom(oldRoom);
    await alice.client.ban(oldRoom, carol.userId, 'spam');
    const { event_id: lastMessage } = await alice.client.sendTextMessage(oldRoom, 'moving house');

    expect(await errcodeOf(bob.client.upgradeRoom(oldRoom, '12'))).toBe('M_FORBIDDEN');
    const upgradeFail = await raw(hs.url, alice.accessToken).post(`/_matrix/client/v3/rooms/${enc(oldRoom)}/upgrade`, { new_version: '999' });
    expect([upgradeFail.status, upgradeFail.body.errcode]).toEqual([400, 'M_UNSUPPORTED_ROOM_VERSION']);

    const { replacement_room: newRoom } = await alice.client.upgradeRoom(oldRoom, '12');
    expect(newRoom).not.toBe(oldRoom);

    const create = await alice.client.getStateEvent(newRoom, 'm.room.create', '');
    expect(create.room_version).toBe('12');
    expect(create.predecessor.room_id).toBe(oldRoom);
    expect(create.predecessor.event_id).toBeDefined();
    void lastMessage;
    const state = async (type: string) => alice.client.getStateEvent(newRoom, type as never, '');
    expect(await state('m.room.name')).toEqual({ name: 'Old times' });
    expect((await state('m.room.topic')).topic).toBe('Before the upgrade');
    expect(await state('m.room.avatar')).toEqual({ url: 'mxc://localhost/pic' });
    expect(await state('m.room.encryption')).toEqual({ algorithm: 'm.megolm.v1.aes-sha2' });
    expect(await state('m.room.server_acl')).toMatchObject({ deny: ['evil.example'] });
    expect(await state('m.room.guest_access')).toEqual({ guest_access: 'can_join' });
    expect(await state('m.room.join_rules')).toEqual({ join_rule: 'public' });
    expect(await state('m.room.history_visibility')).toEqual({ history_visibility: 'shared' });
    const pl = await state('m.room.power_levels');
    // v12: the creator has infinite power and is not listed; others keep their levels.
    expect(pl.users).toEqual({ [carol.userId]: 50 });
    expect(await alice.client.getStateEvent(newRoom, 'm.room.member', carol.userId)).toMatchObject({ membership: 'ban' });

    const tombstone = await alice.client.getStateEvent(oldRoom, 'm.room.tombstone', '');
    expect(tombstone.replacement_room).toBe(newRoom);
    expect((await alice.client.getRoomIdForAlias('#up:localhost')).room_id).toBe(newRoom);
    expect((await alice.client.getRoomIdForAlias('#up-alt:localhost')).room_id).toBe(newRoom);
    expect(await state('m.room.canonical_alias')).toEqual({ alias: '#up:localhost', alt_aliases: ['#up-alt:localhost'] });
    expect(await alice.client.getStateEvent(oldRoom, 'm.room.canonical_alias', '')).toEqual({ alt_aliases: [] });
    expect((await alice.client.getLocalAliases(oldRoom)).aliases).toEqual([]);
    expect((await alice.client.getRoomDirectoryVisibility(newRoom)).visibility).toBe('public');
    expect((await alice.client.getRoomDirectoryVisibility(oldRoom)).visibility).toBe('private');

    // The old room is read-only for ordinary members; members follow by joining the new one.
    const oldPl = await alice.client.getStateEvent(oldRoom, 'm.room.power_levels', '');
    expect(oldPl.events_default).toBe(50);
    expect(oldPl.invite).toBe(50);
    expect(await errcodeOf(bob.client.sendTextMessage(oldRoom, 'still here?'))).toBe('M_FORBIDDEN');
    await bob.client.joinRoom(newRoom);
    await bob.client.sendTextMessage(newRoom, 'followed');
  });

  it('keeps the upgrading user in control when leaving v12', async () => {
    const { room_id } = await alice.client.createRoom({ room_version: '12', preset: Preset.PrivateChat, name: 'Back' });
    const { replacement_room } = await alice.client.upgradeRoom(room_id, '11');
    const pl = await alice.client.getStateEvent(replacement_room, 'm.room.power_levels', '');
    expect(pl.users[alice.userId]).toBe(100);
    expect((await alice.client.getStateEvent(replacement_room, 'm.room.create', '')).room_version).toBe('11');
    await alice.client.sendStateEvent(replacement_room, 'm.room.name' as never, { name: 'Still mine' } as never, '');
    // Non-members cannot upgrade.
    expect(await errcodeOf(carol.client.upgradeRoom(replacement_room, '12'))).toBe('M_FORBIDDEN');
  });

  it('upgrades a space and keeps its type', async () => {
    const { room_id } = await alice.client.createRoom({ creation_content: { type: 'm.space' }, name: 'Space' });
    const { replacement_room } = await alice.client.upgradeRoom(room_id, '12');
    expect((await alice.client.getStateEvent(replacement_room, 'm.room.create', '')).type).toBe('m.space');
  });
});
