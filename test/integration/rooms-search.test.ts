// Server side search through matrix-js-sdk and raw requests: full text over bodies, names and
// topics, ordering, pagination, context, state, groupings, and what a user may find.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Preset } from 'matrix-js-sdk';
import { startTestServer, type TestServer } from '../support/server.js';
import { client as raw } from '../support/http.js';
import { sdkUser, type RoomTestUser } from '../support/rooms.js';

let hs: TestServer;
let alice: RoomTestUser;
let bob: RoomTestUser;
let carol: RoomTestUser;
let roomA: string;
let roomB: string;

const search = (user: RoomTestUser, roomEvents: object, nextBatch?: string) =>
  raw(hs.url, user.accessToken).post(`/_matrix/client/v3/search${nextBatch ? `?next_batch=${encodeURIComponent(nextBatch)}` : ''}`, { search_categories: { room_events: roomEvents } });
const ids = (r: any): string[] => r.body.search_categories.room_events.results.map((x: any) => x.result.event_id);

beforeAll(async () => {
  hs = await startTestServer();
  [alice, bob, carol] = await Promise.all([sdkUser(hs, 'alice', { displayname: 'Alice' }), sdkUser(hs, 'bob'), sdkUser(hs, 'carol')]);
  ({ room_id: roomA } = await alice.client.createRoom({ preset: Preset.PublicChat, name: 'Llama farm', topic: 'Everything about llamas' }));
  ({ room_id: roomB } = await alice.client.createRoom({ preset: Preset.PrivateChat, name: 'Private' }));
  await bob.client.joinRoom(roomA);
});
afterAll(async () => {
  await hs?.destroy();
});

