// Event authorization rules for every room version.
// https://spec.matrix.org/v1.19/server-server-api/#authorization-rules
// Per version: rooms/v1 (v1–v2), rooms/v3 (v3–v5), rooms/v6, rooms/v7, rooms/v8 (v8–v9), rooms/v10,
// rooms/v11, rooms/v12 — each `#authorization-rules`. Differences are expressed by RoomVersion flags.
//
// How a server uses this on a new or received PDU (server-server-api#checks-performed-on-receipt-of-a-pdu):
//   1. checkEventWithoutState(event, rv)                 — format, create-event rules
//   2. checkAuthEvents(event, rv, {authEvents, ...})      — the cited auth events themselves
//   3. checkEventAgainstState(event, rv, stateFromAuthEvents(authEvents, create)) — "auth events" check
//   4. checkEventAgainstState(event, rv, stateBefore)    — state before the event; then current state (soft fail)
// `authorizeEvent` runs 1–4 in order.

import { stateKey, type PDU, type RoomEvent } from '../events.js';
import { looksLikeUserId, requiredEventLevel } from '../power-levels.js';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';
import { authEventIds, authEventStateKeys, createEventIdFromRoomId, stateFromAuthEvents, type StateLookup } from './auth-events.js';
import { asObject, RoomAuthState, serverNameOf, type AuthOptions } from './context.js';
import { checkMembership } from './membership.js';
import { checkPowerLevels } from './power-levels-rule.js';
import { ALLOW, reject, ruleNumbers, type AuthResult } from './result.js';

export type { AuthOptions } from './context.js';

