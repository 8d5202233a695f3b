// Which state events a new event must cite in its `auth_events`.
// https://spec.matrix.org/v1.19/server-server-api/#auth-events-selection

import { edgeIds, stateKey, type JsonObject, type PDU, type RoomEvent, type StateKey } from '../events.js';
import type { RoomVersion } from '../room-versions.js';

/** The parts of an event that decide its auth events (so a server can select them before building it). */
export type AuthSelectionInput = Pick<PDU, 'type' | 'sender' | 'state_key' | 'content'>;

export type StateLookup = (type: string, stateKey: string) => RoomEvent | undefined;

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/**
 * The `(type, state_key)` pairs the event's auth events may have: the create event (v1–v11
 * only: in v12 the room ID implies it), the power levels, the sender's membership; for
 * `m.room.member` also the target's membership, the join rules for join/invite/knock, the
 * `m.room.third_party_invite` named by a 3PID invite's token and (v8+) the membership of the
 * user named by `join_authorised_via_users_server` on joins.
 */
export function authEventKeys(event: AuthSelectionInput, roomVersion: RoomVersion): Array<[type: string, stateKey: string]> {
  const keys: Array<[string, string]> = [];
  if (roomVersion.createEventInAuthEvents) keys.push(['m.room.create', '']);
  keys.push(['m.room.power_levels', ''], ['m.room.member', event.sender]);
  if (event.type !== 'm.room.member' || typeof event.state_key !== 'string') return keys;

  const content = asObject(event.content) ?? {};
  const membership = content.membership;
  keys.push(['m.room.member', event.state_key]);
  if (membership === 'join' || membership === 'invite' || membership === 'knock') {
    keys.push(['m.room.join_rules', '']);
  }
  if (membership === 'invite') {
    const token = asObject(asObject(content.third_party_invite)?.signed)?.token;
    if (typeof token === 'string') keys.push(['m.room.third_party_invite', token]);
  }
  const authoriser = content.join_authorised_via_users_server;
  if (membership === 'join' && roomVersion.restrictedJoinRule && typeof authoriser === 'string') {
    keys.push(['m.room.member', authoriser]);
  }
  return keys;
}

/** The same keys as `authEventKeys`, as `stateKey(type, key)` strings. */
export function authEventStateKeys(event: AuthSelectionInput, roomVersion: RoomVersion): Set<StateKey> {
  return new Set(authEventKeys(event, roomVersion).map(([type, key]) => stateKey(type, key)));
}

/** Event IDs to put in a new event's `auth_events`, taken from the current state, sorted. */
export function selectAuthEvents(event: AuthSelectionInput, roomVersion: RoomVersion, currentState: StateLookup): string[] {
  const ids = new Set<string>();
  for (const [type, key] of authEventKeys(event, roomVersion)) {
    const found = currentState(type, key);
    if (found) ids.add(found.event_id);
  }
  return [...ids].sort();
}

/**
 * v12: the room ID is the create event's ID with `!` instead of `$`
 * (https://spec.matrix.org/v1.19/rooms/v12/#event-format).
 */
export function createEventIdFromRoomId(roomId: string): string {
  return `$${roomId.slice(1)}`;
}

/** The event IDs in `auth_events`, tolerating malformed edges (non-arrays yield nothing). */
export function authEventIds(event: PDU): string[] {
  if (!Array.isArray(event.auth_events)) return [];
  return edgeIds(event.auth_events.filter((e) => typeof e === 'string' || (Array.isArray(e) && typeof e[0] === 'string')));
}

/**
 * A state lookup over an event's auth events: how the auth rules see the room "according to the
 * auth events". In v12 the create event is not cited, so pass it as `createEvent`.
 */
export function stateFromAuthEvents(authEvents: readonly RoomEvent[], createEvent?: RoomEvent): StateLookup {
  const byKey = new Map<StateKey, RoomEvent>();
  for (const e of authEvents) if (typeof e.state_key === 'string') byKey.set(stateKey(e.type, e.state_key), e);
  if (createEvent && !byKey.has(stateKey('m.room.create', ''))) byKey.set(stateKey('m.room.create', ''), createEvent);
  return (type, key) => byKey.get(stateKey(type, key));
}
