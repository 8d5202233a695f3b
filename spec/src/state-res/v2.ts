// State resolution v2 (room versions 2–11) and v2.1 (room version 12).
// https://spec.matrix.org/v1.19/rooms/v2/#state-resolution
// https://spec.matrix.org/v1.19/rooms/v12/#state-resolution (v2.1: empty base state, conflicted state subgraph)
// Each exported function is named after the spec's definition or algorithm step it implements.

import { AuthGraph, type EventLookup } from '../auth-chain.js';
import { authEventIds, createEventIdFromRoomId, type StateLookup } from '../auth/auth-events.js';
import type { AuthOptions } from '../auth/context.js';
import { checkEventAgainstState } from '../auth/rules.js';
import { stateKey, type RoomEvent, type StateKey } from '../events.js';
import { userPowerLevel } from '../power-levels.js';
import type { RoomVersion } from '../room-versions.js';
import { PriorityQueue } from './priority-queue.js';
import type { StateMap, StateResolutionInput } from './types.js';

const POWER_LEVELS = stateKey('m.room.power_levels', '');
const CREATE = stateKey('m.room.create', '');

/**
 * Unconflicted state map and conflicted state set: a key present in every state with the same
 * event is unconflicted; every event of any other key is conflicted.
 */
export function separateConflicted(stateSets: readonly StateMap[]): { unconflicted: Map<StateKey, string>; conflicted: Set<string> } {
  const unconflicted = new Map<StateKey, string>();
  const conflicted = new Set<string>();
  const keys = new Set<StateKey>();
  for (const set of stateSets) for (const key of set.keys()) keys.add(key);
  for (const key of keys) {
    const first = stateSets[0]?.get(key);
    const same = first !== undefined && stateSets.every((set) => set.get(key) === first);
    if (same) unconflicted.set(key, first);
    else for (const set of stateSets) {
      const id = set.get(key);
      if (id !== undefined) conflicted.add(id);
    }
  }
  return { unconflicted, conflicted };
}

/**
 * Power events: `m.room.power_levels`, `m.room.join_rules`, and `m.room.member` leave/ban of
 * another user (events that might remove someone's ability to do something).
 */
export function isPowerEvent(event: RoomEvent): boolean {
  if (typeof event.state_key !== 'string') return false;
  if (event.type === 'm.room.power_levels' || event.type === 'm.room.join_rules') return true;
  if (event.type !== 'm.room.member') return false;
  const membership = (event.content as { membership?: unknown } | undefined)?.membership;
  return (membership === 'leave' || membership === 'ban') && event.sender !== event.state_key;
}

/** Auth difference (node indices): events not in every state set's full auth chain. */
export function authDifferenceNodes(graph: AuthGraph, stateSets: readonly StateMap[]): number[] {
  return graph.authDifferenceNodes(stateSets.map((set) => [...set.values()].map((id) => graph.add(id))));
}

/**
 * (v2.1) Conflicted state subgraph: every event on an `auth_events` path between two conflicted
 * events, endpoints included — i.e. reachable from a conflicted event and reaching one.
 */
export function conflictedSubgraph(graph: AuthGraph, conflicted: readonly number[]): number[] {
  const reachable = new Uint8Array(graph.size);
  const stack = [...conflicted];
  for (const n of conflicted) reachable[n] = 1;
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const parent of graph.parents[node]) {
      if (!reachable[parent]) {
        reachable[parent] = 1;
        stack.push(parent);
      }
    }
  }
  // Walk back from the conflicted events along child edges, staying inside `reachable`.
  const children: number[][] = Array.from({ length: graph.size }, () => []);
  for (let n = 0; n < graph.size; n++) {
    if (reachable[n]) for (const parent of graph.parents[n]) children[parent].push(n);
  }
  const onPath = new Uint8Array(graph.size);
  for (const n of conflicted) {
    onPath[n] = 1;
    stack.push(n);
  }
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const child of children[node]) {
      if (!onPath[child]) {
        onPath[child] = 1;
        stack.push(child);
      }
    }
  }
  const subgraph: number[] = [];
  for (let n = 0; n < graph.size; n++) if (onPath[n] && reachable[n]) subgraph.push(n);
  return subgraph;
}

/** Full conflicted set: conflicted set ∪ auth difference (∪ conflicted state subgraph in v2.1). */
export function fullConflictedSet(graph: AuthGraph, rv: RoomVersion, stateSets: readonly StateMap[], conflicted: Iterable<string>): number[] {
  const conflictedNodes = [...conflicted].map((id) => graph.add(id));
  const full = new Set<number>(conflictedNodes);
  for (const n of authDifferenceNodes(graph, stateSets)) full.add(n);
  if (rv.stateResConflictedSubgraph) for (const n of conflictedSubgraph(graph, conflictedNodes)) full.add(n);
  // Events the lookup does not know cannot be ordered or checked: leave them out.
  return [...full].filter((n) => graph.events[n] !== undefined);
}

