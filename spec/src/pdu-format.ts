// Format checks on a received PDU, per room version: shapes, types, sizes, limits.
// https://spec.matrix.org/v1.19/server-server-api/#pdus
// https://spec.matrix.org/v1.19/client-server-api/#size-limits
// https://spec.matrix.org/v1.19/rooms/v12/#event-format
import { tryEncodeCanonicalJson, utf8Length } from './canonical-json.js';
import type { JsonObject, PDU } from './events.js';
import { isValidEventIdForVersion, isValidRoomIdForVersion, isValidUserId, parseEventId } from './ids.js';
import type { RoomVersion } from './room-versions.js';

export const MAX_PDU_BYTES = 65_536;
export const MAX_FIELD_BYTES = 255;
export const MAX_PREV_EVENTS = 20;
export const MAX_AUTH_EVENTS = 10;

export type FormatCheck = { ok: true; pdu: PDU } | { ok: false; reason: string };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(reason: string): FormatCheck {
  return { ok: false, reason };
}

function checkString(pdu: JsonObject, key: string, required: boolean): string | undefined {
  const value = pdu[key];
  if (value === undefined) return required ? `missing ${key}` : undefined;
  if (typeof value !== 'string') return `${key} is not a string`;
  if (utf8Length(value) > MAX_FIELD_BYTES) return `${key} is longer than ${MAX_FIELD_BYTES} bytes`;
  return undefined;
}

function checkEdges(pdu: JsonObject, key: 'prev_events' | 'auth_events', max: number, roomVersion: RoomVersion): string | undefined {
  const edges = pdu[key];
  if (!Array.isArray(edges)) return `${key} is not an array`;
  if (edges.length > max) return `${key} has ${edges.length} entries, more than ${max}`;
  for (const edge of edges) {
    if (roomVersion.edgesAsPairs) {
      // v1–2: [event_id, {sha256: hash}]
      if (!Array.isArray(edge) || edge.length !== 2 || typeof edge[0] !== 'string' || !isObject(edge[1])) {
        return `${key} entries must be [event_id, {hashes}] pairs in room version ${roomVersion.id}`;
      }
      if (parseEventId(edge[0])?.formats.includes('domain') !== true) return `${key} holds an invalid event ID`;
      const sha256 = edge[1].sha256;
      if (sha256 !== undefined && typeof sha256 !== 'string') return `${key} holds a non-string hash`;
    } else if (typeof edge !== 'string' || !isValidEventIdForVersion(edge, roomVersion)) {
      return `${key} entries must be event IDs of room version ${roomVersion.id}`;
    }
  }
  return undefined;
}

function checkSignatures(value: unknown): string | undefined {
  if (!isObject(value)) return 'signatures is not an object';
  for (const perServer of Object.values(value)) {
    if (!isObject(perServer)) return 'signatures holds a non-object';
    for (const sig of Object.values(perServer)) if (typeof sig !== 'string') return 'signatures holds a non-string signature';
  }
  return undefined;
}

function checkFields(pdu: JsonObject, roomVersion: RoomVersion): string | undefined {
  const isCreate = pdu.type === 'm.room.create';
  const problem =
    checkString(pdu, 'type', true) ??
    checkString(pdu, 'sender', true) ??
    checkString(pdu, 'state_key', false) ??
    checkString(pdu, 'origin', false) ??
    checkString(pdu, 'event_id', roomVersion.eventIdInPdu) ??
    checkString(pdu, 'room_id', !(isCreate && roomVersion.roomIdIsCreateEventHash));
  if (problem !== undefined) return problem;

  if (!isValidUserId(pdu.sender as string, 'non_compliant')) return 'sender is not a user ID';
  if (roomVersion.roomIdIsCreateEventHash && isCreate) {
    if (pdu.room_id !== undefined) return `m.room.create has no room_id in room version ${roomVersion.id}`;
  } else if (!isValidRoomIdForVersion(pdu.room_id as string, roomVersion)) {
    return `room_id is not a room ID of room version ${roomVersion.id}`;
  }
  if (roomVersion.eventIdInPdu && parseEventId(pdu.event_id as string)?.formats.includes('domain') !== true) {
    return 'event_id is not a room version 1/2 event ID';
  }

  const ts = pdu.origin_server_ts;
  if (typeof ts !== 'number' || !Number.isInteger(ts)) return 'origin_server_ts is not an integer';
  const depth = pdu.depth;
  if (typeof depth !== 'number' || !Number.isInteger(depth)) return 'depth is not an integer';
  if (depth < 0 || depth > Number(roomVersion.maxDepth)) return `depth ${depth} is out of range`;
  if (!isObject(pdu.content)) return 'content is not an object';
  if (!isObject(pdu.hashes) || typeof pdu.hashes.sha256 !== 'string') return 'hashes.sha256 is missing';
  const signatures = checkSignatures(pdu.signatures);
  if (signatures !== undefined) return signatures;
  if (pdu.unsigned !== undefined && !isObject(pdu.unsigned)) return 'unsigned is not an object';
  if (!roomVersion.redactsInContent && pdu.type === 'm.room.redaction' && typeof pdu.redacts !== 'string') {
    return 'm.room.redaction has no redacts';
  }
  if (pdu.redacts !== undefined && typeof pdu.redacts !== 'string') return 'redacts is not a string';
  return checkEdges(pdu, 'prev_events', MAX_PREV_EVENTS, roomVersion) ?? checkEdges(pdu, 'auth_events', MAX_AUTH_EVENTS, roomVersion);
}

/**
 * Checks a PDU's format for its room version: required fields and their types, ID shapes,
 * `depth` range, `prev_events`/`auth_events` shape and counts (20/10), 255-byte fields and the
 * 65,536-byte canonical JSON size limit; v6+ also requires strictly canonical JSON
 * (https://spec.matrix.org/v1.19/rooms/v6/#canonical-json). Never throws.
 */
export function checkPduFormat(pdu: unknown, roomVersion: RoomVersion): FormatCheck {
  try {
    if (!isObject(pdu)) return fail('PDU is not a JSON object');
    const problem = checkFields(pdu, roomVersion);
    if (problem !== undefined) return fail(problem);
    const encoded = tryEncodeCanonicalJson(pdu, { strict: roomVersion.strictCanonicalJson });
    if (!encoded.ok) return fail(`not canonical JSON: ${encoded.reason}`);
    if (utf8Length(encoded.json) > MAX_PDU_BYTES) return fail(`PDU is larger than ${MAX_PDU_BYTES} bytes`);
    return { ok: true, pdu: pdu as unknown as PDU };
  } catch (err) {
    return fail(`malformed PDU: ${err instanceof Error ? err.message : String(err)}`);
  }
}
