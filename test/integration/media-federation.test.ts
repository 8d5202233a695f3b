// Remote media between two Parley servers on loopback (a.test and b.test), each reaching the other
// through federation.resolve_overrides (b.test through the older media.remote.base_urls alias).
// Neither is told the other's key: both fetch it from /_matrix/key/v2/server and verify every request.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '@parley/spec';
import { nodeCrypto } from '@parley/spec/crypto-node';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { registerUser, type TestUser } from '../support/users.js';
import { boundaryOf, readMediaMultipart } from '../../homeserver/src/media/remote/multipart.js';

let a: TestServer;
let b: TestServer;
let alice: TestUser; // on a.test
let bob: TestUser; // on b.test

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

beforeAll(async () => {
  const bPort = await freePort();
  a = await startTestServer({
    server_name: 'a.test',
    federation: { enabled: true, resolve_overrides: { 'b.test': `http://127.0.0.1:${bPort}` } },
    media: { thumbnails: { precompute: false } },
  });
  b = await startTestServer({
    server_name: 'b.test',
    federation: { enabled: true, resolve_overrides: { 'down.test': 'http://127.0.0.1:1' } },
    listeners: { federation: { port: bPort, bind_address: '127.0.0.1' } },
    media: { thumbnails: { precompute: false }, remote: { base_urls: { 'a.test': a.federationUrl! } } },
  });
  [alice, bob] = await Promise.all([registerUser(a, 'alice'), registerUser(b, 'bob')]);
});
afterAll(async () => {
  await Promise.all([a?.destroy(), b?.destroy()]);
});

async function upload(hs: TestServer, user: TestUser, bytes: Buffer, type: string, name: string): Promise<string> {
  const res = await request(hs.url, 'POST', `/_matrix/media/v3/upload?filename=${encodeURIComponent(name)}`, {
    token: user.accessToken, rawBody: bytes, headers: { 'Content-Type': type },
  });
  expect(res.status).toBe(200);
  return res.body.content_uri;
}

