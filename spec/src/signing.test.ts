import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from './base64.js';
import { encodeCanonicalJson } from './canonical-json.js';
import { nodeCrypto } from './crypto-node.js';
import type { JsonObject } from './events.js';
import {
  parseKeyId,
  parseSigningKeyFile,
  publicKeyOf,
  serializeSigningKeyFile,
  signablePart,
  signatureFor,
  signingKeyFromSeed,
  signJson,
  SigningKeyError,
  verifyEntitySignature,
  verifyJsonSignature,
  verifyJsonSignatures,
} from './signing.js';
import { bytesToHex, loadVectors } from './test-support/vectors.js';

const vectors = loadVectors('signing.json');
const key = vectors.signing_key;
const seed = decodeBase64(key.seed_base64);
const publicKey = decodeBase64(key.public_key_base64);

describe('signing vectors', () => {
  it('derives the public key from the seed', () => {
    expect(bytesToHex(seed)).toBe(key.seed_hex);
    expect(encodeBase64(publicKeyOf(seed))).toBe(key.public_key_base64);
  });

  it.each<any>(vectors.sign_cases.map((c: any, i: number) => [i, c]))('sign case %i', (_i, c: any) => {
    expect(encodeCanonicalJson(signablePart(c.input))).toBe(c.signed_bytes);
    expect(signatureFor(c.input, seed)).toBe(c.expected_signature);
    const signed = signJson(c.input, key.server_name, key.key_id, seed);
    expect(signed).toEqual(c.expected_output);
    expect(c.input.signatures?.domain).toBeUndefined(); // input untouched
  });

  it.each<any>(vectors.verify_cases.map((c: any, i: number) => [i, c]))('verify case %i', (_i, c: any) => {
    const check = verifyJsonSignature(c.object, c.entity, c.key_id, decodeBase64(c.public_key_base64));
    expect(check.ok).toBe(c.expected_valid);
  });

  it('the illustrative "signing details" example does not verify (documented spec quirk)', () => {
    const ex = vectors.illustrative_example_signing_details;
    const check = verifyJsonSignature(ex.object, 'example.org', 'ed25519:1', decodeBase64(ex.object.signing_keys['ed25519:1']));
    expect(check.ok).toBe(ex.verifies_with_listed_key);
  });
});

const lookup = (entity: string, keyId: string) => (entity === 'domain' && keyId === 'ed25519:1' ? publicKey : undefined);

