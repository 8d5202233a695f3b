// Bad input on the write paths: oversized events, invalid state keys, wrongly typed content of the
// state events the server interprets (power levels, join rules, ...), refused sends mixed into a
// group of concurrent sends. Each is answered with the spec's error and leaves nothing behind.
// https://spec.matrix.org/v1.19/client-server-api/#size-limits
// https://spec.matrix.org/v1.19/client-server-api/#mroompower_levels
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { registerUser, type TestUser } from '../support/users.js';

let hs: TestServer;
let alice: TestUser;
let bob: TestUser;
let mallory: TestUser;
let roomId: string;
const enc = encodeURIComponent;
const api = (u: TestUser) => client(hs.url, u.accessToken);
const statePath = (type: string, key = '') => `/_matrix/client/v3/rooms/${enc(roomId)}/state/${enc(type)}/${enc(key)}`;
let txn = 0;
const sendPath = (type = 'm.room.message') => `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/t${txn++}`;

/** Everything the room's writes touch: must not move when a write is refused. */
async function snapshot() {
  const db = hs.context.db;
  const [{ room_nid: room }] = await db('rooms').where({ room_id: roomId }).select('room_nid');
  const count = async (table: string, where: Record<string, unknown> = { room_nid: room }) => Number((await db(table).where(where).count({ n: '*' }))[0].n);
  return {
    events: await count('events'),
    edges: Number((await db('event_edges as g').join('events as e', 'e.stream_ordering', 'g.event_nid').where('e.room_nid', room).count({ n: '*' }))[0].n),
    stateGroups: await count('state_groups'),
    currentState: await db('current_state').where({ room_nid: room }).orderBy(['type', 'state_key']).select('type', 'state_key', 'event_nid'),
    memberships: await count('room_memberships'),
    extremities: await db('forward_extremities').where({ room_nid: room }).select('event_nid'),
    txnIds: Number((await db('event_txn_ids').count({ n: '*' }))[0].n),
  };
}

async function expectNothingLeft(before: Awaited<ReturnType<typeof snapshot>>): Promise<void> {
  expect(await snapshot()).toEqual(before);
  // No stream position of a refused event stays in flight (it would hold back every /sync).
  expect(await hs.context.db('stream_in_flight').select('stream_ordering')).toEqual([]);
}

beforeAll(async () => {
  hs = await startTestServer();
  [alice, bob, mallory] = await Promise.all(['alice', 'bob', 'mallory'].map((n) => registerUser(hs, n)));
  const created = await api(alice).post('/_matrix/client/v3/createRoom', { preset: 'public_chat', name: 'input' });
  roomId = created.body.room_id;
  expect((await api(bob).post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {})).status).toBe(200);
});
afterAll(async () => {
  await hs?.destroy();
});

describe('oversized events', () => {
  it('refuses events over 64 KiB with 413 M_TOO_LARGE, as messages and as state', async () => {
    const before = await snapshot();
    const big = 'x'.repeat(66_000);
    const message = await api(alice).put(sendPath(), { msgtype: 'm.text', body: big });
    expect([message.status, message.body.errcode]).toEqual([413, 'M_TOO_LARGE']);
    const state = await api(alice).put(statePath('org.parley.big', 'k'), { blob: big });
    expect([state.status, state.body.errcode]).toEqual([413, 'M_TOO_LARGE']);
    // Just under the limit once signed: accepted.
    const fits = await api(alice).put(sendPath(), { msgtype: 'm.text', body: 'y'.repeat(60_000) });
    expect(fits.status).toBe(200);
    const after = await snapshot();
    expect(after.events).toBe(before.events + 1);
    await expectNothingLeft(after);
  });
});

