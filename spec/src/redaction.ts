// Redaction: what survives of an event once redacted, per room version's algorithm.
// https://spec.matrix.org/v1.19/rooms/v11/#redactions (and v1, v6, v8, v9)
// https://spec.matrix.org/v1.19/client-server-api/#redactions
import type { JsonObject, JsonValue, PDU } from './events.js';
import type { RedactionAlgorithm, RoomVersion } from './room-versions.js';

const TOP_LEVEL_V1 = [
  'event_id', 'type', 'room_id', 'sender', 'state_key', 'content', 'hashes', 'signatures', 'depth',
  'prev_events', 'prev_state', 'auth_events', 'origin', 'origin_server_ts', 'membership',
] as const;
/** v11 drops `origin`, `membership` and `prev_state`. */
const TOP_LEVEL_V11 = TOP_LEVEL_V1.filter((k) => k !== 'origin' && k !== 'membership' && k !== 'prev_state');

const POWER_LEVELS_V1 = ['ban', 'events', 'events_default', 'kick', 'redact', 'state_default', 'users', 'users_default'];

/** `'*'`: keep the whole content. */
type ContentRule = readonly string[] | '*';

interface RedactionRules {
  topLevel: ReadonlySet<string>;
  topLevelList: readonly string[];
  content: Readonly<Record<string, ContentRule>>;
  /** v11: `m.room.member` keeps `third_party_invite.signed`. */
  keepThirdPartyInviteSigned: boolean;
}

const CONTENT_V1: Record<string, ContentRule> = {
  'm.room.member': ['membership'],
  'm.room.create': ['creator'],
  'm.room.join_rules': ['join_rule'],
  'm.room.power_levels': POWER_LEVELS_V1,
  'm.room.aliases': ['aliases'],
  'm.room.history_visibility': ['history_visibility'],
};
// v6: m.room.aliases is no longer special.
const { 'm.room.aliases': _aliases, ...CONTENT_V6 } = CONTENT_V1;
// v8: join rules keep `allow` (restricted rooms).
const CONTENT_V8 = { ...CONTENT_V6, 'm.room.join_rules': ['join_rule', 'allow'] };
// v9: member events keep `join_authorised_via_users_server`.
const CONTENT_V9 = { ...CONTENT_V8, 'm.room.member': ['membership', 'join_authorised_via_users_server'] };
// v11: all of create, `invite` in power levels, `redacts` in redaction content.
const CONTENT_V11 = {
  ...CONTENT_V9,
  'm.room.create': '*' as const,
  'm.room.power_levels': [...POWER_LEVELS_V1, 'invite'],
  'm.room.redaction': ['redacts'],
};

function rules(topLevel: readonly string[], content: Record<string, ContentRule>, keepThirdPartyInviteSigned: boolean): RedactionRules {
  // `content` comes last: it is always set, after the other kept keys.
  const topLevelList = topLevel.filter((key) => key !== 'content');
  return { topLevel: new Set(topLevel), topLevelList, content, keepThirdPartyInviteSigned };
}

const RULES: Record<RedactionAlgorithm, RedactionRules> = {
  v1: rules(TOP_LEVEL_V1, CONTENT_V1, false),
  v6: rules(TOP_LEVEL_V1, CONTENT_V6, false),
  v8: rules(TOP_LEVEL_V1, CONTENT_V8, false),
  v9: rules(TOP_LEVEL_V1, CONTENT_V9, false),
  v11: rules(TOP_LEVEL_V11, CONTENT_V11, true),
};

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function redactContent(type: unknown, content: unknown, rules: RedactionRules): JsonObject {
  if (!isObject(content) || typeof type !== 'string') return {};
  const rule = Object.prototype.hasOwnProperty.call(rules.content, type) ? rules.content[type] : undefined;
  if (rule === undefined) return {};
  if (rule === '*') return content;
  const kept: JsonObject = {};
  for (const key of rule) {
    if (Object.prototype.hasOwnProperty.call(content, key)) kept[key] = content[key];
  }
  if (rules.keepThirdPartyInviteSigned && type === 'm.room.member') {
    const invite = content.third_party_invite;
    if (isObject(invite) && Object.prototype.hasOwnProperty.call(invite, 'signed')) {
      kept.third_party_invite = { signed: invite.signed as JsonValue };
    }
  }
  return kept;
}

/**
 * The redacted form of `event` under the room version's algorithm: a new object (nested
 * values that are kept are shared, not copied). Never throws; non-object content becomes `{}`.
 */
export function redactEvent(event: PDU | JsonObject, roomVersion: RoomVersion): JsonObject {
  return redactWith(event as JsonObject, RULES[roomVersion.redaction]);
}

export function redactEventWithAlgorithm(event: PDU | JsonObject, algorithm: RedactionAlgorithm): JsonObject {
  return redactWith(event as JsonObject, RULES[algorithm]);
}

function redactWith(event: JsonObject, rules: RedactionRules): JsonObject {
  const redacted: JsonObject = {};
  if (!isObject(event)) return { content: {} };
  // Walking the allow-list (not the event) gives every redacted event the same key order,
  // hence one object shape for the JSON encoder that usually follows.
  for (const key of rules.topLevelList) {
    if (Object.prototype.hasOwnProperty.call(event, key)) redacted[key] = event[key];
  }
  redacted.content = redactContent(event.type, event.content, rules);
  return redacted;
}

/** Top-level keys the room version's redaction keeps (`content` is then reduced by `redactedContent`). */
export function keptTopLevelKeys(roomVersion: RoomVersion): ReadonlySet<string> {
  return RULES[roomVersion.redaction].topLevel;
}

/** What redaction leaves of an event's content. */
export function redactedContent(type: unknown, content: unknown, roomVersion: RoomVersion): JsonObject {
  return redactContent(type, content, RULES[roomVersion.redaction]);
}

/**
 * The event a redaction targets: `content.redacts` in v11+, the top-level `redacts` before.
 * https://spec.matrix.org/v1.19/rooms/v11/#moving-the-redacts-key
 */
export function redactionTarget(pdu: PDU | JsonObject, roomVersion: RoomVersion): string | undefined {
  const event = pdu as JsonObject;
  const target = roomVersion.redactsInContent
    ? isObject(event.content) ? event.content.redacts : undefined
    : event.redacts;
  return typeof target === 'string' ? target : undefined;
}