describe('verifying signatures', () => {
  const signed = signJson({ a: 1 }, 'domain', 'ed25519:1', seed);

  it('reports why a signature check fails', () => {
    expect(verifyJsonSignature(signed, 'other', 'ed25519:1', publicKey)).toMatchObject({ ok: false, reason: 'missing_signature' });
    const garbled = { ...signed, signatures: { domain: { 'ed25519:1': '!!' } } };
    expect(verifyJsonSignature(garbled, 'domain', 'ed25519:1', publicKey)).toMatchObject({ ok: false, reason: 'malformed_signature' });
    const short = { ...signed, signatures: { domain: { 'ed25519:1': 'AAAA' } } };
    expect(verifyJsonSignature(short, 'domain', 'ed25519:1', publicKey)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyJsonSignature({ ...signed, a: 1.5 }, 'domain', 'ed25519:1', publicKey)).toMatchObject({ ok: false, reason: 'unencodable' });
    expect(verifyJsonSignature(null as unknown as JsonObject, 'domain', 'ed25519:1', publicKey).ok).toBe(false);
  });

  it('needs one known, valid key per entity, over several servers and key ids', () => {
    const other = new Uint8Array(32).fill(7);
    const otherPublic = publicKeyOf(other);
    let both = signJson(signed, 'other.server', 'ed25519:a', other);
    both = signJson(both, 'other.server', 'ed25519:b', seed); // second key id, unknown to the lookup below
    const lookup2 = (entity: string, keyId: string) =>
      entity === 'other.server' && keyId === 'ed25519:a' ? { key: otherPublic, validUntilTs: 100 } : lookup(entity, keyId);
    expect(verifyJsonSignatures(both, ['domain', 'other.server'], lookup2)).toEqual({ ok: true });
    expect(verifyEntitySignature(both, 'other.server', lookup2)).toEqual({ ok: true, keyId: 'ed25519:a' });
    expect(verifyEntitySignature(both, 'other.server', lookup2, { atTs: 101 })).toMatchObject({ ok: false, reason: 'expired_key' });
    expect(verifyJsonSignatures(both, ['domain', 'nobody'], lookup2)).toMatchObject({ ok: false, reason: 'missing_signature', entity: 'nobody' });
    expect(verifyEntitySignature(both, 'domain', () => undefined)).toMatchObject({ ok: false, reason: 'unknown_key' });
    const wrongKey = () => otherPublic;
    expect(verifyEntitySignature(both, 'domain', wrongKey)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('ignores key ids of unknown algorithms', () => {
    const odd = { ...signed, signatures: { domain: { 'curve25519:1': 'AAAA' } } };
    expect(verifyEntitySignature(odd, 'domain', lookup)).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  const object = fc.dictionary(
    fc.string({ minLength: 1 }).filter((k) => k !== 'signatures' && k !== 'unsigned'),
    fc.oneof(fc.string(), fc.maxSafeInteger(), fc.boolean(), fc.constant(null)),
    { minKeys: 1 },
  );

  it('fails after any change to a signed field, survives changes to unsigned', () => {
    fc.assert(
      fc.property(object, fc.nat(), fc.jsonValue(), (obj, pick, newUnsigned) => {
        const s = signJson(obj as JsonObject, 'domain', 'ed25519:1', seed, nodeCrypto);
        expect(verifyJsonSignature(s, 'domain', 'ed25519:1', publicKey).ok).toBe(true);
        const withUnsigned = { ...s, unsigned: JSON.parse(JSON.stringify(newUnsigned ?? null)) };
        expect(verifyJsonSignature(withUnsigned, 'domain', 'ed25519:1', publicKey).ok).toBe(true);
        const keys = Object.keys(obj);
        const k = keys[pick % keys.length];
        const changed = { ...s, [k]: s[k] === 'x' ? 'y' : 'x' };
        expect(verifyJsonSignature(changed, 'domain', 'ed25519:1', publicKey).ok).toBe(false);
        const removed: JsonObject = { ...s };
        delete removed[k];
        expect(verifyJsonSignature(removed, 'domain', 'ed25519:1', publicKey).ok).toBe(false);
        const added = { ...s, [k + '_extra']: 1 };
        expect(verifyJsonSignature(added, 'domain', 'ed25519:1', publicKey).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('signing keys', () => {
  it('parses and writes Synapse signing key files', () => {
    const text = `ed25519 1 ${key.seed_base64}\ned25519 a_B ${encodeBase64(new Uint8Array(32).fill(0xde))}\n`;
    const keys = parseSigningKeyFile(text);
    expect(keys.map((k) => k.keyId)).toEqual(['ed25519:1', 'ed25519:a_B']);
    expect(keys[0].seed).toEqual(seed);
    expect(parseSigningKeyFile(serializeSigningKeyFile(keys))).toEqual(keys);
    // The written seed is the canonical encoding of the same bytes.
    expect(serializeSigningKeyFile([keys[0]])).toBe('ed25519 1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0\n');
  });

  it('rejects malformed key files with a typed error', () => {
    for (const bad of ['ed25519 1', 'rsa 1 AAAA', `ed25519 b@d ${key.seed_base64}`, 'ed25519 1 !!!', 'ed25519 1 AAAA']) {
      expect(() => parseSigningKeyFile(bad)).toThrow(SigningKeyError);
    }
    expect(() => signingKeyFromSeed('x y', seed)).toThrow(SigningKeyError);
  });

  it('parses key ids', () => {
    expect(parseKeyId('ed25519:abc_1')).toEqual({ algorithm: 'ed25519', version: 'abc_1' });
    expect(parseKeyId('ed25519:')).toBeUndefined();
    expect(parseKeyId('ed25519:a-b')).toBeUndefined();
  });
});
