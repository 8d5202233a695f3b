// Power levels: reading `m.room.power_levels` content with each room version's leniency,
// and the power level of a user / the level an event requires.
// https://spec.matrix.org/v1.19/client-server-api/#mroompower_levels
// https://spec.matrix.org/v1.19/rooms/v1/#deprecated-event-content-schemas (stringy, floaty levels)

import type { PDU } from './events.js';
import type { RoomVersion } from './room-versions.js';

/** Named levels whose absence means "use the default" (and whose change auth rule 10.3/9.5 checks). */
export const NAMED_LEVELS = ['users_default', 'events_default', 'state_default', 'ban', 'redact', 'kick', 'invite'] as const;
export type NamedLevel = (typeof NAMED_LEVELS)[number];

export interface PowerLevels {
  readonly users: ReadonlyMap<string, number>;
  readonly usersDefault: number;
  readonly events: ReadonlyMap<string, number>;
  readonly eventsDefault: number;
  readonly stateDefault: number;
  readonly ban: number;
  readonly kick: number;
  readonly redact: number;
  readonly invite: number;
  readonly notifications: ReadonlyMap<string, number>;
}

/** Defaults when the event exists but omits a key (client-server-api#mroompower_levels). */
const DEFAULTS = {
  users_default: 0,
  events_default: 0,
  state_default: 50,
  ban: 50,
  kick: 50,
  redact: 50,
  invite: 0,
} as const satisfies Record<NamedLevel, number>;

/** The levels in force when the room has no `m.room.power_levels` event: state_default is 0 then. */
export const NO_POWER_LEVELS_EVENT: PowerLevels = {
  users: new Map(),
  usersDefault: 0,
  events: new Map(),
  eventsDefault: 0,
  stateDefault: 0,
  ban: DEFAULTS.ban,
  kick: DEFAULTS.kick,
  redact: DEFAULTS.redact,
  invite: DEFAULTS.invite,
  notifications: new Map(),
};

/** The power level of a room creator in v12 (rooms/v12#authorization-rules: "infinitely high"). */
export const CREATOR_POWER_LEVEL = Number.POSITIVE_INFINITY;

// Stringy power levels (v1–v9): base-10 integer, optional leading zeros, one optional sign,
// optional surrounding whitespace. https://spec.matrix.org/v1.19/rooms/v1/#deprecated-event-content-schemas
const STRINGY_INTEGER = /^\s*[+-]?[0-9]+\s*$/;

/**
 * One power level value as the room version reads it, or `undefined` if the version does not
 * accept it: integers always; floats (truncated) in v1–v5; integer strings in v1–v9.
 */
export function parsePowerLevelValue(value: unknown, roomVersion: RoomVersion): number | undefined {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value;
    // Floaty power levels (v1–v5): apply the exponent, then truncate; non-finite values are invalid.
    if (roomVersion.floatPowerLevelsAccepted && Number.isFinite(value)) return Math.trunc(value);
    return undefined;
  }
  if (typeof value === 'string' && roomVersion.stringPowerLevelsAccepted && STRINGY_INTEGER.test(value)) {
    const parsed = Number.parseInt(value.trim(), 10);
    return Number.isSafeInteger(parsed) ? parsed : undefined;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readLevelMap(value: unknown, roomVersion: RoomVersion): Map<string, number> {
  const map = new Map<string, number>();
  if (!isPlainObject(value)) return map;
  for (const [key, raw] of Object.entries(value)) {
    const level = parsePowerLevelValue(raw, roomVersion);
    if (level !== undefined) map.set(key, level);
  }
  return map;
}

/**
 * Reads power levels from content leniently: values the room version cannot read fall back to
 * their defaults. Use for events already in the room (they passed auth); use
 * `validatePowerLevelsContent` for the event being authorised.
 */
export function readPowerLevels(content: unknown, roomVersion: RoomVersion): PowerLevels {
  const c = isPlainObject(content) ? content : {};
  const named = (key: NamedLevel): number => parsePowerLevelValue(c[key], roomVersion) ?? DEFAULTS[key];
  return {
    users: readLevelMap(c.users, roomVersion),
    usersDefault: named('users_default'),
    events: readLevelMap(c.events, roomVersion),
    eventsDefault: named('events_default'),
    stateDefault: named('state_default'),
    ban: named('ban'),
    kick: named('kick'),
    redact: named('redact'),
    invite: named('invite'),
    notifications: readLevelMap(c.notifications, roomVersion),
  };
}

/** The power levels of a room from its `m.room.power_levels` event (or the no-event defaults). */
export function powerLevelsOf(powerLevelsEvent: PDU | undefined, roomVersion: RoomVersion): PowerLevels {
  if (!powerLevelsEvent) return NO_POWER_LEVELS_EVENT;
  const content: unknown = powerLevelsEvent.content;
  if (!isPlainObject(content)) return readPowerLevels(content, roomVersion);
  // Auth checks and state resolution read the same few events thousands of times: parse once.
  let byContent = parsedLevels.get(roomVersion);
  if (!byContent) parsedLevels.set(roomVersion, (byContent = new WeakMap()));
  let levels = byContent.get(content);
  if (!levels) byContent.set(content, (levels = readPowerLevels(content, roomVersion)));
  return levels;
}

const parsedLevels = new WeakMap<RoomVersion, WeakMap<object, PowerLevels>>();

export type PowerLevelsValidation =
  | { ok: true; levels: PowerLevels }
  | { ok: false; rule: 'power_levels.named_not_integer' | 'power_levels.map_not_integers' | 'power_levels.users_invalid'; reason: string };

// Local user-ID shape check for power-level keys (ids.ts owns the full grammar): `@localpart:server`,
// at most 255 bytes; historical localparts are accepted.
export function looksLikeUserId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 255 || !value.startsWith('@')) return false;
  const colon = value.indexOf(':');
  return colon > 0 && colon < value.length - 1;
}

