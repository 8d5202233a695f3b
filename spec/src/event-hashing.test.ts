import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64Url } from './base64.js';
import { encodeCanonicalJson } from './canonical-json.js';
import './crypto-node.js';
import {
  computeContentHash,
  computeEventId,
  computeReferenceHash,
  computeRoomIdFromCreateEvent,
  contentHashInput,
  EventHashingError,
  hashAndSignEvent,
  redactedSignedBytes,
  requiredSignatureServers,
  verifyEventHashesAndSignatures,
} from './event-hashing.js';
import type { JsonObject } from './events.js';
import { redactEventWithAlgorithm } from './redaction.js';
import { ROOM_VERSIONS } from './room-versions.js';
import { signablePart, signBytes } from './signing.js';
import { bytesToHex, loadVectors } from './test-support/vectors.js';

const vectors = loadVectors('event-signing.json');
const key = vectors.signing_key;
const seed = decodeBase64(key.seed_base64);
const publicKey = decodeBase64(key.public_key_base64);
const lookup = (server: string, keyId: string) => (server === key.server_name && keyId === key.key_id ? publicKey : undefined);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const v1 = ROOM_VERSIONS['1'];
const v3 = ROOM_VERSIONS['3'];
const v4 = ROOM_VERSIONS['4'];
const v10 = ROOM_VERSIONS['10'];
const v11 = ROOM_VERSIONS['11'];
const v12 = ROOM_VERSIONS['12'];

describe.each<any>(vectors.cases.map((c: any) => [c.name, c]))('event signing vector "%s"', (_name, c: any) => {
  it('content hash (spec, pre-v11 redaction)', () => {
    expect(text(contentHashInput(c.input, v1))).toBe(c.intermediate.content_hash_input_canonical_json);
    expect(computeContentHash(c.input, v1)).toBe(c.intermediate.content_hash_sha256_base64);
  });

  it('signed event (room versions 1–10)', () => {
    // event_id is part of the PDU only in v1–2, and the "redactable" vector carries one.
    const signed = hashAndSignEvent(c.input, v1, key.server_name, key.key_id, seed);
    expect(signed).toEqual(c.expected_signed_event);
    expect(text(redactedSignedBytes(signed, v1))).toBe(c.intermediate.redacted_event_canonical_json_that_is_signed);
    if (!('event_id' in c.input)) expect(hashAndSignEvent(c.input, v10, key.server_name, key.key_id, seed)).toEqual(c.expected_signed_event);
    const rv = 'event_id' in c.input ? v1 : v10; // v1–2 PDUs need an event_id
    expect(verifyEventHashesAndSignatures(signed, rv, lookup)).toEqual({ ok: true, contentHashValid: true });
  });

  it('signed event with the v11 redaction algorithm (derived)', () => {
    const variant = c.derived_v11_redaction_variant;
    const pdu = { ...c.input };
    if (!('event_id' in c.input)) {
      const signed = hashAndSignEvent(pdu, v11, key.server_name, key.key_id, seed);
      expect(signed.hashes).toEqual(variant.expected_hashes);
      expect(signed.signatures).toEqual(variant.expected_signatures);
      expect(text(redactedSignedBytes(signed, v11))).toBe(variant.redacted_event_canonical_json_that_is_signed);
    } else {
      // A v3+ PDU has no event_id, yet this vector keeps one: apply the v11 algorithm directly.
      expect(computeContentHash(pdu, v1)).toBe(variant.expected_hashes.sha256);
      const redacted = redactEventWithAlgorithm({ ...pdu, hashes: variant.expected_hashes }, 'v11');
      const bytes = encodeCanonicalJson(signablePart(redacted));
      expect(bytes).toBe(variant.redacted_event_canonical_json_that_is_signed);
      expect(signBytes(new TextEncoder().encode(bytes), seed)).toBe(variant.expected_signatures.domain['ed25519:1']);
    }
  });

  if (c.derived_reference_hash_and_event_ids) {
    it('reference hash and event IDs (derived)', () => {
      const ids = c.derived_reference_hash_and_event_ids;
      const signed = c.expected_signed_event;
      expect(bytesToHex(computeReferenceHash(signed, v3))).toBe(ids.rooms_v3_to_v10_redaction.reference_hash_hex);
      expect(computeEventId(signed, v3)).toBe(ids.rooms_v3_to_v10_redaction.event_id_v3);
      expect(computeEventId(signed, v4)).toBe(ids.rooms_v3_to_v10_redaction.event_id_v4_to_v10);
      expect(computeEventId(signed, v10)).toBe(ids.rooms_v3_to_v10_redaction.event_id_v4_to_v10);
      expect(bytesToHex(computeReferenceHash(signed, v11))).toBe(ids.rooms_v11_redaction.reference_hash_hex);
      expect(computeEventId(signed, v11)).toBe(ids.rooms_v11_redaction.event_id_v11);
    });
  }
});

