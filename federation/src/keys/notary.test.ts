import { describe, expect, it } from 'vitest';
import { decodeBase64, verifyJsonSignature } from '@parley/spec';
import '@parley/spec/crypto-node';
import { loadVectors } from '@parley/spec/test-support/vectors';
import { MemoryKeyStore } from '../test-support/fakes.js';
import { KeyRing } from './key-ring.js';
import { KeyNotary } from './notary.js';
import { OwnServerKeys } from './own-keys.js';

const vectors = loadVectors('server-server.json');
const derived = vectors.derived_key_server_response;

describe('KeyNotary', () => {
  const own = new OwnServerKeys({ serverName: 'notary.test', key: { keyId: 'ed25519:n', seed: new Uint8Array(32).fill(5) }, now: () => 1_699_999_000_000 });
  let fetches = 0;
  let reachable = true;
  const ring = new KeyRing({
    store: new MemoryKeyStore(),
    own,
    now: () => 1_699_999_000_000,
    minRefetchIntervalMs: 0,
    fetchKeys: async () => {
      fetches++;
      if (!reachable) throw new Error('down');
      return derived.expected;
    },
  });
  const notary = new KeyNotary(ring, own, () => 1_699_999_000_000);

  it('answers with the origin response, signed by the origin and by the notary', async () => {
    const answer = await notary.query({ domain: { 'ed25519:1': {} } });
    expect(answer.server_keys).toHaveLength(1);
    const keys = answer.server_keys[0];
    expect(keys.signatures.domain).toEqual(derived.expected.signatures.domain);
    expect(verifyJsonSignature(keys, 'domain', 'ed25519:1', decodeBase64(vectors.derived_request_signing.signing_key.public_key_base64)).ok).toBe(true);
    expect(verifyJsonSignature(keys, 'notary.test', 'ed25519:n', decodeBase64(own.publicKey)).ok).toBe(true);
  });

  it('serves the cached response while the origin is down, and nothing for unknown servers', async () => {
    reachable = false;
    const before = fetches;
    const answer = await notary.queryServer('domain', 1_700_000_000_001);
    expect(fetches).toBe(before + 1); // the cached response ends too early: asked again, failed
    expect(answer.server_keys).toHaveLength(1);
    expect((await notary.query({ 'unknown.test': {} })).server_keys).toEqual([]);
  });

  it('answers for itself with its own self-signed response', async () => {
    const [self] = (await notary.queryServer('notary.test')).server_keys;
    expect(self.server_name).toBe('notary.test');
    expect(self.verify_keys).toEqual({ 'ed25519:n': { key: own.publicKey } });
    expect(self.old_verify_keys).toEqual({});
    expect(self.valid_until_ts).toBe(1_699_999_000_000 + 24 * 3_600_000);
    expect(verifyJsonSignature(self, 'notary.test', 'ed25519:n', decodeBase64(own.publicKey)).ok).toBe(true);
  });
});
