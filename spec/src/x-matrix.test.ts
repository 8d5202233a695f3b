import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from './base64.js';
import { encodeCanonicalJson } from './canonical-json.js';
import './crypto-node.js';
import { signablePart, signJson, verifyJsonSignature } from './signing.js';
import { loadVectors } from './test-support/vectors.js';
import { formatXMatrixHeader, parseXMatrixHeader, requestJson, signRequest, verifyRequestAuthorization, XMatrixError } from './x-matrix.js';

const vectors = loadVectors('server-server.json');
const key = vectors.derived_request_signing.signing_key;
const seed = decodeBase64(key.seed_base64);
const publicKey = decodeBase64(key.public_key_base64);
const lookup = (origin: string, keyId: string) => (origin === key.server_name && keyId === key.key_id ? publicKey : undefined);

describe('key server response (server-server.json)', () => {
  const derived = vectors.derived_key_server_response;
  it('signs and verifies the derived /_matrix/key/v2/server response', () => {
    expect(encodeCanonicalJson(signablePart(derived.unsigned_input))).toBe(derived.signed_bytes);
    expect(signJson(derived.unsigned_input, 'domain', 'ed25519:1', seed)).toEqual(derived.expected);
    expect(verifyJsonSignature(derived.expected, 'domain', 'ed25519:1', publicKey).ok).toBe(true);
  });

  it('the spec examples carry placeholder keys that do not verify', () => {
    const example = vectors.key_server_examples_from_spec['GET /_matrix/key/v2/server response'];
    const placeholder = decodeBase64(example.verify_keys['ed25519:abc123'].key);
    expect(verifyJsonSignature(example, 'example.org', 'ed25519:auto2', placeholder).ok).toBe(false);
  });
});

describe('request signing (server-server.json)', () => {
  it.each<any>(vectors.derived_request_signing.cases.map((c: any) => [c.request_json.uri, c]))('%s', (_uri, c: any) => {
    expect(encodeCanonicalJson(requestJson(c.request_json))).toBe(c.signed_bytes);
    const header = signRequest(c.request_json, key.key_id, seed);
    expect(header).toBe(c.expected_authorization_header);
    const parsed = parseXMatrixHeader(header);
    expect(parsed).toEqual({ ok: true, params: { origin: 'domain', destination: 'remote.example', key: key.key_id, sig: c.expected_signature } });
    const received = { method: c.request_json.method, uri: c.request_json.uri, destination: 'remote.example', content: c.request_json.content };
    expect(verifyRequestAuthorization(received, header, lookup)).toEqual({ ok: true, origin: 'domain', keyId: key.key_id });
  });

  it('the spec example header round-trips', () => {
    const header = vectors.x_matrix.header_example.replace(/^Authorization: /, '');
    const parsed = parseXMatrixHeader(header);
    expect(parsed.ok && formatXMatrixHeader(parsed.params)).toBe(header);
  });

  it('rejects tampered or misdirected requests', () => {
    const c = vectors.derived_request_signing.cases[1];
    const header = signRequest(c.request_json, key.key_id, seed);
    const base = { method: 'PUT', uri: c.request_json.uri, destination: 'remote.example', content: c.request_json.content };
    expect(verifyRequestAuthorization({ ...base, uri: '/_matrix/federation/v1/send/1234' }, header, lookup)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyRequestAuthorization({ ...base, content: undefined }, header, lookup)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyRequestAuthorization({ ...base, destination: 'me.example' }, header, lookup)).toMatchObject({ ok: false, reason: 'wrong_destination' });
    expect(verifyRequestAuthorization(base, header, () => undefined)).toMatchObject({ ok: false, reason: 'unknown_key' });
    expect(verifyRequestAuthorization(base, 'Bearer abc', lookup)).toMatchObject({ ok: false, reason: 'bad_header' });
    expect(verifyRequestAuthorization(base, header.replace(/sig="[^"]*"/, 'sig="!!"'), lookup)).toMatchObject({ ok: false, reason: 'malformed_signature' });
  });

  it('accepts a header without destination (pre-v1.3 senders)', () => {
    const c = vectors.derived_request_signing.cases[0];
    const header = formatXMatrixHeader({ origin: 'domain', key: key.key_id, sig: c.expected_signature });
    expect(verifyRequestAuthorization({ method: 'GET', uri: c.request_json.uri, destination: 'remote.example' }, header, lookup).ok).toBe(true);
  });
});

describe('X-Matrix header parsing (server-server.json)', () => {
  it.each<any>(vectors.derived_header_parsing.cases.map((c: any) => [c.header, c.expected_params]))('%s', (header, expected) => {
    expect(parseXMatrixHeader(header as string)).toEqual({ ok: true, params: expected });
  });

  it('handles the RFC 9110 details', () => {
    expect(parseXMatrixHeader('x-matrix ORIGIN="a",Key="k",SIG="s",extra="ignored"')).toEqual({ ok: true, params: { origin: 'a', key: 'k', sig: 's' } });
    expect(parseXMatrixHeader('X-Matrix origin="a\\\\b",key=k,sig=s').ok && parseXMatrixHeader('X-Matrix origin="a\\\\b",key=k,sig=s')).toMatchObject({ params: { origin: 'a\\b' } });
    for (const bad of ['X-Matrix', 'X-Matrixorigin=a', 'X-Matrix origin="a,key=k,sig=s', 'X-Matrix origin=a key=k,sig=s', 'X-Matrix origin=a,key=k', 'X-Matrix =a', 'X-Matrix origin=a/b,key=k,sig=s', 'X-Matrix origin="a\\']) {
      expect(parseXMatrixHeader(bad).ok, bad).toBe(false);
    }
    expect(() => formatXMatrixHeader({ origin: 'a"b', key: 'k', sig: 's' })).toThrow(XMatrixError);
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      parseXMatrixHeader('X-Matrix ' + s);
      parseXMatrixHeader(s);
    }));
  });
});
