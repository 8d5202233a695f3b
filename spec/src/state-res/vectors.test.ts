// The shared state-resolution vectors: Synapse's test_v2.py cases and ruma's fixtures.
// See ../shared/spec-data/vectors/STATE_RES_README.md.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { authDifference } from '../auth-chain.js';
import { stateKey, type RoomEvent, type StateKey } from '../events.js';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';
import { resolveState, senderPowerLevel } from './index.js';
import { AuthGraph } from '../auth-chain.js';
import { reverseTopologicalPowerOrdering } from './v2.js';

const vectors = new URL('../../../../shared/spec-data/vectors/', import.meta.url);
const loadJson = (path: string): any => JSON.parse(readFileSync(new URL(path, vectors), 'utf8'));

interface Entry {
  type: string;
  state_key: string;
  event_id: string;
}
const toMap = (entries: Entry[]): Map<StateKey, string> => new Map(entries.map((e) => [stateKey(e.type, e.state_key), e.event_id]));
const sortedEntries = (map: ReadonlyMap<StateKey, string>) => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function lookupOf(events: RoomEvent[]) {
  const byId = new Map(events.map((e) => [e.event_id, e]));
  return (id: string) => byId.get(id);
}

const v2 = getRoomVersion('2')!;
const synapse = loadJson('state-res-v2.json');

describe('Synapse test_v2.py cases (state res v2)', () => {
  for (const testCase of synapse.cases) {
    const events: RoomEvent[] = testCase.materialized.events;
    const fetchEvent = lookupOf(events);

    describe(testCase.name, () => {
      for (const resolution of testCase.materialized.resolutions) {
        it(`resolves the state at ${resolution.at_event}`, () => {
          const resolved = resolveState(v2, { stateSets: resolution.state_sets.map(toMap), fetchEvent });
          expect(sortedEntries(resolved)).toEqual(sortedEntries(toMap(resolution.expected_resolved_state)));
        });
      }

      it('replays the harness and matches the expected state at END (Synapse assertion)', () => {
        // state_before(E): nothing, the state after the single prev event, or the resolution of all of them.
        const stateAfter = new Map<string, Map<StateKey, string>>();
        let stateBeforeEnd = new Map<StateKey, string>();
        for (const event of events) {
          const prevs = (event.prev_events as string[]).map((id) => stateAfter.get(id)!);
          const before = prevs.length === 0 ? new Map() : prevs.length === 1 ? new Map(prevs[0]) : resolveState(v2, { stateSets: prevs, fetchEvent });
          const after = new Map(before);
          if (typeof event.state_key === 'string') after.set(stateKey(event.type, event.state_key), event.event_id);
          stateAfter.set(event.event_id, after);
          if (event.event_id === '$END:example.com') stateBeforeEnd = before;
        }
        const expected = toMap(testCase.materialized.expected.expected_state);
        const atStart = toMap(testCase.materialized.expected.state_at_start);
        const compared = new Map([...stateBeforeEnd].filter(([key, id]) => expected.has(key) || atStart.get(key) !== id));
        expect(sortedEntries(compared)).toEqual(sortedEntries(expected));
      });
    });
  }

  it('simple fork (both concurrent joins survive)', () => {
    const fork = synapse.simple_fork;
    const resolved = resolveState(getRoomVersion(fork.room_version)!, { stateSets: fork.state_sets.map(toMap), fetchEvent: lookupOf(fork.events) });
    expect(sortedEntries(resolved)).toEqual(sortedEntries(toMap(fork.expected_resolved_state)));
  });

  for (const c of synapse.auth_chain_difference.cases) {
    it(`auth difference: ${c.name} (spec-literal reading)`, () => {
      const events = c.events.map((e: { event_id: string; auth_events: string[] }) => ({ ...e, type: 'm.room.member', sender: '@a:x', content: {}, prev_events: [] }));
      const difference = authDifference(c.state_sets_event_ids, lookupOf(events));
      expect([...difference].sort()).toEqual([...c.expected_auth_difference_spec_literal].sort());
    });
  }

  it('lexicographical topological sort: ties broken by id', () => {
    const { graph, expected_order } = synapse.lexicographical_topological_sort;
    const events = Object.entries(graph as Record<string, string[]>).map(
      ([id, auth]) => ({ event_id: id, auth_events: auth, type: 'm.room.topic', state_key: '', sender: '@a:x', content: {}, prev_events: [], origin_server_ts: 0 }) as unknown as RoomEvent,
    );
    const authGraph = AuthGraph.build(Object.keys(graph), lookupOf(events));
    const order = reverseTopologicalPowerOrdering(authGraph, [...authGraph.indexOf.values()], v2);
    expect(order).toEqual(expected_order);
  });

  describe('sender power level used by the power ordering', () => {
    const spl = synapse.sender_power_level;
    for (const c of spl.cases) {
      it(`room v${c.room_version}, power levels in auth events: ${c.pl_event_in_auth_events}`, () => {
        const rv = getRoomVersion(c.room_version)!;
        const create = { event_id: '$create', room_id: '!r:example.com', type: 'm.room.create', state_key: '', prev_events: [], auth_events: [], ...spl.create_event[c.room_version] };
        const pl = { event_id: '$pl', room_id: '!r:example.com', type: 'm.room.power_levels', state_key: '', sender: '@alice:example.com', content: spl.power_levels_content, prev_events: [], auth_events: ['$create'] };
        const known = c.pl_event_in_auth_events ? [create, pl] : [create];
        for (const [user, level] of Object.entries(c.expected)) {
          const event = { event_id: '$topic', room_id: '!r:example.com', type: 'm.room.topic', state_key: '', sender: user, content: {}, prev_events: [], auth_events: ['$create', '$pl'] } as unknown as RoomEvent;
          expect(senderPowerLevel(event, rv, lookupOf(known as RoomEvent[]))).toBe(level);
        }
      });
    }
  });
});

describe('ruma state-res fixtures (v10/v11 → v2.0, v12 → v2.1)', () => {
  const manifest = loadJson('state-res-ruma/manifest.json');
  for (const test of manifest.tests) {
    it(`${test.name} (room v${test.room_version}, ${test.mode})`, () => {
      const files: RoomEvent[][] = test.pdu_files.map((f: string) => loadJson(`state-res-ruma/${f}`));
      const pdus = files.flat();
      const rv: RoomVersion = getRoomVersion(pdus[0].content.room_version as string)!;
      expect(rv.id).toBe(test.room_version);
      const fetchEvent = lookupOf(pdus);
      const single = (e: RoomEvent) => new Map([[stateKey(e.type, e.state_key!), e.event_id]]);
      const stateSets =
        test.mode === 'batches'
          ? pdus.map(single)
          : test.state_map_files.map((f: string) => {
              const ids: string[] = loadJson(`state-res-ruma/${f}`);
              return new Map(ids.map((id) => [stateKey(fetchEvent(id)!.type, fetchEvent(id)!.state_key!), id]));
            });
      const resolved = resolveState(rv, { stateSets, fetchEvent });
      const expected = toMap(test.expected_resolved_state);
      expect(sortedEntries(resolved)).toEqual(sortedEntries(expected));
    });
  }
});
