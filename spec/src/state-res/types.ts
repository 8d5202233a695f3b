// Inputs shared by every state resolution algorithm. All lookups are synchronous functions:
// the caller loads the events first (or resolves in a worker with a serialized event map).

import type { AuthOptions } from '../auth/context.js';
import type { EventLookup } from '../auth-chain.js';
import type { StateKey } from '../events.js';

/** A room state: `stateKey(type, state_key)` → event id. */
export type StateMap = ReadonlyMap<StateKey, string>;

export interface StateResolutionInput {
  /** The states to resolve (e.g. the states after each prev event). */
  stateSets: readonly StateMap[];
  /** Every event in the state sets and their auth chains; unknown ids are skipped. */
  fetchEvent: EventLookup;
  /** Events rejected on receipt: never used as auth events in the iterative auth checks. */
  isRejected?: (eventId: string) => boolean;
  /** Verifiers for the auth rules (3PID invite signatures, restricted-join signatures). */
  authOptions?: AuthOptions;
}