/** The create event of a v12 room is not cited: it is the event the room ID names. */
function impliedCreateEventId(rv: RoomVersion, event: RoomEvent): string | undefined {
  return !rv.createEventInAuthEvents && typeof event.room_id === 'string' ? createEventIdFromRoomId(event.room_id) : undefined;
}

/** An event's (non-rejected) auth events by state key, plus the implied v12 create event. */
function authEventsByKey(rv: RoomVersion, event: RoomEvent, fetchEvent: EventLookup, isRejected: (id: string) => boolean): Map<StateKey, RoomEvent> {
  const byKey = new Map<StateKey, RoomEvent>();
  for (const id of authEventIds(event)) {
    const authEvent = fetchEvent(id);
    if (authEvent && typeof authEvent.state_key === 'string' && !isRejected(id)) {
      byKey.set(stateKey(authEvent.type, authEvent.state_key), authEvent);
    }
  }
  const createId = impliedCreateEventId(rv, event);
  if (createId !== undefined && !byKey.has(CREATE)) {
    const create = fetchEvent(createId);
    if (create && !isRejected(createId)) byKey.set(CREATE, create);
  }
  return byKey;
}

/** The sender's power level "when looking at their respective auth_events". */
export function senderPowerLevel(event: RoomEvent, rv: RoomVersion, fetchEvent: EventLookup, isRejected: (id: string) => boolean = () => false): number {
  const auth = authEventsByKey(rv, event, fetchEvent, isRejected);
  const create = event.type === 'm.room.create' ? event : auth.get(CREATE);
  return userPowerLevel(event.sender, create, auth.get(POWER_LEVELS), rv);
}

function timestampOf(event: RoomEvent | undefined): number {
  const ts = event?.origin_server_ts;
  return typeof ts === 'number' && Number.isFinite(ts) ? ts : 0;
}

/**
 * Reverse topological power ordering: Kahn's algorithm over the auth DAG restricted to `nodes`,
 * earliest first, always taking the candidate with the greatest sender power level, then the
 * smallest `origin_server_ts`, then the smallest event id.
 */
export function reverseTopologicalPowerOrdering(
  graph: AuthGraph,
  nodes: readonly number[],
  rv: RoomVersion,
  isRejected: (id: string) => boolean = () => false,
): string[] {
  const fetchEvent: EventLookup = (id) => {
    const n = graph.indexOf.get(id);
    return n === undefined ? undefined : graph.events[n];
  };
  const inSet = new Set(nodes);
  const power = new Map<number, number>();
  const pendingParents = new Map<number, number>();
  const children = new Map<number, number[]>();
  for (const n of nodes) {
    power.set(n, senderPowerLevel(graph.events[n]!, rv, fetchEvent, isRejected));
    let count = 0;
    for (const parent of graph.parents[n]) {
      if (!inSet.has(parent)) continue;
      count++;
      const list = children.get(parent);
      if (list) list.push(n);
      else children.set(parent, [n]);
    }
    pendingParents.set(n, count);
  }
  const queue = new PriorityQueue<number>((a, b) => {
    const pa = power.get(a)!;
    const pb = power.get(b)!;
    if (pa !== pb) return pa > pb;
    const ta = timestampOf(graph.events[a]);
    const tb = timestampOf(graph.events[b]);
    if (ta !== tb) return ta < tb;
    return graph.ids[a] < graph.ids[b];
  });
  for (const n of nodes) if (pendingParents.get(n) === 0) queue.push(n);
  const ordered: string[] = [];
  for (let n = queue.pop(); n !== undefined; n = queue.pop()) {
    ordered.push(graph.ids[n]);
    for (const child of children.get(n) ?? []) {
      const left = pendingParents.get(child)! - 1;
      pendingParents.set(child, left);
      if (left === 0) queue.push(child);
    }
  }
  return ordered;
}

export interface IterativeAuthContext {
  fetchEvent: EventLookup;
  isRejected?: (eventId: string) => boolean;
  authOptions?: AuthOptions;
}

/**
 * Iterative auth checks: apply each event, in order, to the state if the auth rules allow it
 * against that state; keys the rules need that the state lacks come from the event's own
 * (non-rejected) auth events.
 */
export function iterativeAuthChecks(rv: RoomVersion, eventIds: readonly string[], baseState: StateMap, ctx: IterativeAuthContext): Map<StateKey, string> {
  const state = new Map(baseState);
  const isRejected = ctx.isRejected ?? (() => false);
  for (const id of eventIds) {
    const event = ctx.fetchEvent(id);
    if (!event || typeof event.state_key !== 'string') continue;
    const authEvents = authEventsByKey(rv, event, ctx.fetchEvent, isRejected);
    const lookup: StateLookup = (type, key) => {
      const k = stateKey(type, key);
      const fromState = state.get(k);
      const resolved = fromState === undefined ? undefined : ctx.fetchEvent(fromState);
      return resolved ?? authEvents.get(k);
    };
    if (checkEventAgainstState(event, rv, lookup, ctx.authOptions).ok) state.set(stateKey(event.type, event.state_key), id);
  }
  return state;
}

