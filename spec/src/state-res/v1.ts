// State resolution v1 (room version 1). https://spec.matrix.org/v1.19/rooms/v1/#state-resolution

import { checkEventAgainstState } from '../auth/rules.js';
import { splitStateKey, stateKey, type RoomEvent, type StateKey } from '../events.js';
import type { RoomVersion } from '../room-versions.js';
import { sha1Hex } from './sha1.js';
import type { StateResolutionInput } from './types.js';
import { separateConflicted } from './v2.js';

/** The conflicting events of each conflicted key (keys present with different events). */
function conflictsByKey(input: StateResolutionInput, conflicted: Set<string>): Map<StateKey, RoomEvent[]> {
  const byKey = new Map<StateKey, RoomEvent[]>();
  for (const set of input.stateSets) {
    for (const [key, id] of set) {
      if (!conflicted.has(id)) continue;
      const event = input.fetchEvent(id);
      if (!event) continue;
      const list = byKey.get(key) ?? [];
      if (!list.some((e) => e.event_id === id)) list.push(event);
      byKey.set(key, list);
    }
  }
  return byKey;
}

const depthOf = (e: RoomEvent) => (typeof e.depth === 'number' ? e.depth : 0);

export function resolveStateV1(rv: RoomVersion, input: StateResolutionInput): Map<StateKey, string> {
  const { unconflicted, conflicted } = separateConflicted(input.stateSets);
  // R starts as the union of the states, excluding conflicting events.
  const resolved = new Map(unconflicted);
  const conflicts = conflictsByKey(input, conflicted);
  const hash = new Map<string, string>();
  const sha1 = (e: RoomEvent) => hash.get(e.event_id) ?? (hash.set(e.event_id, sha1Hex(e.event_id)), hash.get(e.event_id)!);
  const allowed = (event: RoomEvent) =>
    checkEventAgainstState(event, rv, (type, key) => {
      const id = resolved.get(stateKey(type, key));
      return id === undefined ? undefined : input.fetchEvent(id);
    }, input.authOptions).ok;

  // Power levels, then join rules, then each membership: ascending depth, descending sha1(event_id);
  // take the first, then each next one while the auth rules allow it in R.
  const authOrder = (key: StateKey) => ['m.room.power_levels', 'm.room.join_rules', 'm.room.member'].indexOf(splitStateKey(key)[0]);
  const authKeys = [...conflicts.keys()].filter((k) => authOrder(k) >= 0).sort((a, b) => authOrder(a) - authOrder(b) || (a < b ? -1 : 1));
  for (const key of authKeys) {
    const events = [...conflicts.get(key)!].sort((a, b) => depthOf(a) - depthOf(b) || (sha1(a) < sha1(b) ? 1 : -1));
    resolved.set(key, events[0].event_id);
    for (const event of events.slice(1)) {
      if (!allowed(event)) break;
      resolved.set(key, event.event_id);
    }
  }

  // Every other conflict: the highest depth, lowest sha1(event_id) that passes auth in R.
  for (const [key, events] of [...conflicts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (authOrder(key) >= 0) continue;
    const ordered = [...events].sort((a, b) => depthOf(b) - depthOf(a) || (sha1(a) < sha1(b) ? -1 : 1));
    const winner = ordered.find(allowed);
    if (winner) resolved.set(key, winner.event_id);
  }
  return resolved;
}
