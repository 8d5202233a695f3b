// Send throughput: events/s accepted by PUT /send with 50 concurrent clients over 10 rooms, against
// raw INSERTs of the same event rows (one statement each, same concurrency) into the same database.
// Target: at least 0.25x.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { roomsOf } from '../../homeserver/src/rooms/index.js';
import { benchServer, benchUser, fmt } from './rooms-bench-support.js';

const CLIENT_LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, jobs, tag, sends } = workerData;
(async () => {
  const start = performance.now();
  await Promise.all(jobs.map(async (j) => {
    for (let n = 0; n < sends; n++) {
      const res = await fetch(url + '/_matrix/client/v3/rooms/' + encodeURIComponent(j.roomId) + '/send/m.room.message/' + tag + '-' + n, {
        method: 'PUT', headers: { Authorization: 'Bearer ' + j.token, 'Content-Type': 'application/json' },
        body: JSON.stringify({ msgtype: 'm.text', body: 'message ' + n + ' from ' + j.userId }),
      });
      if (res.status !== 200) throw new Error('send failed: ' + res.status + ' ' + (await res.text()));
      await res.arrayBuffer().catch(() => {});
    }
  }));
  parentPort.postMessage(performance.now() - start);
})();
`;

const CLIENTS = 50;
const ROOMS = 10;
const SENDS_PER_CLIENT = Number(process.env.BENCH_SENDS ?? 40);

const { hs, dbUrl, close } = await benchServer(30);
try {
  const rooms = roomsOf(hs.context);
  const users = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => benchUser(hs, `sender${i}`)));
  const roomIds: string[] = [];
  for (let r = 0; r < ROOMS; r++) {
    const members = users.filter((_, i) => i % ROOMS === r);
    const roomId = await rooms.createRoom(members[0].userId, { preset: 'public_chat' });
    for (const m of members.slice(1)) await rooms.join(m.userId, roomId);
    roomIds.push(roomId);
  }
  // The 50 clients run in a worker thread, so the server's event loop has this thread to itself.
  const run = async (tag: string) => {
    const jobs = users.map((u, i) => ({ token: u.token, roomId: roomIds[i % ROOMS], userId: u.userId }));
    const worker = new Worker(CLIENT_LOOP, { eval: true, workerData: { url: hs.url, jobs, tag, sends: SENDS_PER_CLIENT } });
    const [elapsed] = (await once(worker, 'message')) as [number];
    await worker.terminate();
    return (CLIENTS * SENDS_PER_CLIENT * 1000) / elapsed;
  };
  await run('warmup');
  const sendRate = await run('measured');

  // Baseline: the same rows, inserted one by one with 50 connections into a copy of the table.
  const pool = new pg.Pool({ connectionString: dbUrl, max: CLIENTS });
  await pool.query('CREATE TABLE events_baseline (LIKE events INCLUDING ALL)');
  const { rows } = await pool.query(`SELECT * FROM events WHERE type = 'm.room.message' ORDER BY stream_ordering DESC LIMIT ${CLIENTS * SENDS_PER_CLIENT}`);
  const cols = Object.keys(rows[0]);
  const sql = `INSERT INTO events_baseline (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < rows.length) {
        const row = rows[next++];
        await pool.query(sql, cols.map((c) => row[c]));
      }
    }),
  );
  const insertRate = (rows.length * 1000) / (performance.now() - start);
  await pool.end();

  const ratio = sendRate / insertRate;
  console.log(`send: ${fmt(sendRate)} events/s (${CLIENTS} clients, ${ROOMS} rooms, ${CLIENTS * SENDS_PER_CLIENT} sends)`);
  console.log(`raw INSERT baseline: ${fmt(insertRate)} rows/s`);
  const ok = ratio >= 0.25;
  console.log(`${ok ? 'ok  ' : 'MISS'} send / raw insert: ${fmt(ratio, 3)}x (target >= 0.25x)`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await close();
}
