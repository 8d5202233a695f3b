// Initial /sync for a user in 100 rooms of 50 messages each: p50 latency (target < 300 ms).
// Baseline: one SQL statement reading the same timelines (the newest 10 events of each room).
import pg from 'pg';
import { roomsOf } from '../../homeserver/dist/rooms/index.js';
import { benchServer } from './rooms-bench-support.js';
import { line, percentile, quickUsers } from './sync-bench-support.js';

const ROOMS = Number(process.env.BENCH_ROOMS ?? 100);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 50);
const RUNS = 15;

const { hs, dbUrl, close } = await benchServer(20);
let exitCode = 1;
try {
  const rooms = roomsOf(hs.context);
  const [owner, reader] = await quickUsers(hs, 'u', 2);
  const roomIds: string[] = [];
  for (let r = 0; r < ROOMS; r++) {
    const roomId = await rooms.createRoom(owner.userId, { preset: 'public_chat', name: `Room ${r}` });
    await rooms.join(reader.userId, roomId);
    roomIds.push(roomId);
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < roomIds.length) {
        const roomId = roomIds[next++];
        for (let m = 0; m < MESSAGES; m++) {
          await rooms.send({ userId: owner.userId, deviceId: owner.deviceId }, roomId, { type: 'm.room.message', content: { msgtype: 'm.text', body: `message ${m}` } });
        }
      }
    }),
  );
  const sync = async () => {
    const started = performance.now();
    const res = await fetch(`${hs.url}/_matrix/client/v3/sync`, { headers: { Authorization: `Bearer ${reader.token}` } });
    const body = (await res.json()) as { rooms: { join: Record<string, unknown> } };
    if (Object.keys(body.rooms.join).length !== ROOMS) throw new Error('initial sync is missing rooms');
    return performance.now() - started;
  };
  await sync();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await sync());

  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const baseline: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await client.query(
      `SELECT e.json FROM current_memberships m
         CROSS JOIN LATERAL (SELECT json FROM events WHERE room_nid = m.room_nid ORDER BY stream_ordering DESC LIMIT 10) e
        WHERE m.user_id = $1 AND m.membership = 'join'`,
      [reader.userId],
    );
    baseline.push(performance.now() - started);
  }
  await client.end();
  const p50 = percentile(times, 50);
  console.log(`initial sync of a user in ${ROOMS} rooms x ${MESSAGES} messages (${RUNS} runs)`);
  line('baseline: one SQL read of the timelines, p50 (ms)', percentile(baseline, 50).toFixed(1));
  line('initial /sync p50 / p99 (ms)', `${p50.toFixed(1)} / ${percentile(times, 99).toFixed(1)}`, 'p50 < 300', p50 < 300);
  line('initial /sync p50 / baseline p50', `${(p50 / percentile(baseline, 50)).toFixed(1)}x`);
  exitCode = p50 < 300 ? 0 : 1;
} finally {
  await close();
}
process.exit(exitCode);