/**
 * Checks power-levels content as the auth rules require of a new `m.room.power_levels` event:
 * v10+ (rooms/v10 rules 9.1–9.3): every named level an integer, `events`/`notifications` objects of
 * integers, `users` an object of user IDs to integers. v1–v9 (rooms/v1 rule 10.1): `users` values
 * integers or integer strings; other values must at least be readable by the version.
 */
export function validatePowerLevelsContent(content: unknown, roomVersion: RoomVersion): PowerLevelsValidation {
  const c = isPlainObject(content) ? content : {};
  for (const key of NAMED_LEVELS) {
    if (c[key] !== undefined && parsePowerLevelValue(c[key], roomVersion) === undefined) {
      return { ok: false, rule: 'power_levels.named_not_integer', reason: `${key} is not an integer` };
    }
  }
  const maps: Array<'events' | 'notifications'> = ['events', 'notifications'];
  for (const key of maps) {
    const value = c[key];
    if (value === undefined) continue;
    if (!isPlainObject(value) || Object.values(value).some((v) => parsePowerLevelValue(v, roomVersion) === undefined)) {
      return { ok: false, rule: 'power_levels.map_not_integers', reason: `${key} is not an object of integers` };
    }
  }
  if (c.users !== undefined) {
    if (!isPlainObject(c.users)) {
      return { ok: false, rule: 'power_levels.users_invalid', reason: 'users is not an object' };
    }
    for (const [user, level] of Object.entries(c.users)) {
      if (!looksLikeUserId(user)) {
        return { ok: false, rule: 'power_levels.users_invalid', reason: `users key ${JSON.stringify(user)} is not a user ID` };
      }
      if (parsePowerLevelValue(level, roomVersion) === undefined) {
        return { ok: false, rule: 'power_levels.users_invalid', reason: `users[${user}] is not an integer` };
      }
    }
  }
  return { ok: true, levels: readPowerLevels(c, roomVersion) };
}

/**
 * The room creators: the create event's `sender` (v11+) or `content.creator` (v1–v10), plus
 * `content.additional_creators` in v12 (rooms/v12#authorization-rules).
 */
export function roomCreators(createEvent: PDU | undefined, roomVersion: RoomVersion): Set<string> {
  const creators = new Set<string>();
  if (!createEvent) return creators;
  const content = isPlainObject(createEvent.content) ? createEvent.content : {};
  if (roomVersion.implicitRoomCreator) creators.add(createEvent.sender);
  else if (typeof content.creator === 'string') creators.add(content.creator);
  if (roomVersion.additionalCreators && Array.isArray(content.additional_creators)) {
    for (const user of content.additional_creators) if (typeof user === 'string') creators.add(user);
  }
  return creators;
}

/**
 * A user's power level given the room's create and power-levels events: infinite for v12
 * creators; `users[user]` else `users_default` with a power-levels event; without one,
 * 100 for the creator and 0 for everyone else.
 */
export function userPowerLevel(
  userId: string,
  createEvent: PDU | undefined,
  powerLevelsEvent: PDU | undefined,
  roomVersion: RoomVersion,
): number {
  const creators = roomCreators(createEvent, roomVersion);
  if (roomVersion.creatorsInfinitePowerLevel && creators.has(userId)) return CREATOR_POWER_LEVEL;
  if (powerLevelsEvent) {
    const levels = powerLevelsOf(powerLevelsEvent, roomVersion);
    return levels.users.get(userId) ?? levels.usersDefault;
  }
  return creators.has(userId) ? 100 : 0;
}

/** The level required to send an event of this type: `events[type]`, else state/events default. */
export function requiredEventLevel(levels: PowerLevels, eventType: string, isState: boolean): number {
  return levels.events.get(eventType) ?? (isState ? levels.stateDefault : levels.eventsDefault);
}

/** The level required to trigger a notification of this kind (the spec defines `room`, default 50). */
export function notificationLevel(levels: PowerLevels, key: string): number {
  return levels.notifications.get(key) ?? 50;
}
