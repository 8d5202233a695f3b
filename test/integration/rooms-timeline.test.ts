// The timeline under load: parallel sends into one room, and paginating 1,000 messages both ways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Direction } from 'matrix-js-sdk';
import { startTestServer, type TestServer } from '../support/server.js';
import { client as raw } from '../support/http.js';
import { sdkUser, type RoomTestUser } from '../support/rooms.js';

let hs: TestServer;
let alice: RoomTestUser;

beforeAll(async () => {
  hs = await startTestServer({ database: { pool_max: 20 } });
  alice = await sdkUser(hs, 'alice');
});
afterAll(async () => {
  await hs?.destroy();
});

const enc = encodeURIComponent;

describe('timeline', () => {
  it('stores 100 parallel sends once each, in one stream order, and merges the DAG', async () => {
    const { room_id } = await alice.client.createRoom({});
    const api = raw(hs.url, alice.accessToken);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => api.put(`/_matrix/client/v3/rooms/${enc(room_id)}/send/m.room.message/p${i}`, { msgtype: 'm.text', body: `p${i}` })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const ids = new Set(results.map((r) => r.body.event_id));
    expect(ids.size).toBe(100);
    const db = hs.context.db;
    const room = await db('rooms').where({ room_id }).first();
    const rows = await db('events').where({ room_nid: room.room_nid, type: 'm.room.message' }).orderBy('stream_ordering').select('event_id', 'depth', 'stream_ordering');
    expect(rows.map((r) => r.event_id).sort()).toEqual([...ids].sort());
    // Serialized sends: depth follows stream order, one extremity.
    for (let i = 1; i < rows.length; i++) expect(rows[i].depth).toBeGreaterThan(rows[i - 1].depth);
    const extremities = await db('forward_extremities').where({ room_nid: room.room_nid });
    expect(extremities).toHaveLength(1);
    // A fork (as federation could make) is merged by the next event.
    const tip = extremities[0].event_nid;
    const older = rows[50].stream_ordering;
    await db('forward_extremities').insert({ room_nid: room.room_nid, event_nid: older });
    const merged = await api.put(`/_matrix/client/v3/rooms/${enc(room_id)}/send/m.room.message/merge`, { msgtype: 'm.text', body: 'merge' });
    const ev = await api.get(`/_matrix/client/v3/rooms/${enc(room_id)}/event/${enc(merged.body.event_id)}`);
    expect(ev.status).toBe(200);
    const edges = await db('event_edges').join('events', 'events.stream_ordering', 'event_edges.event_nid').where('events.event_id', merged.body.event_id).first('prev_nids');
    expect(edges.prev_nids.map(Number).sort()).toEqual([Number(older), Number(tip)].sort());
    expect(await db('forward_extremities').where({ room_nid: room.room_nid })).toHaveLength(1);
    const { maxSafeStreamOrdering } = await import('../../homeserver/src/rooms/stream.js');
    expect(await maxSafeStreamOrdering(db)).toBeGreaterThanOrEqual(Number(rows[rows.length - 1].stream_ordering));
  });

  it('paginates 1,000 messages backwards and forwards with no gap or duplicate', async () => {
    const { room_id } = await alice.client.createRoom({});
    const api = raw(hs.url, alice.accessToken);
    const sent: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const res = await Promise.all(
        Array.from({ length: 100 }, (_, i) => api.put(`/_matrix/client/v3/rooms/${enc(room_id)}/send/m.room.message/m${batch}_${i}`, { msgtype: 'm.text', body: `m${batch * 100 + i}` })),
      );
      sent.push(...res.map((r) => r.body.event_id));
    }
    const filter = JSON.stringify({ types: ['m.room.message'] });
    const back: string[] = [];
    let from: string | undefined;
    for (;;) {
      const page = await alice.client.createMessagesRequest(room_id, from ?? null, 73, Direction.Backward);
      back.push(...page.chunk.filter((e) => e.type === 'm.room.message').map((e) => e.event_id));
      if (!page.end || page.chunk.length === 0) break;
      from = page.end;
    }
    expect(back).toHaveLength(1000);
    expect(new Set(back).size).toBe(1000);
    expect(new Set(back)).toEqual(new Set(sent));
    const forward: string[] = [];
    let token: string | undefined;
    for (;;) {
      const res = await api.get(`/_matrix/client/v3/rooms/${enc(room_id)}/messages?dir=f&limit=97&filter=${enc(filter)}${token ? `&from=${enc(token)}` : ''}`);
      expect(res.status).toBe(200);
      forward.push(...res.body.chunk.map((e: { event_id: string }) => e.event_id));
      if (!res.body.end || res.body.chunk.length === 0) break;
      token = res.body.end;
    }
    expect(forward).toEqual([...back].reverse());
    // Turning around mid-way: the page after a backward page's end continues exactly.
    const first = await api.get(`/_matrix/client/v3/rooms/${enc(room_id)}/messages?dir=b&limit=10&filter=${enc(filter)}`);
    const again = await api.get(`/_matrix/client/v3/rooms/${enc(room_id)}/messages?dir=f&limit=10&filter=${enc(filter)}&from=${enc(first.body.end)}`);
    expect(again.body.chunk.map((e: { event_id: string }) => e.event_id)).toEqual(first.body.chunk.map((e: { event_id: string }) => e.event_id).reverse());
  }, 60_000);
});
