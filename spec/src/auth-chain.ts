// Auth chains and the auth difference.
// https://spec.matrix.org/v1.19/rooms/v2/#definitions ("Auth chain", "Auth difference")
//
// The auth DAG reachable from the inputs is indexed once (AuthGraph: integer ids, parent arrays),
// so every later walk is an array-indexed BFS instead of set-of-string unions.

import type { RoomEvent } from './events.js';
import { authEventIds } from './auth/auth-events.js';

export type EventLookup = (eventId: string) => RoomEvent | undefined;

export class AuthGraph {
  /** Event id of each node. */
  readonly ids: string[] = [];
  /** The event of each node (`undefined` when the lookup does not know it: a leaf, walks stop there). */
  readonly events: Array<RoomEvent | undefined> = [];
  /** Auth-event node indices of each node. */
  readonly parents: number[][] = [];
  readonly indexOf = new Map<string, number>();

  private constructor(private readonly fetchEvent: EventLookup) {}

  /** Indexes every event reachable from `roots` through `auth_events`. */
  static build(roots: Iterable<string>, fetchEvent: EventLookup): AuthGraph {
    const graph = new AuthGraph(fetchEvent);
    for (const root of roots) graph.add(root);
    return graph;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Adds an event and everything it reaches; returns its node index. */
  add(rootId: string): number {
    const existing = this.indexOf.get(rootId);
    if (existing !== undefined) return existing;
    const root = this.newNode(rootId);
    const pending = [root];
    while (pending.length > 0) {
      const node = pending.pop()!;
      const event = this.events[node];
      if (!event) continue;
      const parents = this.parents[node];
      for (const parentId of authEventIds(event)) {
        let parent = this.indexOf.get(parentId);
        if (parent === undefined) {
          parent = this.newNode(parentId);
          pending.push(parent);
        }
        if (!parents.includes(parent)) parents.push(parent);
      }
    }
    return root;
  }

  private newNode(id: string): number {
    const node = this.ids.length;
    this.ids.push(id);
    this.events.push(this.fetchEvent(id));
    this.parents.push([]);
    this.indexOf.set(id, node);
    return node;
  }

  /**
   * Marks (with `mark[n] = stamp`) every node in the auth chains of `sources`: reachable through
   * at least one auth edge. Sources are marked only if another source reaches them.
   */
  markAuthChains(sources: Iterable<number>, mark: Uint32Array, stamp: number): void {
    const stack: number[] = [];
    for (const source of sources) {
      for (const parent of this.parents[source]) {
        if (mark[parent] !== stamp) {
          mark[parent] = stamp;
          stack.push(parent);
        }
      }
    }
    while (stack.length > 0) {
      const node = stack.pop()!;
      for (const parent of this.parents[node]) {
        if (mark[parent] !== stamp) {
          mark[parent] = stamp;
          stack.push(parent);
        }
      }
    }
  }

  /** The auth chain (ids) of a set of nodes: the union of their auth chains. */
  authChainOf(sources: Iterable<number>): Set<string> {
    const mark = new Uint32Array(this.size);
    this.markAuthChains(sources, mark, 1);
    const chain = new Set<string>();
    for (let n = 0; n < mark.length; n++) if (mark[n] === 1) chain.add(this.ids[n]);
    return chain;
  }

  /**
   * ∪Cᵢ − ∩Cᵢ where Cᵢ is the full auth chain of state set i (union of its events' auth chains,
   * the events themselves excluded as the spec defines the auth chain).
   */
  authDifferenceNodes(stateSets: ReadonlyArray<Iterable<number>>): number[] {
    const mark = new Uint32Array(this.size);
    const count = new Uint32Array(this.size);
    stateSets.forEach((set, i) => {
      this.markAuthChains(set, mark, i + 1);
      for (let n = 0; n < mark.length; n++) if (mark[n] === i + 1) count[n]++;
    });
    const difference: number[] = [];
    for (let n = 0; n < count.length; n++) if (count[n] > 0 && count[n] < stateSets.length) difference.push(n);
    return difference;
  }
}

/** The auth chain of an event: all its auth events, theirs, and so on (not the event itself). */
export function authChain(eventId: string, fetchEvent: EventLookup): Set<string> {
  const graph = AuthGraph.build([eventId], fetchEvent);
  return graph.authChainOf([graph.indexOf.get(eventId)!]);
}

/** The auth difference of state sets given as the event ids of each set. */
export function authDifference(stateSets: ReadonlyArray<Iterable<string>>, fetchEvent: EventLookup): Set<string> {
  const sets = stateSets.map((s) => [...s]);
  const graph = AuthGraph.build(sets.flat(), fetchEvent);
  const nodes = graph.authDifferenceNodes(sets.map((s) => s.map((id) => graph.indexOf.get(id)!)));
  return new Set(nodes.map((n) => graph.ids[n]));
}
