// Send throughput: events/s accepted by PUT /send with 50 concurrent clients over 10 rooms, against
// raw INSERTs of the same rows into the same database in the same run, at the same concurrency.
// Target: at least 0.25x.
//
// "The same rows": what a send stores for its event, the events row, its event_edges row and its
// event_txn_ids row, copied from the measured sends and inserted into copies of those tables
// (same columns and indexes) by one statement per event, the cheapest way to write them.
// The ratio against the events row alone is printed too.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { roomsOf } from '../../homeserver/dist/rooms/index.js';
import { benchServer, benchUser, fmt } from './rooms-bench-support.js';

// node:http with a keep-alive agent: fetch (undici) costs the load generator about as much CPU per
// request as the server spends on the send, and here both share the same two cores.
const CLIENT_LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, jobs, tag, sends } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: jobs.length });
const put = (path, token, body) => new Promise((resolve, reject) => {
  const req = http.request(url + path, { method: 'PUT', agent, headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => res.statusCode === 200 ? resolve() : reject(new Error('send failed: ' + res.statusCode + ' ' + Buffer.concat(chunks))));
  });
  req.on('error', reject);
  req.end(body);
});
(async () => {
  const start = performance.now();
  await Promise.all(jobs.map(async (j) => {
    for (let n = 0; n < sends; n++) {
      await put('/_matrix/client/v3/rooms/' + encodeURIComponent(j.roomId) + '/send/m.room.message/' + tag + '-' + n, j.token,
        JSON.stringify({ msgtype: 'm.text', body: 'message ' + n + ' from ' + j.userId }));
    }
  }));
  agent.destroy();
  parentPort.postMessage(performance.now() - start);
})().catch((err) => parentPort.postMessage(String(err)));
`;

const CLIENTS = 50;
const ROOMS = 10;
const SENDS_PER_CLIENT = Number(process.env.BENCH_SENDS ?? 40);

/** Waits (up to a minute) until the server has room for `n` more connections: other runs share it. */
async function connectionsFree(dbUrl: string, n: number): Promise<void> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      const { rows } = await c.query(`SELECT current_setting('max_connections')::int - (SELECT count(*) FROM pg_stat_activity)::int AS free`);
      if (rows[0].free >= n) return;
    }
  } finally {
    await c.end();
  }
}

/** Inserts `rows` (one list of [table, row] per event) with `CLIENTS` connections; rows/s. */
async function rawInserts(dbUrl: string, events: Array<Array<[string, Record<string, unknown>]>>): Promise<number> {
  await connectionsFree(dbUrl, CLIENTS + 5);
  const pool = new pg.Pool({ connectionString: dbUrl, max: CLIENTS });
  pool.on('error', () => {});
  try {
    const statements = events.map((tables) => {
      const values: unknown[] = [];
      const parts = tables.map(([table, row], i) => {
        const cols = Object.keys(row);
        const params = cols.map((c) => `$${values.push(row[c])}`);
        return `w${i} AS (INSERT INTO ${table} (${cols.join(', ')}) VALUES (${params.join(', ')}))`;
      });
      return { text: `WITH ${parts.join(', ')} SELECT 1`, values };
    });
    await Promise.all(Array.from({ length: CLIENTS }, () => pool.query('SELECT 1')));
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < statements.length) await pool.query(statements[next++]);
      }),
    );
    return (statements.length * 1000) / (performance.now() - start);
  } finally {
    await pool.end();
  }
}

// The machine's load moves while the benchmark runs: sends and baselines alternate, ROUNDS times,
// and the ratio is the median of the rounds' ratios.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const { hs, dbUrl, close } = await benchServer(20);
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
    const [elapsed] = (await once(worker, 'message')) as [number | string];
    await worker.terminate();
    if (typeof elapsed === 'string') throw new Error(elapsed);
    return (CLIENTS * SENDS_PER_CLIENT * 1000) / elapsed;
  };
  await run('warmup');

  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const tables = ['events', 'event_edges', 'event_txn_ids'];
  for (const t of tables) await c.query(`CREATE TABLE ${t}_baseline (LIKE ${t} INCLUDING ALL)`);
  /** The rows the last `CLIENTS * SENDS_PER_CLIENT` sends stored, per event. */
  const storedRows = async () => {
    const { rows: sent } = await c.query(
      `SELECT stream_ordering FROM events WHERE type = 'm.room.message' ORDER BY stream_ordering DESC LIMIT ${CLIENTS * SENDS_PER_CLIENT}`,
    );
    const nids = sent.map((r) => r.stream_ordering);
    const byNid = async (table: string, col: string) =>
      new Map((await c.query(`SELECT * FROM ${table} WHERE ${col} = ANY($1::bigint[])`, [nids])).rows.map((r) => [String(r[col]), r]));
    const events = await byNid('events', 'stream_ordering');
    const edges = await byNid('event_edges', 'event_nid');
    const txns = await byNid('event_txn_ids', 'event_nid');
    return nids.map((n) => ({ event: events.get(String(n))!, edge: edges.get(String(n))!, txn: txns.get(String(n))! }));
  };

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rounds: Array<{ send: number; sameRows: number; eventsOnly: number }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const send = await run(`measured${round}`);
    const stored = await storedRows();
    for (const t of tables) await c.query(`TRUNCATE ${t}_baseline`);
    const sameRows = await rawInserts(
      dbUrl,
      stored.map((r) => [
        ['events_baseline', r.event],
        ['event_edges_baseline', r.edge],
        ['event_txn_ids_baseline', r.txn],
      ]),
    );
    await c.query('TRUNCATE events_baseline');
    const eventsOnly = await rawInserts(dbUrl, stored.map((r) => [['events_baseline', r.event]]));
    rounds.push({ send, sameRows, eventsOnly });
    console.log(
      `round ${round + 1}: send ${fmt(send)} events/s; raw INSERTs of the same rows ${fmt(sameRows)} events/s (${fmt(send / sameRows, 3)}x), of the events row alone ${fmt(eventsOnly)} rows/s (${fmt(send / eventsOnly, 3)}x)`,
    );
  }
  await c.end();

  const ratio = median(rounds.map((r) => r.send / r.sameRows));
  console.log(`send: ${fmt(median(rounds.map((r) => r.send)))} events/s (${CLIENTS} clients, ${ROOMS} rooms, ${CLIENTS * SENDS_PER_CLIENT} sends a round, median of ${ROUNDS})`);
  console.log(`send / raw insert of the events row alone: ${fmt(median(rounds.map((r) => r.send / r.eventsOnly)), 3)}x (median)`);
  const ok = ratio >= 0.25;
  console.log(`${ok ? 'ok  ' : 'MISS'} send / raw insert of the same rows: ${fmt(ratio, 3)}x (median; target >= 0.25x)`);
  process.exitCode = ok ? 0 : 1;
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await close();
}
