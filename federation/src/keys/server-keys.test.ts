import { describe, expect, it } from 'vitest';
import { decodeBase64, signJson } from '@parley/spec';
import '@parley/spec/crypto-node';
import { loadVectors } from '@parley/spec/test-support/vectors';
import { MAX_KEY_VALIDITY_MS, verifyServerKeyResponse } from './server-keys.js';

const vectors = loadVectors('server-server.json');
const derived = vectors.derived_key_server_response;
const key = vectors.derived_request_signing.signing_key;
const seed = decodeBase64(key.seed_base64);
const now = 1_699_999_000_000;

describe('verifyServerKeyResponse (server-server.json)', () => {
  it('accepts the derived self-signed response and caps its validity at 7 days', () => {
    const check = verifyServerKeyResponse(derived.expected, { serverName: 'domain', now });
    expect(check).toMatchObject({ ok: true, validUntilTs: derived.expected.valid_until_ts });
    if (!check.ok) return;
    expect(check.keys).toEqual([
      expect.objectContaining({ serverName: 'domain', keyId: 'ed25519:1', publicKey: key.public_key_base64, expiredTs: null, fetchedTs: now }),
    ]);
    expect(JSON.parse(check.keys[0].response)).toEqual(derived.expected);

    const longLived = signJson({ ...derived.unsigned_input, valid_until_ts: now + 365 * 86_400_000 }, 'domain', 'ed25519:1', seed);
    expect(verifyServerKeyResponse(longLived, { serverName: 'domain', now })).toMatchObject({ ok: true, validUntilTs: now + MAX_KEY_VALIDITY_MS });
  });

  it('refuses a response for another server, a tampered one, and an unsigned one', () => {
    expect(verifyServerKeyResponse(derived.expected, { serverName: 'other', now })).toMatchObject({ ok: false });
    const tampered = { ...derived.expected, valid_until_ts: derived.expected.valid_until_ts + 1 };
    expect(verifyServerKeyResponse(tampered, { serverName: 'domain', now })).toMatchObject({ ok: false, reason: expect.stringContaining('does not verify') });
    const { signatures: _, ...unsigned } = derived.expected;
    expect(verifyServerKeyResponse(unsigned, { serverName: 'domain', now }).ok).toBe(false);
    expect(verifyServerKeyResponse({ ...derived.expected, signatures: {} }, { serverName: 'domain', now })).toMatchObject({ ok: false, reason: expect.stringContaining('not signed') });
  });

  it('refuses a response signed only by a key it does not list, and the spec examples (placeholder keys)', () => {
    const other = signJson({ ...derived.unsigned_input }, 'domain', 'ed25519:2', seed);
    expect(verifyServerKeyResponse(other, { serverName: 'domain', now }).ok).toBe(false);
    const example = vectors.key_server_examples_from_spec['GET /_matrix/key/v2/server response'];
    expect(verifyServerKeyResponse(example, { serverName: 'example.org', now }).ok).toBe(false);
    expect(verifyServerKeyResponse('nope', { serverName: 'domain', now }).ok).toBe(false);
  });

  it('keeps old_verify_keys as expired keys', () => {
    const withOld = signJson(
      { ...derived.unsigned_input, old_verify_keys: { 'ed25519:0ld': { key: key.public_key_base64, expired_ts: now - 1000 } } },
      'domain',
      'ed25519:1',
      seed,
    );
    const check = verifyServerKeyResponse(withOld, { serverName: 'domain', now });
    expect(check.ok && check.keys.find((k) => k.keyId === 'ed25519:0ld')).toMatchObject({ expiredTs: now - 1000, validUntilTs: now - 1000 });
  });
});
