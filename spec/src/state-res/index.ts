// State resolution, dispatched on the room version's algorithm.

import type { StateKey } from '../events.js';
import type { RoomVersion } from '../room-versions.js';
import type { StateResolutionInput } from './types.js';
import { resolveStateV1 } from './v1.js';
import { resolveStateV2 } from './v2.js';

export * from './types.js';
export { resolveStateV1 } from './v1.js';
export {
  authDifferenceNodes,
  conflictedSubgraph,
  fullConflictedSet,
  isPowerEvent,
  iterativeAuthChecks,
  mainlineOrdering,
  resolveStateV2,
  reverseTopologicalPowerOrdering,
  senderPowerLevel,
  separateConflicted,
  type IterativeAuthContext,
} from './v2.js';

/**
 * The resolution of a set of states: v1 (room v1), v2 (v2–v11) or v2.1 (v12), per
 * `roomVersion.stateResolution`. Synchronous; every lookup is in `input`.
 */
export function resolveState(roomVersion: RoomVersion, input: StateResolutionInput): Map<StateKey, string> {
  return roomVersion.stateResolution === 'v1' ? resolveStateV1(roomVersion, input) : resolveStateV2(roomVersion, input);
}