describe('state keys and event types', () => {
  it('refuses state keys and types over 255 bytes, and member events whose key is not a user id', async () => {
    const before = await snapshot();
    const longKey = await api(alice).put(statePath('org.parley.k', 'k'.repeat(256)), { a: 1 });
    expect([longKey.status, longKey.body.errcode]).toEqual([400, 'M_BAD_JSON']);
    const longMultibyte = await api(alice).put(statePath('org.parley.k', 'é'.repeat(128)), { a: 1 }); // 256 bytes
    expect(longMultibyte.body.errcode).toBe('M_BAD_JSON');
    const longType = await api(alice).put(statePath('t'.repeat(256), ''), { a: 1 });
    expect(longType.body.errcode).toBe('M_BAD_JSON');
    const notUser = await api(alice).put(statePath('m.room.member', 'not-a-user'), { membership: 'join' });
    expect(notUser.body.errcode).toBe('M_BAD_JSON');
    const badMembership = await api(alice).put(statePath('m.room.member', bob.userId), { membership: 'kick' });
    expect(badMembership.body.errcode).toBe('M_BAD_JSON');
    // 255 bytes is fine.
    expect((await api(alice).put(statePath('org.parley.k', 'é'.repeat(127) + 'k'), { a: 1 })).status).toBe(200);
    const after = await snapshot();
    expect(after.events).toBe(before.events + 1);
    await expectNothingLeft(after);
  });
});

