// Content hashes, reference hashes, event IDs, v12 room IDs, and signing/verifying events.
// https://spec.matrix.org/v1.19/server-server-api/#calculating-the-content-hash-for-an-event
// https://spec.matrix.org/v1.19/server-server-api/#calculating-the-reference-hash-for-an-event
// https://spec.matrix.org/v1.19/server-server-api/#signing-events
// https://spec.matrix.org/v1.19/server-server-api/#validating-hashes-and-signatures-on-received-events
import { encodeBase64, encodeBase64Url } from './base64.js';
import { CanonicalJsonError, encodeCanonicalJson, encodeUtf8, sortCanonically } from './canonical-json.js';
import { defaultCrypto, type CryptoBackend } from './crypto.js';
import type { JsonObject, PDU } from './events.js';
import { serverNameOf } from './ids.js';
import { keptTopLevelKeys, redactedContent, redactEvent } from './redaction.js';
import type { RoomVersion } from './room-versions.js';
import { signBytes, verifyJsonSignatures, withSignature, type VerifyKeyLookup } from './signing.js';

/** A PDU as typed in events.ts, or any parsed JSON object (untrusted input). */
export type EventJson = PDU | JsonObject;

export class EventHashingError extends Error {
  override readonly name = 'EventHashingError';
}

/**
 * A copy of `event` without `keys`. From v3 on the event ID is derived from the event, so a
 * stray `event_id` (e.g. on a stored RoomEvent) is never part of what is hashed or signed.
 */
function without(event: EventJson, roomVersion: RoomVersion, keys: readonly string[]): JsonObject {
  const source = event as JsonObject;
  const copy: JsonObject = {};
  for (const key of ownKeys(source, roomVersion)) if (!keys.includes(key)) copy[key] = source[key];
  return copy;
}

function ownKeys(event: JsonObject, roomVersion: RoomVersion): string[] {
  const keys = Object.keys(event);
  if (roomVersion.eventIdInPdu || !('event_id' in event)) return keys;
  return keys.filter((key) => key !== 'event_id');
}

const NOT_IN_CONTENT_HASH = new Set(['unsigned', 'signatures', 'hashes']);

/**
 * The two canonical texts computed from an event, the content hash input and the redacted
 * signed form, sharing the encoding of the top-level fields they have in common. On the hot
 * path of sending and receiving events, hence plain arrays and string building.
 */
class EventEncoding {
  /** Top-level keys in canonical order, with `content` and `hashes` always present. */
  private readonly keys: string[];
  /** Canonical JSON of each key's value, `undefined` where the event has none. */
  private readonly values: Array<string | undefined>;

  constructor(
    private readonly event: JsonObject,
    private readonly roomVersion: RoomVersion,
  ) {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new EventHashingError('an event is a JSON object');
    const keys = ownKeys(event, roomVersion);
    if (!('content' in event)) keys.push('content');
    if (!('hashes' in event)) keys.push('hashes');
    this.keys = sortCanonically(keys);
    const options = { strict: roomVersion.strictCanonicalJson };
    this.values = this.keys.map((key) => {
      const value = event[key];
      return value === undefined || key === 'unsigned' || key === 'signatures' ? undefined : encodeCanonicalJson(value, options);
    });
  }

  /** The event minus `unsigned`, `signatures`, `hashes`. */
  contentHashText(): string {
    let out = '{';
    for (let i = 0; i < this.keys.length; i++) {
      const value = this.values[i];
      if (value === undefined || NOT_IN_CONTENT_HASH.has(this.keys[i])) continue;
      out += (out.length === 1 ? '' : ',') + encodeCanonicalJson(this.keys[i]) + ':' + value;
    }
    return out + '}';
  }

  /** The redacted event minus `signatures`/`unsigned`, optionally with other `hashes`. */
  redactedText(hashes?: JsonObject): string {
    const kept = keptTopLevelKeys(this.roomVersion);
    const options = { strict: this.roomVersion.strictCanonicalJson };
    let out = '{';
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i];
      let value = this.values[i];
      if (key === 'content') value = encodeCanonicalJson(redactedContent(this.event.type, this.event.content, this.roomVersion), options);
      else if (key === 'hashes' && hashes !== undefined) value = encodeCanonicalJson(hashes, options);
      else if (!kept.has(key)) continue;
      if (value === undefined) continue;
      out += (out.length === 1 ? '' : ',') + encodeCanonicalJson(key) + ':' + value;
    }
    return out + '}';
  }
}

