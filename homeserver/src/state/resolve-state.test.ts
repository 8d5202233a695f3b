import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { stateKey, type RoomEvent, type StateKey } from '@parley/spec';
import { buildForkedRoom } from '../../../spec/src/test-support/forked-room.js'; // test helper, not part of the package API
import { resolveState, stopStateResWorker } from './resolve-state.js';

const vectors = new URL('../../../../shared/spec-data/vectors/', import.meta.url);
const loadJson = (path: string): any => JSON.parse(readFileSync(new URL(path, vectors), 'utf8'));
const sorted = (state: ReadonlyMap<StateKey, string>) => [...state].sort(([a], [b]) => (a < b ? -1 : 1));

const IN_PROCESS = { workerThreshold: Number.POSITIVE_INFINITY };
const IN_WORKER = { workerThreshold: 0 };

afterAll(() => stopStateResWorker());

describe('resolveState: in-process and worker paths agree', () => {
  const manifest = loadJson('state-res-ruma/manifest.json');
  for (const test of manifest.tests.filter((t: any) => t.mode === 'state_maps')) {
    it(`${test.name}`, async () => {
      const pdus: RoomEvent[] = test.pdu_files.flatMap((f: string) => loadJson(`state-res-ruma/${f}`));
      const events = new Map(pdus.map((e) => [e.event_id, e]));
      const stateSets = test.state_map_files.map((f: string) => {
        const ids: string[] = loadJson(`state-res-ruma/${f}`);
        return new Map(ids.map((id) => [stateKey(events.get(id)!.type, events.get(id)!.state_key!), id]));
      });
      const local = await resolveState(test.room_version, stateSets, events, IN_PROCESS);
      const remote = await resolveState(test.room_version, stateSets, events, IN_WORKER);
      expect(sorted(remote)).toEqual(sorted(local));
      expect(sorted(local).map(([, id]) => id).sort()).toEqual(test.expected_resolved_state.map((e: any) => e.event_id).sort());
    }, 30_000);
  }

  for (const roomVersion of ['10', '12']) {
    it(`a forked room of 1,500 events (room v${roomVersion})`, async () => {
      const room = buildForkedRoom({ roomVersion, historyEvents: 1_500, conflictedEvents: 100 });
      const local = await resolveState(room.roomVersion, room.stateSets, room.events, IN_PROCESS);
      const remote = await resolveState(room.roomVersion, room.stateSets, room.events, IN_WORKER);
      expect(sorted(remote)).toEqual(sorted(local));
      expect(local.size).toBeGreaterThan(300);
    }, 30_000);
  }

  it('reports worker failures as errors', async () => {
    await expect(resolveState('99', [], new Map(), IN_WORKER)).rejects.toThrow(/unknown room version/);
  });
});