function messageEvent(rv = v11): JsonObject {
  return {
    room_id: rv.roomIdIsCreateEventHash ? '!' + 'A'.repeat(43) : '!room:domain',
    sender: '@alice:domain',
    origin_server_ts: 1_700_000_000_000,
    type: 'm.room.message',
    content: { msgtype: 'm.text', body: 'hello' },
    prev_events: ['$' + 'B'.repeat(43)],
    auth_events: ['$' + 'C'.repeat(43)],
    depth: 10,
    hashes: {},
    signatures: {},
  };
}

describe('event IDs and room IDs', () => {
  it('v1–2 take event_id from the PDU', () => {
    expect(computeEventId({ event_id: '$x:domain' }, v1)).toBe('$x:domain');
    expect(() => computeEventId({}, v1)).toThrow(EventHashingError);
    for (const bad of [null, 1, 'x', []]) {
      expect(() => computeEventId(bad as unknown as JsonObject, v1)).toThrow(EventHashingError);
      expect(() => computeEventId(bad as unknown as JsonObject, v11)).toThrow(EventHashingError);
      expect(() => computeContentHash(bad as unknown as JsonObject, v11)).toThrow(EventHashingError);
    }
  });

  it('ignores a stray event_id from v3 on', () => {
    const signed = hashAndSignEvent(messageEvent(), v11, 'domain', 'ed25519:1', seed);
    expect(signed).not.toHaveProperty('event_id');
    const id = computeEventId(signed, v11);
    expect(computeEventId({ ...signed, event_id: id }, v11)).toBe(id);
    expect(verifyEventHashesAndSignatures({ ...signed, event_id: id }, v11, lookup)).toEqual({ ok: true, contentHashValid: true });
  });

  it('v12 derives the room ID from the create event', () => {
    const create = hashAndSignEvent(
      { sender: '@alice:domain', origin_server_ts: 1, type: 'm.room.create', state_key: '', content: { room_version: '12' }, prev_events: [], auth_events: [], depth: 1, hashes: {}, signatures: {} },
      v12, 'domain', 'ed25519:1', seed,
    );
    const roomId = computeRoomIdFromCreateEvent(create, v12);
    expect(roomId).toBe('!' + encodeBase64Url(computeReferenceHash(create, v12)));
    expect(roomId).toBe('!' + computeEventId(create, v12).slice(1));
    expect(() => computeRoomIdFromCreateEvent(create, v11)).toThrow(EventHashingError);
    expect(() => computeRoomIdFromCreateEvent({ ...create, type: 'm.room.message' }, v12)).toThrow(EventHashingError);
  });
});