/** The canonical bytes the content hash covers. Throws `CanonicalJsonError`. */
export function contentHashInput(event: EventJson, roomVersion: RoomVersion): Uint8Array {
  return encodeUtf8(new EventEncoding(event as JsonObject, roomVersion).contentHashText());
}

/** Unpadded base64 SHA-256 for `hashes.sha256`. Throws `CanonicalJsonError`. */
export function computeContentHash(event: EventJson, roomVersion: RoomVersion, crypto: CryptoBackend = defaultCrypto()): string {
  return encodeBase64(crypto.sha256(contentHashInput(event, roomVersion)));
}

/** Canonical bytes of the redacted event minus `signatures`/`unsigned`: what servers sign. */
export function redactedSignedBytes(event: EventJson, roomVersion: RoomVersion): Uint8Array {
  return encodeUtf8(new EventEncoding(event as JsonObject, roomVersion).redactedText());
}

/** SHA-256 of the redacted event minus `signatures`/`unsigned`. Throws `CanonicalJsonError`. */
export function computeReferenceHash(event: EventJson, roomVersion: RoomVersion, crypto: CryptoBackend = defaultCrypto()): Uint8Array {
  return crypto.sha256(redactedSignedBytes(event, roomVersion));
}

/**
 * The event's ID: carried in the PDU for v1–2, `$` + the reference hash in unpadded base64
 * for v3 and URL-safe unpadded base64 for v4+ (https://spec.matrix.org/v1.19/rooms/v4/#event-ids).
 * Throws `EventHashingError` (v1–2 PDU without `event_id`) or `CanonicalJsonError`.
 */
export function computeEventId(event: EventJson, roomVersion: RoomVersion, crypto?: CryptoBackend): string {
  switch (roomVersion.eventIdFormat) {
    case 'domain':
      if (typeof event !== 'object' || event === null || typeof event.event_id !== 'string') throw new EventHashingError('room versions 1 and 2 carry event_id in the PDU');
      return event.event_id;
    case 'base64':
      return '$' + encodeBase64(computeReferenceHash(event, roomVersion, crypto));
    case 'url_safe_base64':
      return '$' + encodeBase64Url(computeReferenceHash(event, roomVersion, crypto));
  }
}

/**
 * v12: the room ID is `!` + the create event's ID without its `$`.
 * https://spec.matrix.org/v1.19/appendices/#room-ids
 */
export function computeRoomIdFromCreateEvent(createEvent: EventJson, roomVersion: RoomVersion, crypto?: CryptoBackend): string {
  if (!roomVersion.roomIdIsCreateEventHash) throw new EventHashingError(`room version ${roomVersion.id} does not derive room IDs from the create event`);
  if (createEvent.type !== 'm.room.create') throw new EventHashingError('not an m.room.create event');
  return '!' + computeEventId(createEvent, roomVersion, crypto).slice(1);
}

/**
 * Fills in `hashes.sha256` and adds this server's signature: the PDU ready to send.
 * Other servers' signatures and `unsigned` are kept. From v3 on, `event_id` is dropped.
 * Throws `CanonicalJsonError` if the event has no canonical form in this room version.
 */
export function hashAndSignEvent<T extends EventJson>(
  pdu: T,
  roomVersion: RoomVersion,
  serverName: string,
  keyId: string,
  seed: Uint8Array,
  crypto: CryptoBackend = defaultCrypto(),
): T & PDU {
  const event = pdu as JsonObject;
  const encoding = new EventEncoding(event, roomVersion);
  const hashes = { sha256: encodeBase64(crypto.sha256(encodeUtf8(encoding.contentHashText()))) };
  const signature = signBytes(encodeUtf8(encoding.redactedText(hashes)), seed, crypto);
  const hashed = without(event, roomVersion, []);
  hashed.hashes = hashes;
  hashed.signatures = withSignature(event.signatures, serverName, keyId, signature);
  return hashed as T & PDU;
}

