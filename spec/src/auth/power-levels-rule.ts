// Auth rule for `m.room.power_levels` events (rule 10 in v1–v5 and v12, 9 in v6–v11).
// https://spec.matrix.org/v1.19/rooms/v12/#authorization-rules
// https://spec.matrix.org/v1.19/rooms/v10/#authorization-rules (integer-only checks 9.1–9.3)
// https://spec.matrix.org/v1.19/rooms/v1/#authorization-rules

import type { RoomEvent } from '../events.js';
import { NAMED_LEVELS, parsePowerLevelValue, readPowerLevels, roomCreators, validatePowerLevelsContent } from '../power-levels.js';
import type { RoomVersion } from '../room-versions.js';
import { ALLOW, reject, type AuthResult } from './result.js';
import { asObject, type RoomAuthState } from './context.js';

export function checkPowerLevels(event: RoomEvent, room: RoomAuthState): AuthResult {
  const { roomVersion: rv, numbers } = room;
  const s = numbers.powerLevels;
  const sub = numbers.powerLevelsSub;

  // v10+ 1–3 / v1–v9 1: the content must be readable integers (per-version leniency).
  const validation = validatePowerLevelsContent(event.content, rv);
  if (!validation.ok) {
    const which = rv.integerOnlyPowerLevels
      ? { 'power_levels.named_not_integer': 1, 'power_levels.map_not_integers': 2, 'power_levels.users_invalid': 3 }[validation.rule]
      : 1;
    return reject(validation.rule, `${s}.${which}`, validation.reason);
  }

  // v12 4: `users` must not name a room creator.
  if (rv.creatorsInfinitePowerLevel) {
    const users = asObject(asObject(event.content)?.users) ?? {};
    for (const creator of roomCreators(room.createEvent, rv)) {
      if (Object.hasOwn(users, creator)) {
        return reject('power_levels.creator_in_users', `${s}.${sub.creators}`, `${creator} is a room creator`);
      }
    }
  }

  // No previous power levels event: allow.
  const previous = room.powerLevelsEvent;
  if (!previous) return ALLOW;

  const senderLevel = room.powerLevelOf(event.sender);
  const oldContent = asObject(previous.content) ?? {};
  const newContent = asObject(event.content) ?? {};
  const value = (content: Record<string, unknown>, key: string) => parsePowerLevelValue(content[key], rv);

  // Named levels added, changed or removed: neither the old nor the new value may exceed the sender's level.
  for (const key of NAMED_LEVELS) {
    const before = value(oldContent, key);
    const after = value(newContent, key);
    if (before === after) continue;
    if (before !== undefined && before > senderLevel) {
      return reject('power_levels.named_old_too_high', `${s}.${sub.named}.1`, `current ${key} exceeds the sender's level`);
    }
    if (after !== undefined && after > senderLevel) {
      return reject('power_levels.named_new_too_high', `${s}.${sub.named}.2`, `new ${key} exceeds the sender's level`);
    }
  }

  // `events` (and, v6+, `notifications`) entries changed/removed and added/changed.
  const mapKeys = rv.limitNotificationsPowerLevels ? ['events', 'notifications'] : ['events'];
  for (const mapKey of mapKeys) {
    const result = checkLevelMap(rv, oldContent[mapKey], newContent[mapKey], (key, before, after) => {
      if (before !== undefined && before > senderLevel) {
        return reject('power_levels.events_old_too_high', `${s}.${sub.eventsOld}.1`, `current ${mapKey}[${key}] exceeds the sender's level`);
      }
      if (after !== undefined && after > senderLevel) {
        return reject('power_levels.events_new_too_high', `${s}.${sub.eventsNew}.1`, `new ${mapKey}[${key}] exceeds the sender's level`);
      }
      return undefined;
    });
    if (result) return result;
  }

  // `users` entries changed/removed (other than the sender's own) and added/changed.
  const usersResult = checkLevelMap(rv, oldContent.users, newContent.users, (user, before, after) => {
    if (user !== event.sender && before !== undefined && before >= senderLevel) {
      return reject('power_levels.users_old_too_high', `${s}.${sub.usersOld}.1`, `cannot change the level of ${user}`);
    }
    if (after !== undefined && after > senderLevel) {
      return reject('power_levels.users_new_too_high', `${s}.${sub.usersNew}.1`, `cannot raise ${user} above the sender's level`);
    }
    return undefined;
  });
  return usersResult ?? ALLOW;
}

/** Calls `check` for every key whose level differs between the old and new map. */
function checkLevelMap(
  rv: RoomVersion,
  oldMap: unknown,
  newMap: unknown,
  check: (key: string, before: number | undefined, after: number | undefined) => AuthResult | undefined,
): AuthResult | undefined {
  const before = readPowerLevels({ events: oldMap }, rv).events;
  const after = readPowerLevels({ events: newMap }, rv).events;
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(key);
    const a = after.get(key);
    if (b === a) continue;
    const result = check(key, b, a);
    if (result) return result;
  }
  return undefined;
}
