// State resolution v2 of two state sets with 500 conflicted events over a 10,000-event auth chain.
// Baseline (same input, same run): the auth-difference step alone. Targets: resolution ≤ 3× the
// baseline and < 100 ms (median of several runs after warm-up).
// Run: npm run bench -- spec-state-res

import { authDifference, getRoomVersion, resolveState, separateConflicted } from '@parley/spec';
import { buildForkedRoom } from '../../spec/dist/test-support/forked-room.js';

const HISTORY = 10_000;
const CONFLICTED = 500;
const MAX_RATIO = 3;
const MAX_MS = 100;

const room = buildForkedRoom({ roomVersion: '10', historyEvents: HISTORY, conflictedEvents: CONFLICTED });
const rv = getRoomVersion(room.roomVersion)!;
const fetchEvent = (id: string) => room.events.get(id);
const { conflicted } = separateConflicted(room.stateSets);
const stateSetIds = room.stateSets.map((set) => [...set.values()]);

function median(run: () => void, times = 15): number {
  for (let i = 0; i < 3; i++) run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)];
}

let differenceSize = 0;
let resolvedSize = 0;
const baselineMs = median(() => {
  differenceSize = authDifference(stateSetIds, fetchEvent).size;
});
const resolveMs = median(() => {
  resolvedSize = resolveState(rv, { stateSets: room.stateSets, fetchEvent }).size;
});
const ratio = resolveMs / baselineMs;

console.log(`events: ${room.events.size}, conflicted: ${conflicted.size}, auth difference: ${differenceSize}, resolved state: ${resolvedSize} entries`);
console.log(`auth difference (baseline): ${baselineMs.toFixed(2)} ms`);
console.log(`state resolution v2:        ${resolveMs.toFixed(2)} ms`);
console.log(`ratio: ${ratio.toFixed(2)}× (target ≤ ${MAX_RATIO}×), absolute target < ${MAX_MS} ms`);

const missed = [ratio > MAX_RATIO && `ratio ${ratio.toFixed(2)} > ${MAX_RATIO}`, resolveMs >= MAX_MS && `${resolveMs.toFixed(1)} ms ≥ ${MAX_MS} ms`].filter(Boolean);
if (missed.length > 0) {
  console.log(`MISSED: ${missed.join(', ')}`);
  process.exit(1);
}
console.log('targets met');
