// Server keys between two Parley servers on loopback: the key server, the notary endpoints, and
// keys fetched on demand. https://spec.matrix.org/v1.19/server-server-api/#retrieving-server-keys
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64, signRequest, verifyJsonSignature } from '@parley/spec';
import '@parley/spec/crypto-node';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';

let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  a = await startTestServer({ server_name: 'a.test', federation: { enabled: true } });
  b = await startTestServer({
    server_name: 'b.test',
    federation: { enabled: true, resolve_overrides: { 'a.test': a.federationUrl!, 'down.test': 'http://127.0.0.1:1' }, key_refetch_interval_ms: 0 },
  });
});
afterAll(async () => {
  await Promise.all([a?.destroy(), b?.destroy()]);
});

const signedBy = (json: any, server: TestServer) =>
  verifyJsonSignature(json, server.config.server_name, server.context.signingKey.keyId, decodeBase64(server.context.signingKey.publicKeyBase64)).ok;

describe('server keys', () => {
  it('publishes a self-signed key response', async () => {
    const res = await request(a.federationUrl!, 'GET', '/_matrix/key/v2/server');
    expect(res.status).toBe(200);
    const key = a.context.signingKey;
    expect(res.body).toMatchObject({ server_name: 'a.test', verify_keys: { [key.keyId]: { key: key.publicKeyBase64 } }, old_verify_keys: {} });
    expect(res.body.valid_until_ts).toBeGreaterThan(Date.now() + 60 * 60 * 1000);
    expect(signedBy(res.body, a)).toBe(true);
  });

  it('answers key queries as a notary: fetched from the origin, signed by both', async () => {
    const res = await request(b.federationUrl!, 'POST', '/_matrix/key/v2/query', { body: { server_keys: { 'a.test': {} } } });
    expect(res.status).toBe(200);
    expect(res.body.server_keys).toHaveLength(1);
    const keys = res.body.server_keys[0];
    expect(keys.server_name).toBe('a.test');
    expect(signedBy(keys, a)).toBe(true);
    expect(signedBy(keys, b)).toBe(true);
    expect(await b.context.db('server_keys').where({ server_name: 'a.test' })).toHaveLength(1);

    const single = await request(b.federationUrl!, 'GET', `/_matrix/key/v2/query/a.test?minimum_valid_until_ts=${Date.now()}`);
    expect(single.status).toBe(200);
    expect(single.body.server_keys[0].verify_keys).toEqual(keys.verify_keys);
  });

  it('answers for itself, leaves out servers it cannot reach, and answers nothing for no servers', async () => {
    const res = await request(b.federationUrl!, 'POST', '/_matrix/key/v2/query', {
      body: { server_keys: { 'b.test': {}, 'down.test': { 'ed25519:x': { minimum_valid_until_ts: 1 } } } },
    });
    expect(res.status).toBe(200);
    expect(res.body.server_keys.map((k: any) => k.server_name)).toEqual(['b.test']);
    expect(signedBy(res.body.server_keys[0], b)).toBe(true);
    expect((await request(b.federationUrl!, 'POST', '/_matrix/key/v2/query', { body: { server_keys: {} } })).body).toEqual({ server_keys: [] });
    expect((await request(b.federationUrl!, 'GET', '/_matrix/key/v2/query/down.test')).body).toEqual({ server_keys: [] });
    const bad = await request(b.federationUrl!, 'POST', '/_matrix/key/v2/query', { body: { server_keys: { 'a.test': { 'ed25519:x': { minimum_valid_until_ts: 'soon' } } } } });
    expect(bad.status).toBe(400);
  });

  it('verifies requests with stored keys after a restart, while the origin is down', async () => {
    const uri = '/_matrix/federation/v1/media/download/nothing-here';
    const key = a.context.signingKey;
    const auth = signRequest({ method: 'GET', uri, origin: 'a.test', destination: 'b.test' }, key.keyId, key.seed);
    const verified = await request(b.federationUrl!, 'GET', uri, { headers: { Authorization: auth } });
    expect(verified.status).toBe(404); // authenticated, and the media does not exist
    expect(verified.body.errcode).toBe('M_NOT_FOUND');

    await a.stop();
    b = await b.restart();
    const again = await request(b.federationUrl!, 'GET', uri, { headers: { Authorization: auth } });
    expect(again.status).toBe(404);
  });
});