describe('search', () => {
  it('finds messages, names and topics with js-sdk, and orders by recent or rank', async () => {
    const first = await alice.client.sendTextMessage(roomA, 'The llama ate my homework');
    await alice.client.sendTextMessage(roomA, 'unrelated chatter');
    const second = await bob.client.sendTextMessage(roomA, 'llama llama llama, said the baby llama');
    const res = await alice.client.searchRoomEvents({ term: 'llama' });
    const found = res.results.map((r) => r.context.getEvent().getId());
    expect(found).toContain(first.event_id);
    expect(found).toContain(second.event_id);
    expect(res.count).toBe(4); // two messages, the name and the topic
    expect(res.highlights).toContain('llama');

    const recent = await search(alice, { search_term: 'llama', order_by: 'recent', keys: ['content.body'] });
    expect(ids(recent)).toEqual([second.event_id, first.event_id]);
    const ranked = await search(alice, { search_term: 'llama', order_by: 'rank', keys: ['content.body'] });
    expect(ids(ranked)[0]).toBe(second.event_id);
    const results = ranked.body.search_categories.room_events.results;
    expect(results[0].rank).toBeGreaterThan(results[1].rank);

    // Prefix matching, several words ANDed, names and topics by key.
    expect(ids(await search(alice, { search_term: 'home', keys: ['content.body'] }))).toEqual([first.event_id]);
    expect(ids(await search(alice, { search_term: 'llama homework' }))).toEqual([first.event_id]);
    const names = await search(alice, { search_term: 'llama', keys: ['content.name'] });
    expect(names.body.search_categories.room_events.results.map((r: any) => r.result.type)).toEqual(['m.room.name']);
    const topics = await search(alice, { search_term: 'everything', keys: ['content.topic'] });
    expect(topics.body.search_categories.room_events.results.map((r: any) => r.result.type)).toEqual(['m.room.topic']);
    expect(ids(await search(alice, { search_term: '!!!' }))).toEqual([]);
  });

  it('paginates with next_batch in both orders without gaps or duplicates', async () => {
    const { room_id } = await alice.client.createRoom({});
    const sent: string[] = [];
    for (let i = 0; i < 12; i++) sent.push((await alice.client.sendTextMessage(room_id, `paging marmot ${'marmot '.repeat(i % 4)}${i}`)).event_id);
    for (const order_by of ['recent', 'rank']) {
      const seen: string[] = [];
      let next: string | undefined;
      for (let page = 0; page < 10; page++) {
        const r = await search(alice, { search_term: 'marmot', order_by, filter: { limit: 5, rooms: [room_id] } }, next);
        expect(r.status).toBe(200);
        seen.push(...ids(r));
        next = r.body.search_categories.room_events.next_batch;
        if (!next) break;
      }
      expect(seen.length).toBe(12);
      expect(new Set(seen)).toEqual(new Set(sent));
      if (order_by === 'recent') expect(seen).toEqual([...sent].reverse());
    }
    const bad = await search(alice, { search_term: 'marmot' }, 'garbage');
    expect(bad.body.errcode).toBe('M_INVALID_PARAM');
  });

  it('returns context, profiles, state and groupings, and honours room filters', async () => {
    const { room_id } = await alice.client.createRoom({ name: 'Context room' });
    await alice.client.sendTextMessage(room_id, 'before one');
    await alice.client.sendTextMessage(room_id, 'before two');
    const hit = await alice.client.sendTextMessage(room_id, 'the wombat arrives');
    await alice.client.sendTextMessage(room_id, 'after one');
    await alice.client.sendTextMessage(roomA, 'a wombat elsewhere');
    const r = await search(alice, {
      search_term: 'wombat',
      order_by: 'recent',
      filter: { rooms: [room_id] },
      event_context: { before_limit: 2, after_limit: 1, include_profile: true },
      include_state: true,
      groupings: { group_by: [{ key: 'room_id' }, { key: 'sender' }] },
    });
    const cat = r.body.search_categories.room_events;
    expect(ids(r)).toEqual([hit.event_id]);
    const ctx = cat.results[0].context;
    expect(ctx.events_before.map((e: any) => e.content.body)).toEqual(['before two', 'before one']);
    expect(ctx.events_after.map((e: any) => e.content.body)).toEqual(['after one']);
    expect(ctx.profile_info[alice.userId]).toEqual({ displayname: 'Alice' });
    expect(typeof ctx.start).toBe('string');
    expect(cat.state[room_id].some((e: any) => e.type === 'm.room.name')).toBe(true);
    expect(cat.groups.room_id[room_id].results).toEqual([hit.event_id]);
    expect(cat.groups.sender[alice.userId].results).toEqual([hit.event_id]);
    const notRooms = await search(alice, { search_term: 'wombat', filter: { not_rooms: [room_id] } });
    expect(ids(notRooms).length).toBe(1);
    const bySender = await search(alice, { search_term: 'wombat', filter: { senders: [bob.userId] } });
    expect(ids(bySender)).toEqual([]);
  });

  it('only finds what the user may see', async () => {
    const secret = await alice.client.sendTextMessage(roomB, 'capybara secret plans');
    const pub = await alice.client.sendTextMessage(roomA, 'capybara public news');
    expect(ids(await search(bob, { search_term: 'capybara' }))).toEqual([pub.event_id]);
    expect(ids(await search(carol, { search_term: 'capybara' }))).toEqual([]);
    // Explicitly asking for a room one is not in finds nothing.
    expect(ids(await search(carol, { search_term: 'capybara', filter: { rooms: [roomB] } }))).toEqual([]);
    // History visibility: carol joins a `joined` room late and sees only what came after.
    const { room_id } = await alice.client.createRoom({ preset: Preset.PublicChat, initial_state: [{ type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'joined' } }] });
    const early = await alice.client.sendTextMessage(room_id, 'capybara before carol');
    await carol.client.joinRoom(room_id);
    const late = await alice.client.sendTextMessage(room_id, 'capybara after carol');
    expect(ids(await search(carol, { search_term: 'capybara' }))).toEqual([late.event_id]);
    // After leaving, later messages are out of reach.
    await carol.client.leave(room_id);
    await alice.client.sendTextMessage(room_id, 'capybara once carol left');
    expect(ids(await search(carol, { search_term: 'capybara' }))).toEqual([late.event_id]);
    void secret;
    void early;
  });
});
