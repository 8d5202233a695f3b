import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthGraph } from '../auth-chain.js';
import { stateKey, type RoomEvent, type StateKey } from '../events.js';
import { getRoomVersion } from '../room-versions.js';
import { buildForkedRoom } from '../test-support/forked-room.js';
import { ALICE, BOB, CHARLIE, RoomBuilder } from '../test-support/room-builder.js';
import { resolveState } from './index.js';
import { sha1Hex } from './sha1.js';
import { conflictedSubgraph, mainlineOrdering, separateConflicted } from './v2.js';

const sorted = (state: ReadonlyMap<StateKey, string>) => [...state].sort(([a], [b]) => (a < b ? -1 : 1));

/** Two branches from a common room; each branch's state after its events. */
function contestedRoom(version: string) {
  const room = RoomBuilder.standard(version);
  room.join(BOB);
  room.join(CHARLIE);
  const fork = room.checkpoint();
  room.add({ type: 'm.room.topic', sender: ALICE, state_key: '', content: { topic: 'a' } });
  room.member(ALICE, CHARLIE, 'ban');
  const a = room.snapshot();
  room.restore(fork);
  room.add({ type: 'm.room.topic', sender: CHARLIE, state_key: '', content: { topic: 'c' } }); // Charlie lacks power
  room.add({ type: 'm.room.name', sender: ALICE, state_key: '', content: { name: 'n' } });
  room.member(BOB, BOB, 'leave');
  const b = room.snapshot();
  return { room, stateSets: [a, b] };
}

describe('separateConflicted', () => {
  it('splits keys equal in every set from the rest (a key missing from a set is conflicted)', () => {
    const k1 = stateKey('t', '1');
    const k2 = stateKey('t', '2');
    const k3 = stateKey('t', '3');
    const { unconflicted, conflicted } = separateConflicted([new Map([[k1, '$a'], [k2, '$b'], [k3, '$x']]), new Map([[k1, '$a'], [k2, '$c']])]);
    expect([...unconflicted]).toEqual([[k1, '$a']]);
    expect([...conflicted].sort()).toEqual(['$b', '$c', '$x']);
  });
});

describe('conflictedSubgraph (v2.1)', () => {
  it('holds the events on auth paths between conflicted events, endpoints included', () => {
    const events = new Map<string, RoomEvent>();
    const add = (id: string, auth: string[]) => events.set(id, { event_id: id, auth_events: auth } as unknown as RoomEvent);
    add('$root', []);
    add('$low', ['$root']); // conflicted
    add('$mid', ['$low']);
    add('$side', ['$root']);
    add('$high', ['$mid', '$side']); // conflicted
    const graph = AuthGraph.build(['$high', '$low'], (id) => events.get(id));
    const nodes = conflictedSubgraph(graph, ['$high', '$low'].map((id) => graph.indexOf.get(id)!));
    expect(nodes.map((n) => graph.ids[n]).sort()).toEqual(['$high', '$low', '$mid']);
  });
});

describe('mainlineOrdering', () => {
  it('orders by mainline position (further back first), then timestamp, then id', () => {
    const events = new Map<string, RoomEvent>();
    const add = (id: string, type: string, auth: string[], ts: number) =>
      events.set(id, { event_id: id, type, state_key: '', auth_events: auth, origin_server_ts: ts } as unknown as RoomEvent);
    add('$p0', 'm.room.power_levels', [], 0);
    add('$p1', 'm.room.power_levels', ['$p0'], 1);
    add('$p2', 'm.room.power_levels', ['$p1'], 2);
    add('$onP2', 'm.room.topic', ['$p2'], 3);
    add('$onP0', 'm.room.topic', ['$p0'], 9);
    add('$none', 'm.room.topic', [], 10);
    add('$onP0b', 'm.room.name', ['$p0'], 9);
    const order = mainlineOrdering(['$onP2', '$onP0', '$none', '$onP0b'], '$p2', (id) => events.get(id));
    expect(order).toEqual(['$none', '$onP0', '$onP0b', '$onP2']);
  });
});