async function download(hs: TestServer, user: TestUser, mxc: string) {
  const res = await fetch(`${hs.url}/_matrix/client/v1/media/download/${mxc.slice(6)}`, { headers: { Authorization: `Bearer ${user.accessToken}` } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe('remote media between two Parley servers', () => {
  it('fetches remote media over federation, keeps its type and name, and caches it', async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#4a2' } }).png().toBuffer();
    const mxc = await upload(a, alice, png, 'image/png', 'grüne wiese.png');
    expect(mxc.startsWith('mxc://a.test/')).toBe(true);

    const got = await download(b, bob, mxc);
    expect(got.status).toBe(200);
    expect(got.body.equals(png)).toBe(true);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('content-disposition')).toContain(`filename*=UTF-8''gr%C3%BCne%20wiese.png`);
    const cached = await b.context.db('media').where({ server_name: 'a.test', media_id: mxc.split('/')[3] }).first();
    expect(cached).toMatchObject({ user_id: null, content_type: 'image/png', upload_name: 'grüne wiese.png', size: png.length });

    // Gone from a.test, still served by b.test from its cache.
    await a.context.db('media').where({ media_id: mxc.split('/')[3] }).delete();
    expect((await download(b, bob, mxc)).body.equals(png)).toBe(true);

    const thumb = await fetch(`${b.url}/_matrix/client/v1/media/thumbnail/${mxc.slice(6)}?width=64&height=64&method=crop`, {
      headers: { Authorization: `Bearer ${bob.accessToken}` },
    });
    expect(thumb.status).toBe(200);
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(96);
  });

  it('sends signed requests the other side verifies with a fetched key, both ways', async () => {
    const mxc = await upload(b, bob, Buffer.from('from b with love'), 'text/plain', 'note.txt');
    const got = await download(a, alice, mxc);
    expect(got.status).toBe(200);
    expect(got.body.toString()).toBe('from b with love');
    // Each learnt the other's key from its key server, not from configuration.
    const bKey = b.context.signingKey;
    expect(await a.context.db('server_keys').where({ server_name: 'b.test' }).first()).toMatchObject({ key_id: bKey.keyId, public_key: bKey.publicKeyBase64 });
    const aKey = a.context.signingKey;
    expect(await b.context.db('server_keys').where({ server_name: 'a.test' }).first()).toMatchObject({ key_id: aKey.keyId, public_key: aKey.publicKeyBase64 });
  });

  it('answers 404 for unknown remote media and unreachable servers, and honours allow_remote=false', async () => {
    expect((await download(b, bob, 'mxc://a.test/doesnotexist')).status).toBe(404);
    const unreachable = await download(b, bob, 'mxc://down.test/abc');
    expect(unreachable.status).toBe(502);
    const legacyNoRemote = await request(b.url, 'GET', '/_matrix/media/v3/download/a.test/whatever?allow_remote=false');
    expect(legacyNoRemote.status).toBe(404);
  });

  it('serves the federation thumbnail endpoint as multipart/mixed', async () => {
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#a24' } }).jpeg().toBuffer();
    const mediaId = (await upload(a, alice, jpeg, 'image/jpeg', 'x.jpg')).split('/')[3];
    const res = await b.context.federation.client.request('a.test', 'GET', `/_matrix/federation/v1/media/thumbnail/${mediaId}?width=32&height=32&method=crop`);
    expect(res.status).toBe(200);
    const parts = await readMediaMultipart(res.body, boundaryOf(res.headers['content-type'])!);
    expect(parts.metadata).toEqual({});
    expect(parts.headers['content-type']).toBe('image/jpeg');
    const chunks: Buffer[] = [];
    for await (const c of parts.body) chunks.push(c);
    expect((await sharp(Buffer.concat(chunks)).metadata()).width).toBe(32);
  });

  it('refuses federation media requests without, or with a forged, X-Matrix signature', async () => {
    const mediaId = (await upload(b, bob, Buffer.from('secret-ish'), 'text/plain', 's.txt')).split('/')[3];
    const uri = `/_matrix/federation/v1/media/download/${mediaId}`;
    const none = await request(b.federationUrl!, 'GET', uri);
    expect(none.status).toBe(401);
    expect(none.body.errcode).toBe('M_UNAUTHORIZED');
    // Claims to be a.test with a.test's key id, but signed with another key.
    const forged = signRequest({ method: 'GET', uri, origin: 'a.test', destination: 'b.test' }, a.context.signingKey.keyId, randomBytes(32), nodeCrypto);
    const res = await request(b.federationUrl!, 'GET', uri, { headers: { Authorization: forged } });
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe('M_UNAUTHORIZED');
    const genuine = signRequest({ method: 'GET', uri, origin: 'a.test', destination: 'b.test' }, a.context.signingKey.keyId, a.context.signingKey.seed, nodeCrypto);
    expect((await request(b.federationUrl!, 'GET', uri, { headers: { Authorization: genuine } })).status).toBe(200);
    const wrongDestination = signRequest({ method: 'GET', uri, origin: 'a.test', destination: 'c.test' }, a.context.signingKey.keyId, a.context.signingKey.seed, nodeCrypto);
    expect((await request(b.federationUrl!, 'GET', uri, { headers: { Authorization: wrongDestination } })).status).toBe(401);
  });

  it('refuses a request signed with a key the origin does not publish, and one from an unreachable origin', async () => {
    const mediaId = (await upload(b, bob, Buffer.from('keyed'), 'text/plain', 'k.txt')).split('/')[3];
    const uri = `/_matrix/federation/v1/media/download/${mediaId}`;
    const unpublished = signRequest({ method: 'GET', uri, origin: 'a.test', destination: 'b.test' }, 'ed25519:notpublished', randomBytes(32), nodeCrypto);
    const res = await request(b.federationUrl!, 'GET', uri, { headers: { Authorization: unpublished } });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ errcode: 'M_UNAUTHORIZED' });
    expect(res.body.error).toContain('ed25519:notpublished');

    const fromDown = signRequest({ method: 'GET', uri, origin: 'down.test', destination: 'b.test' }, 'ed25519:x', randomBytes(32), nodeCrypto);
    const down = await request(b.federationUrl!, 'GET', uri, { headers: { Authorization: fromDown } });
    expect(down.status).toBe(401);
    expect(down.body.errcode).toBe('M_UNAUTHORIZED');
  });
});
