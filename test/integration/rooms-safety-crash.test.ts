// Crash safety of the event pipeline: the server runs as a child process and is killed with
// SIGKILL in the middle of a burst of sends. After a restart, every send that was answered 200 is
// stored exactly once, no event is half written (edges, state groups, current state and
// memberships agree with the events), and new sends are not held up by the dead process's
// in-flight stream positions. docs/storage.md, "Stream positions".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startCli, type CliServer } from '../support/cli.js';
import { client, request } from '../support/http.js';

const enc = encodeURIComponent;

type Child = CliServer;

/** Starts `parley start` on the test database and waits until it answers. */
function startServer(database: TestDatabase, dataDir: string): Promise<Child> {
  return startCli({ DATABASE_URL: database.url, PARLEY_SERVER_NAME: 'localhost', PARLEY_DATA_DIR: dataDir, PARLEY_REGISTRATION: 'open', PARLEY_RATE_LIMITS: 'off' }, 30_000);
}

async function kill9(child: Child): Promise<void> {
  if (child.proc.exitCode !== null) return;
  const exited = new Promise((resolve) => child.proc.once('exit', resolve));
  child.proc.kill('SIGKILL');
  await exited;
}

async function register(url: string, username: string, firstRunToken?: string): Promise<{ userId: string; token: string }> {
  const c = client(url);
  const body = { username, password: `${username}-password`, auth: { type: 'm.login.dummy' } as Record<string, string> };
  let res = await c.post('/_matrix/client/v3/register', body);
  if (res.status === 401 && firstRunToken) {
    res = await c.post('/_matrix/client/v3/register', { ...body, auth: { type: 'm.login.registration_token', token: firstRunToken, session: res.body.session } });
    if (res.status === 401) res = await c.post('/_matrix/client/v3/register', { ...body, auth: { type: 'm.login.dummy', session: res.body.session } });
  }
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { userId: res.body.user_id, token: res.body.access_token };
}

const SENDERS = 8;

describe('kill -9 during a burst of sends', () => {
  let database: TestDatabase;
  let dataDir: string;
  let child: Child | undefined;
  let db: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'parley-crash-'));
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  });
  afterAll(async () => {
    if (child) await kill9(child);
    await db?.end();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every answered send exactly once, nothing half written, and sends on afterwards', async () => {
    child = await startServer(database, dataDir);
    const firstRun = /registration token: (\S+)/.exec(child.output.join(''))?.[1];
    const users = [await register(child.url, 'owner', firstRun)];
    for (let i = 1; i < SENDERS; i++) users.push(await register(child.url, `sender${i}`));
    const owner = client(child.url, users[0].token);
    const created = await owner.post('/_matrix/client/v3/createRoom', { preset: 'public_chat', name: 'crash' });
    expect(created.status).toBe(200);
    const roomId: string = created.body.room_id;
    for (const u of users.slice(1)) expect((await client(child.url, u.token).post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {})).status).toBe(200);

    // The burst: each sender sends in a loop (messages and, now and then, a state event) until
    // the server dies. Answers are recorded per transaction id.
    const answered = new Map<string, string>(); // txn id -> event id
    const attempted: Array<{ user: number; txn: string; body: string; state: boolean }> = [];
    let dead = false;
    const url = child.url;
    const burst = users.map(async (u, i) => {
      for (let n = 0; !dead; n++) {
        const txn = `u${i}-t${n}`;
        const body = `burst ${txn}`;
        const state = i === 0 && n % 10 === 9; // only the owner may set state (public_chat)
        attempted.push({ user: i, txn, body, state });
        const path = state
          ? `/_matrix/client/v3/rooms/${enc(roomId)}/state/org.parley.crash/${enc(txn)}`
          : `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${txn}`;
        const res = await request(url, 'PUT', path, { token: u.token, body: { msgtype: 'm.text', body } }).catch(() => undefined);
        if (res?.status === 200) answered.set(txn, res.body.event_id);
      }
    });
    const deadline = Date.now() + 30_000;
    while (answered.size < 120 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await kill9(child);
    dead = true;
    await Promise.all(burst);
    expect(answered.size).toBeGreaterThanOrEqual(120);

    // What the dead process left in the database.
    const q = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows;
    const stored = await q(`SELECT e.event_id, e.json FROM events e JOIN rooms r ON r.room_nid = e.room_nid WHERE r.room_id = $1`, [roomId]);
    const byId = new Map(stored.map((r) => [r.event_id, JSON.parse(r.json)]));
    for (const [txn, eventId] of answered) expect(byId.get(eventId)?.content?.body, txn).toBe(`burst ${txn}`);
    // Exactly once: no two events carry the same burst body.
    const bodies = [...byId.values()].map((e) => e.content?.body).filter((b) => typeof b === 'string' && b.startsWith('burst '));
    expect(new Set(bodies).size).toBe(bodies.length);
    await expectConsistent(q, roomId);

    // Restart on the same database. The dead backend's in-flight positions must not hold back
    // anyone: a new send shows up in an incremental /sync at once.
    child = await startServer(database, dataDir);
    const api = client(child.url, users[0].token);
    const before = await api.get('/_matrix/client/v3/sync?timeout=0');
    expect(before.status).toBe(200);
    const sent = await api.put(`/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/after-restart`, { msgtype: 'm.text', body: 'after restart' });
    expect(sent.status).toBe(200);
    const started = Date.now();
    const next = await api.get(`/_matrix/client/v3/sync?timeout=10000&since=${enc(before.body.next_batch)}`);
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(next.body.rooms.join[roomId].timeline.events.map((e: any) => e.event_id)).toContain(sent.body.event_id);

    // Every send that got no answer can be retried with its transaction id: the result is one
    // event per transaction id, the one already answered where there was an answer.
    for (const a of attempted) {
      const u = client(child.url, users[a.user].token);
      const res = a.state
        ? await u.put(`/_matrix/client/v3/rooms/${enc(roomId)}/state/org.parley.crash/${enc(a.txn)}`, { msgtype: 'm.text', body: a.body })
        : await u.put(`/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${a.txn}`, { msgtype: 'm.text', body: a.body });
      expect(res.status).toBe(200);
      if (answered.has(a.txn)) expect(res.body.event_id).toBe(answered.get(a.txn));
    }
    const after = await q(`SELECT e.json FROM events e JOIN rooms r ON r.room_nid = e.room_nid WHERE r.room_id = $1`, [roomId]);
    const retriedBodies = after.map((r) => JSON.parse(r.json).content?.body).filter((b) => typeof b === 'string' && b.startsWith('burst '));
    expect(new Set(retriedBodies).size).toBe(retriedBodies.length);
    expect(new Set(retriedBodies)).toEqual(new Set(attempted.map((a) => a.body)));
    await expectConsistent(q, roomId);

    // The timeline reads back whole, every event once.
    const seen: string[] = [];
    let from: string | undefined;
    for (;;) {
      const page = await api.get(`/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=100${from ? `&from=${enc(from)}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.chunk.map((e: any) => e.event_id));
      if (!page.body.end || page.body.chunk.length === 0) break;
      from = page.body.end;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(after.length);
  }, 120_000);
});