/**
 * Servers whose signatures a PDU needs: the sender's (except for invites made from a 3PID
 * invite), for v1–2 the event ID's, and from v8 the server of `join_authorised_via_users_server`
 * on a join. Undefined if the event lacks a usable `sender` (or v1–2 `event_id`).
 */
export function requiredSignatureServers(event: EventJson, roomVersion: RoomVersion): string[] | undefined {
  const servers = new Set<string>();
  const sender = typeof event.sender === 'string' ? serverNameOf(event.sender) : undefined;
  if (sender === undefined) return undefined;
  const content = typeof event.content === 'object' && event.content !== null && !Array.isArray(event.content) ? event.content : {};
  const isMember = event.type === 'm.room.member';
  const isThirdPartyInvite = isMember && content.membership === 'invite' && 'third_party_invite' in content;
  if (!isThirdPartyInvite) servers.add(sender);
  if (roomVersion.requiresEventIdDomainSignature) {
    const eventIdServer = typeof event.event_id === 'string' ? serverNameOf(event.event_id) : undefined;
    if (eventIdServer === undefined) return undefined;
    servers.add(eventIdServer);
  }
  if (roomVersion.restrictedJoinRule && isMember && content.membership === 'join' && typeof content.join_authorised_via_users_server === 'string') {
    const via = serverNameOf(content.join_authorised_via_users_server);
    if (via !== undefined) servers.add(via);
  }
  return [...servers];
}

export type EventVerification =
  | { ok: true; contentHashValid: true }
  /** Signatures hold but the content hash does not: the spec says use the redacted event. */
  | { ok: true; contentHashValid: false; redacted: JsonObject }
  | {
      ok: false;
      reason: 'malformed' | 'unencodable' | 'missing_signature' | 'unknown_key' | 'expired_key' | 'malformed_signature' | 'bad_signature';
      server?: string;
      detail: string;
    };

function stripPadding(s: string): string {
  return s.replace(/=+$/, '');
}

/**
 * Checks a received PDU's signatures (on its redacted form) and content hash.
 * `lookup` gives the public keys already fetched for each server; keys are checked for validity
 * at `origin_server_ts` in room versions 5+. Never throws.
 */
export function verifyEventHashesAndSignatures(
  event: EventJson,
  roomVersion: RoomVersion,
  lookup: VerifyKeyLookup,
  crypto: CryptoBackend = defaultCrypto(),
): EventVerification {
  const pdu = event as JsonObject;
  if (typeof pdu !== 'object' || pdu === null || Array.isArray(pdu)) return { ok: false, reason: 'malformed', detail: 'not a JSON object' };
  const servers = requiredSignatureServers(pdu, roomVersion);
  if (servers === undefined) return { ok: false, reason: 'malformed', detail: 'cannot tell which servers must sign (sender / event_id)' };
  try {
    const encoding = new EventEncoding(pdu, roomVersion);
    const signedBytes = encodeUtf8(encoding.redactedText());
    const atTs = roomVersion.enforceKeyValidity && typeof pdu.origin_server_ts === 'number' ? pdu.origin_server_ts : undefined;
    // The signature covers the redacted event, so check it against that object's bytes.
    const signatures = verifyJsonSignatures(pdu, servers, lookup, { crypto, atTs, bytes: signedBytes });
    if (!signatures.ok) return { ok: false, reason: signatures.reason, server: signatures.entity, detail: signatures.detail };
    const claimed = (pdu.hashes as JsonObject | undefined)?.sha256;
    const contentHash = encodeBase64(crypto.sha256(encodeUtf8(encoding.contentHashText())));
    if (typeof claimed === 'string' && stripPadding(claimed) === contentHash) {
      return { ok: true, contentHashValid: true };
    }
    return { ok: true, contentHashValid: false, redacted: redactEvent(pdu, roomVersion) };
  } catch (err) {
    if (err instanceof CanonicalJsonError) return { ok: false, reason: 'unencodable', detail: err.message };
    throw err;
  }
}