/** Never let malformed input escape as an exception: it becomes a typed rejection. */
function guarded(check: () => AuthResult): AuthResult {
  try {
    return check();
  } catch (error) {
    return reject('event.malformed', 'format', `event could not be checked: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The PDU fields the rules read have the right JSON types. */
function checkFormat(event: unknown): AuthResult {
  const e = asObject(event);
  if (!e) return reject('event.malformed', 'format', 'event is not an object');
  if (typeof e.type !== 'string') return reject('event.malformed', 'format', 'type is not a string');
  if (typeof e.sender !== 'string') return reject('event.malformed', 'format', 'sender is not a string');
  if (!asObject(e.content)) return reject('event.malformed', 'format', 'content is not an object');
  if (e.state_key !== undefined && typeof e.state_key !== 'string') return reject('event.malformed', 'format', 'state_key is not a string');
  if (!Array.isArray(e.prev_events)) return reject('event.malformed', 'format', 'prev_events is not an array');
  if (!Array.isArray(e.auth_events)) return reject('event.malformed', 'format', 'auth_events is not an array');
  return ALLOW;
}

/** Rule 1: `m.room.create`. */
export function checkCreateEvent(event: PDU, rv: RoomVersion): AuthResult {
  // 1.1 It has prev_events: reject.
  if (event.prev_events.length > 0) return reject('create.has_prev_events', '1.1', 'create event has prev_events');
  if (rv.roomIdIsCreateEventHash) {
    // 1.2 (v12) It has a room_id: reject (the room ID is derived from its event ID).
    if (event.room_id !== undefined) return reject('create.has_room_id', '1.2', 'v12 create event must not have room_id');
  } else if (typeof event.room_id !== 'string' || serverNameOf(event.room_id) !== serverNameOf(event.sender)) {
    // 1.2 (v1–v11) The room_id's domain differs from the sender's: reject.
    return reject('create.room_id_domain', '1.2', 'room_id domain does not match sender domain');
  }
  // 1.3 content.room_version present and not recognised: reject.
  const content = event.content;
  if (content.room_version !== undefined && (typeof content.room_version !== 'string' || !getRoomVersion(content.room_version))) {
    return reject('create.unknown_room_version', '1.3', `unknown room_version ${JSON.stringify(content.room_version)}`);
  }
  // 1.4 (v1–v10) No content.creator: reject.
  if (rv.createContentCreatorRequired && typeof content.creator !== 'string') {
    return reject('create.no_creator', '1.4', 'content.creator is missing');
  }
  // 1.4 (v12) additional_creators present and not an array of user IDs: reject.
  if (rv.additionalCreators && content.additional_creators !== undefined) {
    const creators = content.additional_creators;
    if (!Array.isArray(creators) || !creators.every(looksLikeUserId)) {
      return reject('create.additional_creators_invalid', '1.4', 'additional_creators is not an array of user IDs');
    }
  }
  // 1.5 Otherwise, allow.
  return ALLOW;
}

/** The checks that need no room state: format, the create-event rules, (v12) the shape of room_id. */
export function checkEventWithoutState(event: RoomEvent, rv: RoomVersion): AuthResult {
  return guarded(() => {
    const format = checkFormat(event);
    if (!format.ok) return format;
    if (event.type === 'm.room.create') return checkCreateEvent(event, rv);
    if (rv.roomIdIsCreateEventHash && (typeof event.room_id !== 'string' || !event.room_id.startsWith('!'))) {
      return reject('room_id.not_create_event', '2', 'room_id is not a create event ID');
    }
    return ALLOW;
  });
}

export interface AuthEventsInput {
  /** The events the PDU cites in `auth_events` (fetched by the caller). */
  authEvents: readonly RoomEvent[];
  /** v12: the create event the room ID names (it is not cited). */
  createEvent?: RoomEvent;
  /** Whether an event was rejected (checks performed on receipt of a PDU). */
  isRejected?: (eventId: string) => boolean;
}

/** Rule 2 (v12) and the `auth_events` rule (2 in v1–v11, 3 in v12). */
export function checkAuthEvents(event: RoomEvent, rv: RoomVersion, input: AuthEventsInput): AuthResult {
  return guarded(() => {
    if (event.type === 'm.room.create') return ALLOW; // rule 1 decides on create events
    const n = ruleNumbers(rv);
    const isRejected = input.isRejected ?? (() => false);

    // 2. (v12) The room_id must be `!` + the ID of an accepted m.room.create event.
    if (rv.roomIdIsCreateEventHash) {
      const create = input.createEvent;
      const expected = typeof event.room_id === 'string' ? createEventIdFromRoomId(event.room_id) : undefined;
      if (!create || create.event_id !== expected || create.type !== 'm.room.create' || isRejected(create.event_id)) {
        return reject('room_id.not_create_event', n.roomId!, 'room_id does not name an accepted create event');
      }
    }

    const s = n.authEvents;
    const byId = new Map(input.authEvents.map((e) => [e.event_id, e]));
    const allowedKeys = authEventStateKeys(event, rv);
    const seenKeys = new Set<string>();
    let hasCreate = false;
    for (const id of authEventIds(event)) {
      const authEvent = byId.get(id);
      if (!authEvent) return reject('auth_events.missing', `${s}`, `auth event ${id} is not available`);
      const key = stateKey(authEvent.type, typeof authEvent.state_key === 'string' ? authEvent.state_key : '');
      // 1. Duplicate entries for a (type, state_key) pair: reject.
      if (seenKeys.has(key)) return reject('auth_events.duplicate', `${s}.1`, `duplicate auth event for ${authEvent.type}`);
      seenKeys.add(key);
      // 2. Entries not named by the auth events selection (v12: including the create event): reject.
      if (typeof authEvent.state_key !== 'string' || !allowedKeys.has(key)) {
        return reject('auth_events.unexpected', `${s}.2`, `auth event ${id} (${authEvent.type}) is not selectable`);
      }
      // 3. Entries that were themselves rejected: reject.
      if (isRejected(id)) return reject('auth_events.rejected', `${s}.3`, `auth event ${id} was rejected`);
      // (v12 "3.5"; a receipt check in every version) an auth event from another room: reject.
      if (authEvent.room_id !== event.room_id) {
        return reject('auth_events.wrong_room', `${s}.5`, `auth event ${id} is in another room`);
      }
      if (authEvent.type === 'm.room.create') hasCreate = true;
    }
    // 4. (v1–v11) No m.room.create among the entries: reject.
    if (rv.createEventInAuthEvents && !hasCreate) return reject('auth_events.no_create', `${s}.4`, 'no m.room.create in auth_events');
    return ALLOW;
  });
}

/**
 * The rules that depend on room state, from the `m.federate` rule on, against `stateBefore`
 * (the auth events, the state before the event, or the current state). Create events get rule 1.
 */
export function checkEventAgainstState(event: RoomEvent, rv: RoomVersion, stateBefore: StateLookup, options: AuthOptions = {}): AuthResult {
  return guarded(() => {
    const format = checkFormat(event);
    if (!format.ok) return format;
    if (event.type === 'm.room.create') return checkCreateEvent(event, rv);

    const room = new RoomAuthState(rv, stateBefore, options);
    const n = room.numbers;
    const create = room.createEvent;
    // (v1–v11 2.4 / v12 2) The room must have a create event.
    if (!create) return reject('auth_events.no_create', rv.roomIdIsCreateEventHash ? `${n.roomId}` : `${n.authEvents}.4`, 'no m.room.create in the room state');

    // m.federate is false and the sender's domain differs from the create event sender's: reject.
    if (asObject(create.content)?.['m.federate'] === false && serverNameOf(event.sender) !== serverNameOf(create.sender)) {
      return reject('federate.disallowed', n.federate, 'room does not federate with the sender');
    }

    // (v1–v5) m.room.aliases: state_key must be the sender's domain, then allow.
    if (n.aliases !== undefined && event.type === 'm.room.aliases') {
      if (event.state_key === undefined) return reject('aliases.no_state_key', `${n.aliases}.1`, 'm.room.aliases has no state_key');
      if (event.state_key !== serverNameOf(event.sender)) {
        return reject('aliases.wrong_domain', `${n.aliases}.2`, "state_key does not match the sender's domain");
      }
      return ALLOW;
    }

    if (event.type === 'm.room.member') return checkMembership(event, room);

    // The sender is not joined: reject.
    if (room.membershipOf(event.sender) !== 'join') return reject('sender.not_joined', n.senderJoined, 'sender is not joined');

    const senderLevel = room.powerLevelOf(event.sender);
    // m.room.third_party_invite: allow if and only if the sender has the invite level.
    if (event.type === 'm.room.third_party_invite') {
      if (senderLevel >= room.powerLevels.invite) return ALLOW;
      return reject('third_party_invite.insufficient_power', `${n.thirdPartyInvite}.1`, 'sender power level is below the invite level');
    }

    // The event type's required power level exceeds the sender's: reject.
    const required = requiredEventLevel(room.powerLevels, event.type, event.state_key !== undefined);
    if (required > senderLevel) {
      return reject('power.insufficient', n.requiredLevel, `sending ${event.type} requires level ${required}, sender has ${senderLevel}`);
    }

    // A state_key starting with `@` that is not the sender: reject.
    if (typeof event.state_key === 'string' && event.state_key.startsWith('@') && event.state_key !== event.sender) {
      return reject('state_key.other_user', n.userStateKey, 'state_key names another user');
    }

    if (event.type === 'm.room.power_levels') return checkPowerLevels(event, room);

    // (v1–v2) m.room.redaction: allow with the redact level, or when the redacted event's ID has the redaction's domain.
    if (n.redaction !== undefined && event.type === 'm.room.redaction') {
      if (senderLevel >= room.powerLevels.redact) return ALLOW;
      if (typeof event.redacts === 'string' && serverNameOf(event.redacts) === serverNameOf(event.event_id)) return ALLOW;
      return reject('redaction.insufficient_power', `${n.redaction}.3`, 'sender cannot redact that event');
    }

    // Otherwise, allow.
    return ALLOW;
  });
}

export interface AuthorizeInput extends AuthEventsInput {
  /** The state before the event; omit to check against the auth events only. */
  stateBefore?: StateLookup;
  options?: AuthOptions;
}

/** Every auth check of a PDU in order: without state, its auth events, then the state before it. */
export function authorizeEvent(event: RoomEvent, rv: RoomVersion, input: AuthorizeInput): AuthResult {
  return guarded(() => authorizeInOrder(event, rv, input));
}

function authorizeInOrder(event: RoomEvent, rv: RoomVersion, input: AuthorizeInput): AuthResult {
  const steps: Array<() => AuthResult> = [
    () => checkEventWithoutState(event, rv),
    () => checkAuthEvents(event, rv, input),
    () => checkEventAgainstState(event, rv, stateFromAuthEvents(input.authEvents, input.createEvent), input.options),
  ];
  if (input.stateBefore) {
    const stateBefore = input.stateBefore;
    steps.push(() => checkEventAgainstState(event, rv, stateBefore, input.options));
  }
  for (const step of steps) {
    const result = step();
    if (!result.ok) return result;
  }
  return ALLOW;
}