describe('content of the state events the server interprets', () => {
  const badPowerLevels: Array<[string, Record<string, unknown>]> = [
    ['a string level', { users: { '@alice:localhost': '100' } }],
    ['a float level', { ban: 50.5 }],
    ['a level out of the integer range', { kick: 2 ** 60 }],
    ['users not an object', { users: ['@alice:localhost'] }],
    ['users keyed by a non user id', { users: { alice: 100 } }],
    ['events levels not integers', { events: { 'm.room.name': 'high' } }],
    ['a string default', { users_default: 'zero' }],
    ['notifications not integers', { notifications: { room: true } }],
  ];
  for (const [what, content] of badPowerLevels) {
    it(`refuses power levels with ${what} (M_BAD_JSON)`, async () => {
      const before = await snapshot();
      const res = await api(alice).put(statePath('m.room.power_levels'), { users: { [alice.userId]: 100 }, ...content });
      expect([res.status, res.body.errcode]).toEqual([400, 'M_BAD_JSON']);
      await expectNothingLeft(before);
    });
  }

  it('refuses join rules, history visibility and guest access of the wrong type or value (M_BAD_JSON)', async () => {
    const before = await snapshot();
    for (const [type, content] of [
      ['m.room.join_rules', { join_rule: 5 }],
      ['m.room.join_rules', { join_rule: 'everyone' }],
      ['m.room.join_rules', {}],
      ['m.room.history_visibility', { history_visibility: ['shared'] }],
      ['m.room.history_visibility', { history_visibility: 'nobody' }],
      ['m.room.guest_access', { guest_access: true }],
      ['m.room.name', { name: 42 }],
      ['m.room.topic', { topic: { text: 'x' } }],
    ] as const) {
      const res = await api(alice).put(statePath(type), content);
      expect([type, res.status, res.body.errcode]).toEqual([type, 400, 'M_BAD_JSON']);
    }
    await expectNothingLeft(before);
  });

  it('refuses well-formed changes the sender has no power for (M_FORBIDDEN)', async () => {
    const before = await snapshot();
    const raise = await api(bob).put(statePath('m.room.power_levels'), { users: { [alice.userId]: 100, [bob.userId]: 100 } });
    expect([raise.status, raise.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
    const rules = await api(bob).put(statePath('m.room.join_rules'), { join_rule: 'invite' });
    expect([rules.status, rules.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
    const create = await api(alice).put(statePath('m.room.create'), { room_version: '11' });
    expect(create.body.errcode).toBe('M_FORBIDDEN');
    const outsider = await api(mallory).put(sendPath(), { msgtype: 'm.text', body: 'let me in' });
    expect([outsider.status, outsider.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
    await expectNothingLeft(before);
  });

  it('refuses a createRoom whose initial state or power level override is malformed, creating nothing', async () => {
    const rooms = Number((await hs.context.db('rooms').count({ n: '*' }))[0].n);
    const events = Number((await hs.context.db('events').count({ n: '*' }))[0].n);
    const bad = [
      { initial_state: [{ type: 'm.room.join_rules', state_key: '', content: { join_rule: 7 } }] },
      { initial_state: [{ type: 'm.room.history_visibility', content: { history_visibility: 'sometimes' } }] },
      { power_level_content_override: { users_default: 1.5 } },
      { power_level_content_override: { users: { 'not a user': 50 } } },
    ];
    for (const body of bad) {
      const res = await api(alice).post('/_matrix/client/v3/createRoom', body);
      expect([JSON.stringify(body), res.status, res.body.errcode]).toEqual([JSON.stringify(body), 400, 'M_BAD_JSON']);
    }
    expect(Number((await hs.context.db('rooms').count({ n: '*' }))[0].n)).toBe(rooms);
    expect(Number((await hs.context.db('events').count({ n: '*' }))[0].n)).toBe(events);
  });

  it('refuses bodies that are not JSON objects', async () => {
    const before = await snapshot();
    const notJson = await api(alice).put(sendPath(), undefined, { rawBody: '{"msgtype":', headers: { 'Content-Type': 'application/json' } });
    expect([notJson.status, notJson.body.errcode]).toEqual([400, 'M_NOT_JSON']);
    // Valid JSON but not an object: refused as "not a JSON object" (M_NOT_JSON, as Synapse does).
    const array = await api(alice).put(sendPath(), [1, 2]);
    expect([array.status, array.body.errcode]).toEqual([400, 'M_NOT_JSON']);
    const badFloat = await api(alice).put(sendPath(), undefined, { rawBody: '{"msgtype":"m.text","body":"x","n":1.5}', headers: { 'Content-Type': 'application/json' } });
    expect([badFloat.status, badFloat.body.errcode]).toEqual([400, 'M_BAD_JSON']);
    await expectNothingLeft(before);
  });
});

describe('refusals among concurrent sends', () => {
  it('stores every accepted send of a group once, refuses the rest alone, and leaks no stream position', async () => {
    const before = await snapshot();
    const sends = [
      ...Array.from({ length: 12 }, (_, i) => api(i % 2 ? bob : alice).put(sendPath(), { msgtype: 'm.text', body: `group ${i}` })),
      ...Array.from({ length: 4 }, (_, i) => api(mallory).put(sendPath(), { msgtype: 'm.text', body: `outsider ${i}` })),
      ...Array.from({ length: 2 }, () => api(alice).put(sendPath(), { msgtype: 'm.text', body: 'z'.repeat(66_000) })),
    ];
    // The same transaction id twice at once: one event, both answered with it.
    const dupPath = sendPath();
    sends.push(api(alice).put(dupPath, { msgtype: 'm.text', body: 'twice' }), api(alice).put(dupPath, { msgtype: 'm.text', body: 'twice' }));
    const results = await Promise.all(sends);
    expect(results.slice(0, 12).map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(results.slice(12, 16).map((r) => r.body.errcode)).toEqual(Array(4).fill('M_FORBIDDEN'));
    expect(results.slice(16, 18).map((r) => r.body.errcode)).toEqual(['M_TOO_LARGE', 'M_TOO_LARGE']);
    const [a, b] = results.slice(18);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.event_id).toBe(b.body.event_id);

    const after = await snapshot();
    expect(after.events).toBe(before.events + 13);
    expect(after.extremities).toHaveLength(1);
    expect(await hs.context.db('stream_in_flight').select('stream_ordering')).toEqual([]);
    const page = await api(alice).get(`/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=20`);
    const bodies = page.body.chunk.map((e: any) => e.content.body);
    for (let i = 0; i < 12; i++) expect(bodies.filter((b: string) => b === `group ${i}`)).toHaveLength(1);
    expect(bodies.filter((b: string) => b === 'twice')).toHaveLength(1);
    expect(bodies.some((b: string) => b?.startsWith('outsider'))).toBe(false);
  });
});