/** The `m.room.power_levels` event among an event's auth events, if any. */
function powerLevelsAuthEvent(event: RoomEvent, fetchEvent: EventLookup): string | undefined {
  for (const id of authEventIds(event)) {
    if (fetchEvent(id)?.type === 'm.room.power_levels') return id;
  }
  return undefined;
}

/**
 * Mainline ordering based on the power levels event `powerLevelsEventId`: events whose power
 * level chain meets the mainline further back come first, then by `origin_server_ts`, then by id.
 */
export function mainlineOrdering(eventIds: readonly string[], powerLevelsEventId: string | undefined, fetchEvent: EventLookup): string[] {
  const mainlineIndex = new Map<string, number>();
  for (let id = powerLevelsEventId, i = 0; id !== undefined && !mainlineIndex.has(id); i++) {
    mainlineIndex.set(id, i);
    const event = fetchEvent(id);
    id = event ? powerLevelsAuthEvent(event, fetchEvent) : undefined;
  }
  // Position from a power levels event e_j (j ≥ 1) onwards, memoised along shared chains.
  const positionFrom = new Map<string, number>();
  const position = (start: string | undefined): number => {
    const walked: string[] = [];
    let result = Number.POSITIVE_INFINITY;
    for (let id = start; id !== undefined; ) {
      const known = mainlineIndex.get(id) ?? positionFrom.get(id);
      if (known !== undefined) {
        result = known;
        break;
      }
      walked.push(id);
      const event = fetchEvent(id);
      id = event ? powerLevelsAuthEvent(event, fetchEvent) : undefined;
      if (id !== undefined && walked.includes(id)) break; // malformed cycle
    }
    for (const id of walked) positionFrom.set(id, result);
    return result;
  };
  const keyed = eventIds.map((id) => {
    const event = fetchEvent(id);
    return {
      id,
      position: event ? position(powerLevelsAuthEvent(event, fetchEvent)) : Number.POSITIVE_INFINITY,
      ts: timestampOf(event),
    };
  });
  keyed.sort((a, b) => {
    if (a.position !== b.position) return a.position > b.position ? -1 : 1;
    if (a.ts !== b.ts) return a.ts - b.ts;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return keyed.map((k) => k.id);
}

/** The resolution of a set of states (v2 for rooms 2–11; v2.1 when the room version says so). */
export function resolveStateV2(rv: RoomVersion, input: StateResolutionInput): Map<StateKey, string> {
  const { stateSets, fetchEvent } = input;
  const isRejected = input.isRejected ?? (() => false);
  const { unconflicted, conflicted } = separateConflicted(stateSets);
  if (conflicted.size === 0) return unconflicted;

  const graph = AuthGraph.build([...conflicted, ...stateSets.flatMap((set) => [...set.values()])], fetchEvent);
  const lookup: EventLookup = (id) => {
    const n = graph.indexOf.get(id);
    return n === undefined ? fetchEvent(id) : graph.events[n];
  };
  const full = fullConflictedSet(graph, rv, stateSets, conflicted);

  // 1. Power events of the full conflicted set plus their auth chains within it, in reverse
  //    topological power ordering.
  const inFull = new Uint8Array(graph.size);
  for (const n of full) inFull[n] = 1;
  const powerEvents = full.filter((n) => isPowerEvent(graph.events[n]!));
  const mark = new Uint32Array(graph.size);
  graph.markAuthChains(powerEvents, mark, 1);
  const selected = new Uint8Array(graph.size);
  for (const n of powerEvents) selected[n] = 1;
  for (const n of full) if (mark[n] === 1) selected[n] = 1;
  const powerNodes = full.filter((n) => selected[n]);
  const sortedPower = reverseTopologicalPowerOrdering(graph, powerNodes, rv, isRejected);

  // 2. Iterative auth checks from the unconflicted state map (v2.1: from an empty state).
  const ctx: IterativeAuthContext = { fetchEvent: lookup, isRejected, authOptions: input.authOptions };
  const base = rv.stateResEmptyBaseState ? new Map<StateKey, string>() : unconflicted;
  let partial = iterativeAuthChecks(rv, sortedPower, base, ctx);

  // 3–4. The other events in mainline order of the resolved power levels, then iterative auth checks.
  const others = full.filter((n) => !selected[n]).map((n) => graph.ids[n]);
  partial = iterativeAuthChecks(rv, mainlineOrdering(others, partial.get(POWER_LEVELS), lookup), partial, ctx);

  // 5. The unconflicted state map wins.
  for (const [key, id] of unconflicted) partial.set(key, id);
  return partial;
}
