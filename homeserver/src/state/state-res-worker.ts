// Worker thread for large state resolutions: receives a serialized event map, resolves with the
// synchronous spec functions, and posts back the resolved state.

import { parentPort } from 'node:worker_threads';
import { getRoomVersion, resolveState, type RoomEvent } from '@parley/spec';

export interface StateResRequest {
  id: number;
  roomVersion: string;
  stateSets: Array<Array<[string, string]>>;
  events: RoomEvent[];
  rejected: string[];
}

export type StateResReply = { id: number; ok: true; state: Array<[string, string]> } | { id: number; ok: false; error: string };

export function handleStateResRequest(request: StateResRequest): StateResReply {
  try {
    const rv = getRoomVersion(request.roomVersion);
    if (!rv) return { id: request.id, ok: false, error: `unknown room version ${request.roomVersion}` };
    const events = new Map(request.events.map((e) => [e.event_id, e]));
    const rejected = new Set(request.rejected);
    const state = resolveState(rv, {
      stateSets: request.stateSets.map((entries) => new Map(entries)),
      fetchEvent: (id) => events.get(id),
      isRejected: (id) => rejected.has(id),
    });
    return { id: request.id, ok: true, state: [...state] };
  } catch (error) {
    return { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

parentPort?.on('message', (request: StateResRequest) => {
  parentPort!.postMessage(handleStateResRequest(request));
});