describe('verifying received events', () => {
  const signed = hashAndSignEvent(messageEvent(), v11, 'domain', 'ed25519:1', seed);

  it('redacts an event whose content hash does not match', () => {
    const tampered = { ...signed, content: { msgtype: 'm.text', body: 'changed' } };
    const result = verifyEventHashesAndSignatures(tampered, v11, lookup);
    expect(result).toMatchObject({ ok: true, contentHashValid: false });
    if (result.ok && !result.contentHashValid) expect(result.redacted.content).toEqual({});
  });

  it('rejects bad signatures with typed results, never throwing', () => {
    expect(verifyEventHashesAndSignatures({ ...signed, depth: 11 }, v11, lookup)).toMatchObject({ ok: false, reason: 'bad_signature', server: 'domain' });
    expect(verifyEventHashesAndSignatures({ ...signed, sender: '@alice:elsewhere' }, v11, lookup)).toMatchObject({ ok: false, reason: 'missing_signature', server: 'elsewhere' });
    expect(verifyEventHashesAndSignatures(signed, v11, () => undefined)).toMatchObject({ ok: false, reason: 'unknown_key' });
    expect(verifyEventHashesAndSignatures({ ...signed, sender: 5 } as unknown as JsonObject, v11, lookup)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyEventHashesAndSignatures({ ...signed, depth: 1.5 }, v11, lookup)).toMatchObject({ ok: false, reason: 'unencodable' });
    expect(verifyEventHashesAndSignatures(null as unknown as JsonObject, v11, lookup)).toMatchObject({ ok: false, reason: 'malformed' });
    const expiring = () => ({ key: publicKey, validUntilTs: 1 });
    expect(verifyEventHashesAndSignatures(signed, v11, expiring)).toMatchObject({ ok: false, reason: 'expired_key' });
    expect(verifyEventHashesAndSignatures(hashAndSignEvent(messageEvent(v4), v4, 'domain', 'ed25519:1', seed), v4, expiring)).toMatchObject({ ok: true });
  });

  it('accepts floats when hashing room version 1–5 events only', () => {
    const floaty = { ...messageEvent(v4), content: { power: 50.5 } };
    const s = hashAndSignEvent(floaty, v4, 'domain', 'ed25519:1', seed);
    expect(verifyEventHashesAndSignatures(s, v4, lookup)).toEqual({ ok: true, contentHashValid: true });
    expect(verifyEventHashesAndSignatures(s, ROOM_VERSIONS['6'], lookup)).toMatchObject({ ok: false, reason: 'unencodable' });
  });

  it('survives any change to unsigned, fails after any change to a signed field', () => {
    fc.assert(
      fc.property(fc.constantFrom('room_id', 'sender', 'origin_server_ts', 'type', 'prev_events', 'auth_events', 'depth', 'hashes'), fc.jsonValue(), (field, unsigned) => {
        const withUnsigned = { ...signed, unsigned: { x: JSON.parse(JSON.stringify(unsigned ?? null)) } };
        expect(verifyEventHashesAndSignatures(withUnsigned, v11, lookup)).toEqual({ ok: true, contentHashValid: true });
        const changed = { ...signed, [field]: 'changed' };
        expect(verifyEventHashesAndSignatures(changed, v11, lookup).ok).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});

describe('servers that must sign', () => {
  it('lists the sender, v1–2 event ID domain, and the authorising server of restricted joins', () => {
    expect(requiredSignatureServers({ sender: '@a:one', event_id: '$x:two' }, v1)).toEqual(['one', 'two']);
    expect(requiredSignatureServers({ sender: '@a:one', event_id: '$x:two' }, v3)).toEqual(['one']);
    expect(requiredSignatureServers({ sender: '@a:one' }, v1)).toBeUndefined();
    const join = { sender: '@a:one', type: 'm.room.member', content: { membership: 'join', join_authorised_via_users_server: '@b:three' } };
    expect(requiredSignatureServers(join, ROOM_VERSIONS['8'])).toEqual(['one', 'three']);
    expect(requiredSignatureServers(join, ROOM_VERSIONS['7'])).toEqual(['one']);
    const thirdPartyInvite = { sender: '@a:one', type: 'm.room.member', content: { membership: 'invite', third_party_invite: {} } };
    expect(requiredSignatureServers(thirdPartyInvite, v11)).toEqual([]);
  });
});

describe('shared encoding of the hashed and signed forms', () => {
  const field = fc.oneof(fc.string(), fc.maxSafeInteger(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));
  const event = fc.record(
    {
      type: fc.constantFrom('m.room.member', 'm.room.create', 'm.room.power_levels', 'm.room.message', 'm.room.redaction'),
      content: fc.dictionary(fc.constantFrom('membership', 'creator', 'body', 'redacts', 'users', '😀', 'ﬁ'), field),
      event_id: fc.string(),
      sender: fc.string(),
      origin: fc.string(),
      hashes: fc.record({ sha256: fc.string() }),
      signatures: fc.constant({ a: { 'ed25519:1': 'x' } }),
      unsigned: fc.dictionary(fc.string(), field),
      membership: fc.string(),
      prev_state: fc.array(fc.string()),
      depth: fc.nat(),
      '😀': fc.string(),
      ﬁ: fc.string(),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<JsonObject>;

  it('equals encoding the redacted copy and the stripped copy separately', () => {
    fc.assert(
      fc.property(event, fc.constantFrom(...Object.values(ROOM_VERSIONS)), (e, rv) => {
        const base = rv.eventIdInPdu ? e : (({ event_id: _e, ...rest }) => rest)(e);
        const redacted = signablePart(redactEventWithAlgorithm(base, rv.redaction));
        expect(text(redactedSignedBytes(e, rv))).toBe(encodeCanonicalJson(redacted));
        const { hashes: _h, ...unhashed } = signablePart(base);
        expect(text(contentHashInput(e, rv))).toBe(encodeCanonicalJson(unhashed));
      }),
    );
  });
});
