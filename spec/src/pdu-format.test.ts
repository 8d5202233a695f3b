import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from './base64.js';
import './crypto-node.js';
import { hashAndSignEvent } from './event-hashing.js';
import type { JsonObject } from './events.js';
import { checkPduFormat } from './pdu-format.js';
import { ROOM_VERSIONS } from './room-versions.js';

const seed = decodeBase64('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1');
const hashId = (c: string) => '$' + c.repeat(43);
const v1 = ROOM_VERSIONS['1'];
const v5 = ROOM_VERSIONS['5'];
const v11 = ROOM_VERSIONS['11'];
const v12 = ROOM_VERSIONS['12'];

function pdu(rv = v11, extra: JsonObject = {}): JsonObject {
  const base: JsonObject = {
    room_id: rv.roomIdIsCreateEventHash ? '!' + 'R'.repeat(43) : '!room:domain',
    sender: '@alice:domain',
    origin_server_ts: 1,
    type: 'm.room.message',
    content: { body: 'hi' },
    prev_events: rv.edgesAsPairs ? [['$p:domain', { sha256: 'x' }]] : [hashId('P')],
    auth_events: rv.edgesAsPairs ? [['$a:domain', { sha256: 'x' }]] : [hashId('A')],
    depth: 5,
    hashes: {},
    signatures: {},
    ...(rv.eventIdInPdu ? { event_id: '$e:domain' } : {}),
  };
  return hashAndSignEvent({ ...base, ...extra }, rv, 'domain', 'ed25519:1', seed);
}

function reasonFor(event: unknown, rv = v11): string | undefined {
  const result = checkPduFormat(event, rv);
  return result.ok ? undefined : result.reason;
}

describe('PDU format', () => {
  it('accepts well-formed PDUs of every room version', () => {
    for (const rv of Object.values(ROOM_VERSIONS)) expect(reasonFor(pdu(rv), rv), rv.id).toBeUndefined();
  });

  it('requires fields with the right types', () => {
    for (const field of ['type', 'sender', 'room_id', 'origin_server_ts', 'content', 'prev_events', 'auth_events', 'depth', 'hashes', 'signatures']) {
      const event = pdu();
      delete event[field];
      expect(reasonFor(event), field).toBeDefined();
      expect(reasonFor({ ...pdu(), [field]: field === 'content' ? [] : { a: 1 } }), field).toBeDefined();
    }
    expect(reasonFor({ ...pdu(), unsigned: 1 })).toMatch(/unsigned/);
    expect(reasonFor({ ...pdu(), state_key: 1 })).toMatch(/state_key/);
    expect(reasonFor({ ...pdu(), sender: 'alice' })).toMatch(/sender/);
    expect(reasonFor({ ...pdu(), hashes: { sha256: 1 } })).toMatch(/hashes/);
    expect(reasonFor({ ...pdu(), signatures: { domain: { k: 1 } } })).toMatch(/signatures/);
    for (const bad of [null, 1, 'x', [], undefined]) expect(reasonFor(bad)).toBeDefined();
  });

  it('checks room version specific shapes', () => {
    const { event_id: _e, ...withoutEventId } = pdu(v1);
    expect(reasonFor(withoutEventId, v1)).toMatch(/event_id/);
    expect(reasonFor({ ...pdu(v1), prev_events: [hashId('P')] }, v1)).toMatch(/prev_events/);
    expect(reasonFor({ ...pdu(v11), prev_events: [['$p:domain', {}]] })).toMatch(/prev_events/);
    expect(reasonFor({ ...pdu(v11), auth_events: ['$p:domain'] })).toMatch(/auth_events/);
    expect(reasonFor({ ...pdu(v11), room_id: '!' + 'R'.repeat(43) })).toMatch(/room_id/);
    expect(reasonFor({ ...pdu(v12), room_id: '!room:domain' }, v12)).toMatch(/room_id/);
    const create = pdu(v12, { type: 'm.room.create', state_key: '', content: {}, auth_events: [], prev_events: [] });
    delete create.room_id;
    expect(reasonFor(create, v12)).toBeUndefined();
    expect(reasonFor({ ...create, room_id: '!' + 'R'.repeat(43) }, v12)).toMatch(/room_id/);
    expect(reasonFor(pdu(ROOM_VERSIONS['10'], { type: 'm.room.redaction' }), ROOM_VERSIONS['10'])).toMatch(/redacts/);
    expect(reasonFor(pdu(v11, { type: 'm.room.redaction', content: { redacts: hashId('X') } }))).toBeUndefined();
  });

  it('limits edges, depth and lengths', () => {
    expect(reasonFor({ ...pdu(), prev_events: Array(21).fill(hashId('P')) })).toMatch(/prev_events/);
    expect(reasonFor({ ...pdu(), prev_events: Array(20).fill(hashId('P')) })).toBeUndefined();
    expect(reasonFor({ ...pdu(), auth_events: Array(11).fill(hashId('A')) })).toMatch(/auth_events/);
    expect(reasonFor({ ...pdu(), depth: -1 })).toMatch(/depth/);
    expect(reasonFor({ ...pdu(), depth: 2 ** 53 })).toMatch(/depth/);
    expect(reasonFor({ ...pdu(v5), depth: 2 ** 60 }, v5)).toBeUndefined();
    expect(reasonFor({ ...pdu(), depth: 1.5 })).toMatch(/depth/);
    expect(reasonFor({ ...pdu(), type: 'x'.repeat(256) })).toMatch(/type/);
    expect(reasonFor({ ...pdu(), type: 'x'.repeat(255) })).toBeUndefined();
    expect(reasonFor({ ...pdu(), state_key: 'é'.repeat(128) })).toMatch(/state_key/);
    expect(reasonFor({ ...pdu(), content: { body: 'x'.repeat(65_536) } })).toMatch(/65536/);
    expect(reasonFor({ ...pdu(), content: { body: 'x'.repeat(65_000) } })).toBeUndefined();
  });

  it('requires strictly canonical JSON from v6 on only', () => {
    expect(reasonFor({ ...pdu(), content: { n: 1.5 } })).toMatch(/canonical/);
    expect(reasonFor({ ...pdu(), content: { n: 2 ** 53 } })).toMatch(/canonical/);
    expect(reasonFor({ ...pdu(v5), content: { n: 1.5 } }, v5)).toBeUndefined();
  });

  it('never throws on arbitrary input', () => {
    const mutation = fc.record({ key: fc.constantFrom('type', 'sender', 'room_id', 'content', 'prev_events', 'auth_events', 'depth', 'hashes', 'signatures', 'unsigned', 'event_id', 'redacts', 'x'), value: fc.jsonValue() });
    fc.assert(fc.property(fc.array(mutation, { maxLength: 4 }), fc.constantFrom(...Object.values(ROOM_VERSIONS)), (mutations, rv) => {
      const event = pdu(rv);
      for (const m of mutations) event[m.key] = m.value as never;
      const result = checkPduFormat(event, rv);
      expect(typeof result.ok).toBe('boolean');
    }));
    fc.assert(fc.property(fc.anything(), (value) => {
      expect(typeof checkPduFormat(value, v11).ok).toBe('boolean');
    }));
  });
});
