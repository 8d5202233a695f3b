// Two Parley processes on one database sending into the same room at once. Each process writes
// on the tip it last wrote without reading it first; the extremity check in the write statement
// must turn every collision into a retry, never into a lost event or a fork.
// docs/storage.md, "Writing events".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { registerUser, type TestUser } from '../support/users.js';

let a: TestServer;
let b: TestServer;
let users: TestUser[];
const enc = encodeURIComponent;

beforeAll(async () => {
  a = await startTestServer();
  b = await startTestServer({}, { shareWith: a });
  users = await Promise.all(['u0', 'u1', 'u2', 'u3'].map((n) => registerUser(a, n)));
});
afterAll(async () => {
  await b?.destroy();
  await a?.destroy();
});

describe('sends to one room from two processes', () => {
  it('stores every send once, in one chain, with one forward extremity', async () => {
    const created = await client(a.url, users[0].accessToken).post('/_matrix/client/v3/createRoom', { preset: 'public_chat' });
    const roomId: string = created.body.room_id;
    for (const u of users.slice(1)) expect((await client(b.url, u.accessToken).post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {})).status).toBe(200);

    // Every user sends through both processes, alternating, with several sends in flight at once.
    const PER_USER = 30;
    const results = await Promise.all(
      users.flatMap((u, i) =>
        [0, 1].map(async (lane) => {
          const out: string[] = [];
          for (let n = lane; n < PER_USER; n += 2) {
            const server = (n + i) % 2 ? b : a;
            const res = await client(server.url, u.accessToken).put(`/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/x${n}`, { msgtype: 'm.text', body: `${u.userId} ${n}` });
            expect(res.status, JSON.stringify(res.body)).toBe(200);
            out.push(res.body.event_id);
          }
          return out;
        }),
      ),
    );
    const sent = results.flat();
    expect(new Set(sent).size).toBe(users.length * PER_USER);

    const db = a.context.db;
    const [{ room_nid: room }] = await db('rooms').where({ room_id: roomId }).select('room_nid');
    const rows = await db('events as e')
      .join('event_edges as g', 'g.event_nid', 'e.stream_ordering')
      .where('e.room_nid', room)
      .orderBy('e.stream_ordering')
      .select('e.stream_ordering', 'e.event_id', 'e.depth', 'g.prev_nids');
    const ids = rows.map((r) => r.event_id);
    for (const id of sent) expect(ids.filter((x) => x === id)).toHaveLength(1);
    // One chain: each event cites exactly the one before it, depths rise by one, and stream
    // order is the chain's order.
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].prev_nids.map(Number)).toEqual([Number(rows[i - 1].stream_ordering)]);
      expect(Number(rows[i].depth)).toBe(Number(rows[i - 1].depth) + 1);
    }
    expect((await db('forward_extremities').where({ room_nid: room })).map((r) => Number(r.event_nid))).toEqual([Number(rows[rows.length - 1].stream_ordering)]);
    expect(await db('stream_in_flight').select('stream_ordering')).toEqual([]);

    // Both processes keep writing on the right tip afterwards.
    for (const server of [a, b, a]) {
      const res = await client(server.url, users[0].accessToken).put(`/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/after-${server === a ? 'a' : 'b'}-${Date.now()}`, { msgtype: 'm.text', body: 'after' });
      expect(res.status).toBe(200);
    }
    expect(await db('forward_extremities').where({ room_nid: room })).toHaveLength(1);
  }, 60_000);
});
