// A large room that forks into two branches: a long common history (joins and a chain of power
// level changes, so the union of auth chains is long) and two branches setting the same state
// keys. For state resolution tests and benchmarks.

import type { RoomEvent, StateKey } from '../events.js';
import { ALICE, RoomBuilder } from './room-builder.js';

export interface ForkedRoom {
  roomVersion: string;
  events: Map<string, RoomEvent>;
  stateSets: [Map<StateKey, string>, Map<StateKey, string>];
}

export interface ForkedRoomOptions {
  roomVersion?: string;
  /** Events in the common history (approximately). */
  historyEvents: number;
  /** Conflicted events across the two branches (even). */
  conflictedEvents: number;
}

export function buildForkedRoom({ roomVersion = '10', historyEvents, conflictedEvents }: ForkedRoomOptions): ForkedRoom {
  const room = RoomBuilder.standard(roomVersion, 'public');
  const creatorEntry: Record<string, number> = room.roomVersion.creatorsInfinitePowerLevel ? {} : { [ALICE]: 100 };
  const levels = (extra: Record<string, number>) => ({ users: { ...creatorEntry, ...extra }, state_default: 50, events_default: 0 });

  // Common history: users join; every fifth event Alice changes the power levels (a long mainline).
  let user = 0;
  while (room.events.size < historyEvents) {
    if (room.events.size % 5 === 0) {
      room.add({ type: 'm.room.power_levels', sender: ALICE, state_key: '', content: levels({ [`@u${user}:example.com`]: user % 50 }) });
    } else {
      room.join(`@u${user++}:example.com`);
    }
  }

  // Two branches: each changes the power levels once, then sets the same keys differently.
  const fork = room.checkpoint();
  const perBranch = conflictedEvents / 2 - 1;
  const branch = (name: string) => {
    room.restore(fork);
    room.add({ type: 'm.room.power_levels', sender: ALICE, state_key: '', content: levels({ [`@${name}:example.com`]: 10 }) });
    for (let i = 0; i < perBranch; i++) {
      room.add({ type: 'com.example.setting', sender: ALICE, state_key: `k${i}`, content: { branch: name, i } });
    }
    return room.snapshot();
  };
  const a = branch('a');
  const b = branch('b');
  return { roomVersion, events: room.events, stateSets: [a, b] };
}
