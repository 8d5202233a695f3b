// Aliases, m.room.canonical_alias rules, directory visibility and publicRooms, through matrix-js-sdk.
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

describe('aliases', () => {
  it('creates, resolves, lists and deletes aliases', async () => {
    const { room_id } = await alice.client.createRoom({ preset: Preset.PublicChat, room_alias_name: 'main' });
    await alice.client.createAlias('#second:localhost', room_id);
    expect(await alice.client.getRoomIdForAlias('#second:localhost')).toEqual({ room_id, servers: ['localhost'] });
    // Anyone may resolve, without a token.
    const anon = await raw(hs.url).get(`/_matrix/client/v3/directory/room/${enc('#main:localhost')}`);
    expect(anon.body.room_id).toBe(room_id);
    expect((await alice.client.getLocalAliases(room_id)).aliases).toEqual(['#main:localhost', '#second:localhost']);
    expect(await errcodeOf(alice.client.createAlias('#second:localhost', room_id))).toBe('M_UNKNOWN');
    const dup = await raw(hs.url, alice.accessToken).put(`/_matrix/client/v3/directory/room/${enc('#second:localhost')}`, { room_id });
    expect(dup.status).toBe(409);
    // Joining by the new alias works.
    await bob.client.joinRoom('#second:localhost');
    await alice.client.deleteAlias('#second:localhost');
    expect(await errcodeOf(alice.client.getRoomIdForAlias('#second:localhost'))).toBe('M_NOT_FOUND');
    expect(await errcodeOf(alice.client.deleteAlias('#second:localhost'))).toBe('M_NOT_FOUND');
  });

  it('lets the creator or a room admin delete an alias, nobody else', async () => {
    const { room_id } = await alice.client.createRoom({ preset: Preset.PublicChat });
    await bob.client.joinRoom(room_id);
    await carol.client.joinRoom(room_id);
    await bob.client.createAlias('#bobs:localhost', room_id);
    await bob.client.createAlias('#bobs2:localhost', room_id);
    expect(await errcodeOf(carol.client.deleteAlias('#bobs:localhost'))).toBe('M_FORBIDDEN');
    await bob.client.deleteAlias('#bobs:localhost');
    await alice.client.deleteAlias('#bobs2:localhost');
    expect((await alice.client.getLocalAliases(room_id)).aliases).toEqual([]);
  });

  it('refuses bad aliases, other servers, unknown rooms and non-members', async () => {
    const { room_id } = await alice.client.createRoom({});
    const api = raw(hs.url, alice.accessToken);
    expect((await api.put(`/_matrix/client/v3/directory/room/${enc('no-hash:localhost')}`, { room_id })).body.errcode).toBe('M_INVALID_PARAM');
    expect((await api.put(`/_matrix/client/v3/directory/room/${enc('#x:elsewhere.example')}`, { room_id })).body.errcode).toBe('M_INVALID_PARAM');
    expect((await api.put(`/_matrix/client/v3/directory/room/${enc('#x:localhost')}`, { room_id: '!unknown:localhost' })).status).toBe(404);
    expect((await api.get(`/_matrix/client/v3/directory/room/${enc('bad')}`)).body.errcode).toBe('M_INVALID_PARAM');
    expect(await errcodeOf(carol.client.createAlias('#carol:localhost', room_id))).toBe('M_FORBIDDEN');
    const list = await raw(hs.url, carol.accessToken).get(`/_matrix/client/v3/rooms/${enc(room_id)}/aliases`);
    expect([list.status, list.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
  });

  it('enforces m.room.canonical_alias rules and follows alias deletion', async () => {
    const { room_id } = await alice.client.createRoom({ preset: Preset.PublicChat, room_alias_name: 'canon' });
    const { room_id: other } = await alice.client.createRoom({ room_alias_name: 'elsewhere' });
    await alice.client.createAlias('#alt:localhost', room_id);
    const set = (content: object) => alice.client.sendStateEvent(room_id, 'm.room.canonical_alias' as never, content as never, '');
    await set({ alias: '#canon:localhost', alt_aliases: ['#alt:localhost'] });
    expect(await errcodeOf(set({ alias: '#canon:localhost', alt_aliases: ['#missing:localhost'] }))).toBe('M_BAD_ALIAS');
    expect(await errcodeOf(set({ alias: '#elsewhere:localhost' }))).toBe('M_BAD_ALIAS');
    expect(await errcodeOf(set({ alias: 'not an alias' }))).toBe('M_INVALID_PARAM');
    void other;
    await alice.client.deleteAlias('#alt:localhost');
    expect(await alice.client.getStateEvent(room_id, 'm.room.canonical_alias', '')).toEqual({ alias: '#canon:localhost', alt_aliases: [] });
  });
});

describe('published room directory', () => {
  it('publishes rooms and lists them with filters and pagination', async () => {
    const server = await startTestServer();
    try {
      const [ann, ben, cat] = await Promise.all(['ann', 'ben', 'cat'].map((n) => sdkUser(server, n)));
      const big = await ann.client.createRoom({ visibility: Visibility.Public, preset: Preset.PublicChat, name: 'Gardening', topic: 'Tomatoes and roses', room_alias_name: 'garden' });
      await ben.client.joinRoom(big.room_id);
      await cat.client.joinRoom(big.room_id);
      const mid = await ann.client.createRoom({ visibility: Visibility.Public, preset: Preset.PublicChat, name: 'Cooking' });
      await ben.client.joinRoom(mid.room_id);
      const space = await ann.client.createRoom({
        visibility: Visibility.Public,
        preset: Preset.PublicChat,
        name: 'Hobbies space',
        creation_content: { type: 'm.space' },
        initial_state: [
          { type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'world_readable' } },
          { type: 'm.room.avatar', state_key: '', content: { url: 'mxc://localhost/avatar' } },
          { type: 'm.room.guest_access', state_key: '', content: { guest_access: 'can_join' } },
        ],
      });
      const hidden = await ann.client.createRoom({ preset: Preset.PublicChat, name: 'Unlisted' });

      const all = await raw(server.url).get('/_matrix/client/v3/publicRooms');
      expect(all.status).toBe(200);
      expect(all.body.chunk.map((r: any) => r.room_id)).toEqual([big.room_id, mid.room_id, space.room_id]);
      expect(all.body.total_room_count_estimate).toBe(3);
      expect(all.body.chunk[0]).toEqual({
        room_id: big.room_id,
        name: 'Gardening',
        topic: 'Tomatoes and roses',
        canonical_alias: '#garden:localhost',
        num_joined_members: 3,
        world_readable: false,
        guest_can_join: false,
        join_rule: 'public',
      });
      expect(all.body.chunk[2]).toMatchObject({ room_type: 'm.space', world_readable: true, guest_can_join: true, avatar_url: 'mxc://localhost/avatar' });

      const p1 = await ann.client.publicRooms({ limit: 2 });
      expect(p1.chunk.map((r) => r.room_id)).toEqual([big.room_id, mid.room_id]);
      expect(p1.prev_batch).toBeUndefined();
      const p2 = await ann.client.publicRooms({ limit: 2, since: p1.next_batch });
      expect(p2.chunk.map((r) => r.room_id)).toEqual([space.room_id]);
      expect(p2.next_batch).toBeUndefined();
      expect(p2.prev_batch).toBeDefined();

      const search = await ann.client.publicRooms({ filter: { generic_search_term: 'tomato' } });
      expect(search.chunk.map((r) => r.room_id)).toEqual([big.room_id]);
      const byAlias = await ann.client.publicRooms({ filter: { generic_search_term: 'garden:local' } });
      expect(byAlias.chunk.map((r) => r.room_id)).toEqual([big.room_id]);
      const spaces = await ann.client.publicRooms({ filter: { room_types: ['m.space'] } as never });
      expect(spaces.chunk.map((r) => r.room_id)).toEqual([space.room_id]);
      const plain = await raw(server.url, ann.accessToken).post('/_matrix/client/v3/publicRooms', { filter: { room_types: [null] } });
      expect(plain.body.chunk.map((r: any) => r.room_id)).toEqual([big.room_id, mid.room_id]);

      // Visibility: read by anyone, changed by room admins only.
      expect(await ann.client.getRoomDirectoryVisibility(hidden.room_id)).toEqual({ visibility: 'private' });
      await ben.client.joinRoom(hidden.room_id);
      expect(await errcodeOf(ben.client.setRoomDirectoryVisibility(hidden.room_id, Visibility.Public))).toBe('M_FORBIDDEN');
      await ann.client.setRoomDirectoryVisibility(hidden.room_id, Visibility.Public);
      expect((await raw(server.url).get(`/_matrix/client/v3/directory/list/room/${enc(hidden.room_id)}`)).body).toEqual({ visibility: 'public' });
      expect((await ann.client.publicRooms({})).chunk.map((r) => r.room_id)).toContain(hidden.room_id);
      await ann.client.setRoomDirectoryVisibility(big.room_id, Visibility.Private);
      expect((await ann.client.publicRooms({})).chunk.map((r) => r.room_id)).not.toContain(big.room_id);
      expect((await raw(server.url).get(`/_matrix/client/v3/directory/list/room/${enc('!unknown:localhost')}`)).status).toBe(404);
      expect((await raw(server.url).get('/_matrix/client/v3/publicRooms?since=garbage')).body.errcode).toBe('M_INVALID_PARAM');
      expect((await raw(server.url, ann.accessToken).post('/_matrix/client/v3/publicRooms', {})).status).toBe(200);
      expect((await raw(server.url).post('/_matrix/client/v3/publicRooms', {})).status).toBe(401);
    } finally {
      await server.destroy();
    }
  });
});
