// Deleting media (admin API and `parley media` CLI) leaves no orphan file and no dangling row.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { registerUser, type TestUser } from '../support/users.js';

let hs: TestServer;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  hs = await startTestServer({ media: { thumbnails: { precompute: false } } });
  [admin, alice, bob] = await Promise.all([registerUser(hs, 'root', { admin: true }), registerUser(hs, 'alice'), registerUser(hs, 'bob')]);
});
afterAll(async () => {
  await hs?.destroy();
});

const contentDir = () => path.join(hs.dataDir, 'media', 'content');

function filesOnDisk(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else out.add(e.name);
    }
  };
  try {
    walk(contentDir());
  } catch {
    /* nothing stored yet */
  }
  return out;
}

/** Every stored file has a row and every row's file exists. */
async function expectConsistent(): Promise<void> {
  const db = hs.context.db;
  const hashes = new Set<string>([
    ...(await db('media').whereNotNull('sha256').pluck('sha256')),
    ...(await db('media_thumbnails').pluck('sha256')),
  ]);
  expect(filesOnDisk()).toEqual(hashes);
  const orphanThumbs = await db('media_thumbnails as t').leftJoin('media as m', function () {
    this.on('m.server_name', 't.server_name').andOn('m.media_id', 't.media_id');
  }).whereNull('m.media_id');
  expect(orphanThumbs).toEqual([]);
}

async function upload(user: TestUser, bytes: Buffer, type: string): Promise<string> {
  const res = await request(hs.url, 'POST', '/_matrix/media/v3/upload', { token: user.accessToken, rawBody: bytes, headers: { 'Content-Type': type } });
  expect(res.status).toBe(200);
  return res.body.content_uri;
}

const get = (user: TestUser, mxc: string) => request(hs.url, 'GET', `/_matrix/client/v1/media/download/${mxc.slice(6)}`, { token: user.accessToken });
const thumb = (user: TestUser, mxc: string) =>
  request(hs.url, 'GET', `/_matrix/client/v1/media/thumbnail/${mxc.slice(6)}?width=32&height=32&method=crop`, { token: user.accessToken });

/** A cached remote media row with its file, as a federation fetch would leave it. */
async function cachedRemote(mediaId: string, lastAccess: number): Promise<void> {
  const bytes = Buffer.from(`remote ${mediaId}`);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const file = path.join(contentDir(), sha.slice(0, 2), sha.slice(2, 4), sha);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  await hs.context.db('media').insert({
    server_name: 'remote.test', media_id: mediaId, user_id: null, content_type: 'text/plain', upload_name: null,
    size: bytes.length, sha256: sha, created_ts: lastAccess, unused_expires_ts: null, last_access_ts: lastAccess,
  });
}

describe('media retention', () => {
  it("deletes a user's media and thumbnails, keeping files other users' media still use", async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123' } }).png().toBuffer();
    const mine = await upload(alice, png, 'image/png');
    expect((await thumb(alice, mine)).status).toBe(200);
    const shared = Buffer.from('the same bytes for alice and bob');
    const aliceCopy = await upload(alice, shared, 'text/plain');
    const bobCopy = await upload(bob, shared, 'text/plain');
    await expectConsistent();

    const refused = await request(hs.url, 'DELETE', `/_synapse/admin/v1/users/${encodeURIComponent(alice.userId)}/media`, { token: bob.accessToken });
    expect(refused.status).toBe(403);

    const res = await request(hs.url, 'DELETE', `/_synapse/admin/v1/users/${encodeURIComponent(alice.userId)}/media`, { token: admin.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect(res.body.deleted_media.sort()).toEqual([mine, aliceCopy].sort());
    expect((await get(alice, mine)).status).toBe(404);
    expect((await get(alice, aliceCopy)).status).toBe(404);
    expect((await get(bob, bobCopy)).body).toBe(shared.toString());
    await expectConsistent();
  });

  it('purges remote media not used since a given time', async () => {
    const day = 86_400_000;
    await cachedRemote('old', Date.now() - 40 * day);
    await cachedRemote('fresh', Date.now());
    const res = await request(hs.url, 'POST', `/_synapse/admin/v1/purge_media_cache?before_ts=${Date.now() - 30 * day}`, { token: admin.accessToken, body: {} });
    expect(res.status).toBe(200);
    expect(res.body.deleted).toBe(1);
    expect(await hs.context.db('media').where({ server_name: 'remote.test' }).pluck('media_id')).toEqual(['fresh']);
    await expectConsistent();
  });

  it("deletes a room's media: the mxc URIs its events reference", async () => {
    const db = hs.context.db;
    const inRoom = await upload(bob, Buffer.from('a file posted in the room'), 'text/plain');
    const elsewhere = await upload(bob, Buffer.from('a file posted elsewhere'), 'text/plain');
    const [{ room_nid }] = await db('rooms').insert({ room_id: '!media:localhost', room_version: '11', creator: bob.userId, created_ts: Date.now() }).returning('room_nid');
    const event = { type: 'm.room.message', content: { msgtype: 'm.file', body: 'f', url: inRoom }, sender: bob.userId, room_id: '!media:localhost' };
    await db('events').insert({
      stream_ordering: db.raw("nextval('events_stream_seq')"), event_id: '$media-event', room_nid, type: 'm.room.message', sender: bob.userId,
      depth: 1, origin_server_ts: Date.now(), json: JSON.stringify(event),
    });
    const res = await request(hs.url, 'DELETE', `/_parley/admin/v1/rooms/${encodeURIComponent('!media:localhost')}/media`, { token: admin.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.deleted_media).toEqual([inRoom]);
    expect((await get(bob, elsewhere)).status).toBe(200);
    await expectConsistent();
  });

  it('runs the same deletions from the `parley media` CLI', async () => {
    const carol = await registerUser(hs, 'carol');
    const a = await upload(carol, Buffer.from('carol 1'), 'text/plain');
    const b = await upload(carol, Buffer.from('carol 2'), 'text/plain');
    const configFile = path.join(hs.dataDir, 'cli.yaml');
    writeFileSync(configFile, JSON.stringify({ server_name: 'localhost', data_dir: hs.dataDir, database: { url: hs.database.url }, log_level: 'error' }));
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', 'homeserver/src/cli.ts', '-c', configFile, 'media', ...args], {
        cwd: path.resolve(__dirname, '../..'),
      });
    const all = await run('delete-user', carol.userId);
    expect(all.stdout).toContain(a);
    expect(all.stdout).toContain(b);
    expect(all.stdout).toContain('deleted 2 media items');
    expect(await hs.context.db('media').where({ user_id: carol.userId })).toEqual([]);
    await expectConsistent();
  });
});
