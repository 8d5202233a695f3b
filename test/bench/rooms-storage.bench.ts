// Storage and /messages on big rooms, filled in bulk through the storage layer (sendBatch, quiet:
// imported history notifies nobody, so no push evaluation runs behind the measurements):
//  - a room with 5,000 members and 50,000 messages: database bytes for the room against the sum of
//    its events' JSON bytes (target <= 2.0x), with the state tables' share;
//  - GET /messages limit 50 on a room of 100,000 events: p50 / p99 (target p99 < 20 ms).
import pg from 'pg';
import { roomsOf } from '../../homeserver/dist/rooms/index.js';
import { benchServer, benchUser, fmt, percentile } from './rooms-bench-support.js';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 5000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 50_000);
const TIMELINE = Number(process.env.BENCH_TIMELINE ?? 100_000);

const { hs, dbUrl, close } = await benchServer(10);
let ok = true;
try {
  const rooms = roomsOf(hs.context);
  const owner = await benchUser(hs, 'owner');
  const roomId = await rooms.createRoom(owner.userId, { preset: 'public_chat' });
  const members = Array.from({ length: MEMBERS }, (_, i) => `@member${i}:bench.local`);
  for (let i = 0; i < members.length; i += 1000) {
    await rooms.pipeline.sendBatch(roomId, members.slice(i, i + 1000).map((m) => ({ type: 'm.room.member', state_key: m, sender: m, content: { membership: 'join', displayname: m.slice(1, m.indexOf(':')) } })), { quiet: true });
  }
  for (let i = 0; i < MESSAGES; i += 2000) {
    await rooms.pipeline.sendBatch(roomId, Array.from({ length: Math.min(2000, MESSAGES - i) }, (_, k) => ({ type: 'm.room.message', sender: members[(i + k) % MEMBERS], content: { msgtype: 'm.text', body: `message number ${i + k} in the storage benchmark` } })), { quiet: true });
  }
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const jsonBytes = Number((await c.query(`SELECT sum(octet_length(json)) AS b FROM events`)).rows[0].b);
  const tables = ['events', 'event_edges', 'forward_extremities', 'state_groups', 'current_state', 'room_memberships', 'current_memberships', 'event_relations', 'rooms'];
  const sizes: Record<string, number> = {};
  for (const t of tables) sizes[t] = Number((await c.query(`SELECT pg_total_relation_size($1) AS b`, [t])).rows[0].b);
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  const stateBytes = sizes.state_groups + sizes.current_state + sizes.room_memberships + sizes.current_memberships;
  console.log(`room: ${fmt(MEMBERS)} members, ${fmt(MESSAGES)} messages; event JSON ${fmt(jsonBytes / 1e6, 1)} MB`);
  for (const t of tables) console.log(`  ${t.padEnd(20)} ${fmt(sizes[t] / 1e6, 2)} MB`);
  const parts = await c.query(
    `SELECT c.relname, pg_relation_size(c.oid) AS b FROM pg_class c
      WHERE c.oid = 'events'::regclass OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'events'::regclass) ORDER BY 2 DESC`,
  );
  console.log(`  events: ${parts.rows.map((r) => `${r.relname} ${fmt(Number(r.b) / 1e6, 2)}`).join(', ')} MB`);
  const ratio = total / jsonBytes;
  console.log(`state tables: ${fmt(stateBytes / 1e6, 2)} MB (${fmt((100 * stateBytes) / total, 1)}% of the room's bytes)`);
  const storageOk = ratio <= 2.0;
  console.log(`${storageOk ? 'ok  ' : 'MISS'} room bytes / event JSON bytes: ${fmt(ratio, 2)}x (target <= 2.0x)`);
  ok &&= storageOk;
  await c.end();

  // /messages on a 100,000-event room.
  const reader = await benchUser(hs, 'reader');
  const big = await rooms.createRoom(reader.userId, {});
  for (let i = 0; i < TIMELINE; i += 2000) {
    await rooms.pipeline.sendBatch(big, Array.from({ length: 2000 }, (_, k) => ({ type: 'm.room.message', sender: reader.userId, content: { msgtype: 'm.text', body: `timeline ${i + k}` } })), { quiet: true });
  }
  const latencies: number[] = [];
  let from: string | undefined;
  for (let i = 0; i < 400; i++) {
    const start = performance.now();
    const res = await fetch(`${hs.url}/_matrix/client/v3/rooms/${encodeURIComponent(big)}/messages?dir=b&limit=50${from ? `&from=${from}` : ''}`, { headers: { Authorization: `Bearer ${reader.token}` } });
    const body = (await res.json()) as { end?: string; chunk: unknown[] };
    if (i >= 20) latencies.push(performance.now() - start);
    if (res.status !== 200 || body.chunk.length !== 50) throw new Error(`unexpected /messages answer ${res.status}`);
    from = i % 100 === 99 ? undefined : body.end;
  }
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const messagesOk = p99 < 20;
  console.log(`/messages limit 50 on ${fmt(TIMELINE)} events: p50 ${fmt(p50, 2)} ms, p99 ${fmt(p99, 2)} ms`);
  console.log(`${messagesOk ? 'ok  ' : 'MISS'} /messages p99: ${fmt(p99, 2)} ms (target < 20 ms)`);
  ok &&= messagesOk;
} finally {
  await close();
}
process.exitCode = ok ? 0 : 1;