describe('state resolution v1 (room v1)', () => {
  it('resolves auth conflicts by depth and checks the rest against the resolved state', () => {
    const { room, stateSets } = contestedRoom('1');
    const resolved = resolveState(room.roomVersion, { stateSets, fetchEvent: room.fetch });
    const eventAt = (type: string, key: string) => room.fetch(resolved.get(stateKey(type, key))!)!;
    expect(eventAt('m.room.member', CHARLIE).content.membership).toBe('ban');
    expect(eventAt('m.room.member', BOB).content.membership).toBe('leave');
    expect(eventAt('m.room.name', '').content.name).toBe('n');
    // Charlie's topic has the higher depth but Charlie cannot set it: Alice's wins.
    expect(eventAt('m.room.topic', '').content.topic).toBe('a');
  });

  it('sha1 matches known digests', () => {
    expect(sha1Hex('')).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(sha1Hex('abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(sha1Hex('a'.repeat(1000))).toBe('291e9a6c66994949b57ba5e650361e98fc36b1ba');
  });
});

describe('state resolution v2 / v2.1 on a contested room', () => {
  it.each(['2', '10', '12'])('v%s: the ban and leave survive, the powerless topic does not', (v) => {
    const { room, stateSets } = contestedRoom(v);
    const resolved = resolveState(room.roomVersion, { stateSets, fetchEvent: room.fetch });
    const eventAt = (type: string, key: string) => room.fetch(resolved.get(stateKey(type, key))!)!;
    expect(eventAt('m.room.member', CHARLIE).content.membership).toBe('ban');
    expect(eventAt('m.room.member', BOB).content.membership).toBe('leave');
    expect(eventAt('m.room.topic', '').content.topic).toBe('a');
    expect(eventAt('m.room.name', '').content.name).toBe('n');
  });

  it('never throws on events with junk content or unknown ids', () => {
    const { room, stateSets } = contestedRoom('10');
    const junk = { ...room.fetch(stateSets[0].get(stateKey('m.room.topic', ''))!)!, event_id: '$junk', content: null, auth_events: 'x' } as unknown as RoomEvent;
    const sets = [new Map([...stateSets[0], [stateKey('m.room.topic', ''), '$junk']]), new Map([...stateSets[1], [stateKey('x', ''), '$unknown']])];
    const fetchEvent = (id: string) => (id === '$junk' ? junk : room.fetch(id));
    expect(() => resolveState(room.roomVersion, { stateSets: sets, fetchEvent })).not.toThrow();
  });
});

describe('property: resolution does not depend on the order of state sets or of their entries', () => {
  const scenarios = [
    ...['1', '2', '10', '12'].map((v) => ({ name: `contested v${v}`, ...contestedRoom(v) })),
    ...['10', '12'].map((v) => {
      const forked = buildForkedRoom({ roomVersion: v, historyEvents: 300, conflictedEvents: 40 });
      return { name: `forked v${v}`, room: { roomVersion: getRoomVersion(v)!, fetch: (id: string) => forked.events.get(id) }, stateSets: forked.stateSets };
    }),
  ];
  for (const scenario of scenarios) {
    it(scenario.name, () => {
      // A third state set mixing the two makes the permutations more interesting.
      const mixed = new Map([...scenario.stateSets[0]].map(([key, id], i) => [key, i % 2 ? id : scenario.stateSets[1].get(key) ?? id]));
      const sets = [...scenario.stateSets, mixed];
      const expected = sorted(resolveState(scenario.room.roomVersion, { stateSets: sets, fetchEvent: scenario.room.fetch }));
      fc.assert(
        fc.property(fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }), fc.array(fc.integer(), { minLength: 3, maxLength: 3 }), (order, seeds) => {
          const permuted = order.map((i, n) => {
            const entries = [...sets[i]];
            // Deterministic shuffle of the entries from the seed.
            let seed = seeds[n] >>> 0;
            for (let j = entries.length - 1; j > 0; j--) {
              seed = (seed * 1664525 + 1013904223) >>> 0;
              const k = seed % (j + 1);
              [entries[j], entries[k]] = [entries[k], entries[j]];
            }
            return new Map(entries);
          });
          const resolved = resolveState(scenario.room.roomVersion, { stateSets: permuted, fetchEvent: scenario.room.fetch });
          expect(sorted(resolved)).toEqual(expected);
        }),
        { numRuns: 25 },
      );
    });
  }
});
