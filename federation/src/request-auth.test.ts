import { describe, expect, it } from 'vitest';
import { decodeBase64, signJson, signRequest } from '@parley/spec';
import '@parley/spec/crypto-node';
import { loadVectors } from '@parley/spec/test-support/vectors';
import { KeyRing } from './keys/key-ring.js';
import { OwnServerKeys } from './keys/own-keys.js';
import { authenticateRequest } from './request-auth.js';
import { MemoryKeyStore } from './test-support/fakes.js';

const vectors = loadVectors('server-server.json');
const signing = vectors.derived_request_signing.signing_key;
const seed = decodeBase64(signing.seed_base64);

function ring(reachable = true) {
  const fetched: string[] = [];
  const keys = new KeyRing({
    store: new MemoryKeyStore(),
    own: new OwnServerKeys({ serverName: 'remote.example', key: { keyId: 'ed25519:r', seed: new Uint8Array(32).fill(9) } }),
    fetchKeys: async (server) => {
      fetched.push(server);
      if (!reachable) throw new Error('connection refused');
      return signJson({ ...vectors.derived_key_server_response.unsigned_input, valid_until_ts: Date.now() + 60_000 }, 'domain', signing.key_id, seed);
    },
  });
  return { keys, fetched };
}

const deps = (keys: KeyRing) => ({ serverName: 'remote.example', keys });

describe('authenticateRequest (server-server.json)', () => {
  it.each<any>(vectors.derived_request_signing.cases.map((c: any) => [c.request_json.method + ' ' + c.request_json.uri, c]))(
    'verifies %s with a fetched key',
    async (_name, c: any) => {
      const { keys, fetched } = ring();
      const request = { method: c.request_json.method, uri: c.request_json.uri, authorizations: [c.expected_authorization_header], content: c.request_json.content };
      expect(await authenticateRequest(request, deps(keys))).toEqual({ ok: true, origin: 'domain' });
      expect(fetched).toEqual(['domain']);
    },
  );

  it('refuses a changed body, another destination, an unpublished key and an unreachable origin', async () => {
    const c = vectors.derived_request_signing.cases.find((x: any) => x.request_json.content !== undefined) ?? vectors.derived_request_signing.cases[0];
    const { keys } = ring();
    const base = { method: c.request_json.method, uri: c.request_json.uri, authorizations: [c.expected_authorization_header], content: c.request_json.content };
    expect(await authenticateRequest({ ...base, uri: base.uri + '?x=1' }, deps(keys))).toMatchObject({ ok: false, reason: expect.stringContaining('signature') });
    expect(await authenticateRequest(base, { serverName: 'elsewhere.example', keys })).toMatchObject({ ok: false, reason: 'Request is for remote.example' });

    const unpublished = signRequest({ method: 'GET', uri: '/_matrix/x', origin: 'domain', destination: 'remote.example' }, 'ed25519:zzz', seed);
    expect(await authenticateRequest({ method: 'GET', uri: '/_matrix/x', authorizations: [unpublished] }, deps(keys))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('ed25519:zzz'),
    });

    const down = ring(false);
    expect(await authenticateRequest(base, deps(down.keys))).toMatchObject({ ok: false });
  });

  it('refuses requests without X-Matrix, with a bad header, or with mixed origins', async () => {
    const { keys } = ring();
    const req = (authorizations: string[]) => authenticateRequest({ method: 'GET', uri: '/_matrix/x', authorizations }, deps(keys));
    expect(await req([])).toMatchObject({ ok: false });
    expect(await req(['Bearer abc'])).toMatchObject({ ok: false });
    expect(await req(['X-Matrix origin=domain'])).toMatchObject({ ok: false });
    const one = signRequest({ method: 'GET', uri: '/_matrix/x', origin: 'domain', destination: 'remote.example' }, signing.key_id, seed);
    const two = signRequest({ method: 'GET', uri: '/_matrix/x', origin: 'other.example', destination: 'remote.example' }, signing.key_id, seed);
    expect(await req([one])).toEqual({ ok: true, origin: 'domain' });
    expect(await req([one, two])).toMatchObject({ ok: false, reason: expect.stringContaining('different origins') });
  });
});