/** Every stored event of the room is whole: the rows written with it agree with each other. */
async function expectConsistent(q: (sql: string, params?: unknown[]) => Promise<any[]>, roomId: string): Promise<void> {
  const [{ room_nid: room }] = await q('SELECT room_nid FROM rooms WHERE room_id = $1', [roomId]);
  // Edges for every event, events for every edge.
  expect(await q('SELECT e.event_id FROM events e LEFT JOIN event_edges g ON g.event_nid = e.stream_ordering WHERE e.room_nid = $1 AND g.event_nid IS NULL', [room])).toEqual([]);
  expect(await q('SELECT g.event_nid FROM event_edges g LEFT JOIN events e ON e.stream_ordering = g.event_nid WHERE e.stream_ordering IS NULL')).toEqual([]);
  // prev/auth edges point at stored events of the room.
  expect(
    await q(
      `SELECT g.event_nid FROM event_edges g JOIN events e ON e.stream_ordering = g.event_nid, unnest(g.prev_nids || g.auth_nids) AS p(nid)
        LEFT JOIN events t ON t.stream_ordering = p.nid WHERE e.room_nid = $1 AND (t.stream_ordering IS NULL OR t.room_nid <> e.room_nid)`,
      [room],
    ),
  ).toEqual([]);
  // Every timeline event has a state group that exists.
  expect(await q('SELECT e.event_id FROM events e LEFT JOIN state_groups s ON s.id = e.state_group WHERE e.room_nid = $1 AND NOT e.outlier AND s.id IS NULL', [room])).toEqual([]);
  // The room has one forward extremity (local sends merge), a stored event that nothing cites.
  const tips = await q('SELECT f.event_nid, e.stream_ordering FROM forward_extremities f LEFT JOIN events e ON e.stream_ordering = f.event_nid WHERE f.room_nid = $1', [room]);
  expect(tips).toHaveLength(1);
  expect(tips[0].stream_ordering).not.toBeNull();
  expect(await q('SELECT event_nid FROM event_edges WHERE $1 = ANY(prev_nids)', [tips[0].event_nid])).toEqual([]);
  // Current state: each entry is a stored state event of the room with that key, and the latest
  // event for its key.
  expect(
    await q(
      `SELECT cs.type, cs.state_key FROM current_state cs LEFT JOIN events e ON e.stream_ordering = cs.event_nid
        WHERE cs.room_nid = $1 AND (e.stream_ordering IS NULL OR e.type <> cs.type OR e.state_key <> cs.state_key OR e.room_nid <> cs.room_nid)`,
      [room],
    ),
  ).toEqual([]);
  expect(
    await q(
      `SELECT e.type, e.state_key FROM events e WHERE e.room_nid = $1 AND e.state_key IS NOT NULL AND NOT e.outlier AND e.rejected_reason IS NULL
        AND e.stream_ordering > (SELECT cs.event_nid FROM current_state cs WHERE cs.room_nid = e.room_nid AND cs.type = e.type AND cs.state_key = e.state_key)`,
      [room],
    ),
  ).toEqual([]);
  const stateKeys = await q('SELECT count(DISTINCT (type, state_key))::int AS n FROM events WHERE room_nid = $1 AND state_key IS NOT NULL', [room]);
  expect((await q('SELECT count(*)::int AS n FROM current_state WHERE room_nid = $1', [room]))[0].n).toBe(stateKeys[0].n);
  // Memberships mirror the member events.
  expect(
    await q(
      `SELECT e.event_id FROM events e LEFT JOIN room_memberships m ON m.event_nid = e.stream_ordering
        WHERE e.room_nid = $1 AND e.type = 'm.room.member' AND m.event_nid IS NULL`,
      [room],
    ),
  ).toEqual([]);
  expect(
    await q(
      `SELECT cm.user_id FROM current_memberships cm JOIN current_state cs ON cs.room_nid = cm.room_nid AND cs.type = 'm.room.member' AND cs.state_key = cm.user_id
        WHERE cm.room_nid = $1 AND cm.event_nid <> cs.event_nid`,
      [room],
    ),
  ).toEqual([]);
  // Transaction ids point at stored events.
  expect(await q('SELECT t.txn_id FROM event_txn_ids t LEFT JOIN events e ON e.stream_ordering = t.event_nid WHERE e.stream_ordering IS NULL')).toEqual([]);
}
