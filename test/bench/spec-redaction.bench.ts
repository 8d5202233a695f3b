// Redaction + canonical JSON over 10,000 varied events, against JSON.stringify of the same
// events measured in the same run. Targets (ratios, so they hold on any machine):
// canonical JSON alone ≥ 0.4× JSON.stringify; redaction + canonical JSON ≥ 0.5× JSON.stringify.
import { encodeCanonicalJson, redactEvent, ROOM_VERSIONS, type JsonObject } from '@parley/spec';
import { fmt } from './spec-bench-support.js';

const rv = ROOM_VERSIONS['11'];
const EVENTS = 10_000;

function makeEvent(i: number): JsonObject {
  const base: JsonObject = {
    room_id: '!jEsUZKDJdhlrceRyVU:example.org',
    sender: `@user${i % 97}:example.org`,
    origin_server_ts: 1_700_000_000_000 + i,
    depth: 1000 + i,
    prev_events: [`$${'P'.repeat(40)}${String(i).padStart(3, '0').slice(-3)}`],
    auth_events: ['$CD66HAED5npg6074c6pDtLKalHjVfYb2q4Q3LZgrW6o', '$acR1l0raoZnm60CBwAVgqbZqoO_mYU81xysh1u7XcJk', '$8yif6p8EqgoSten2BLje9ntKm720NyFLWQv9tn8memc'],
    hashes: { sha256: 'onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g' },
    signatures: { 'example.org': { 'ed25519:a_bcde': 'Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA' } },
    unsigned: { age: i * 10 },
  };
  switch (i % 10) {
    case 0:
      return { ...base, type: 'm.room.member', state_key: base.sender, content: { membership: 'join', displayname: `User ${i}`, avatar_url: 'mxc://example.org/abc' } };
    case 1:
      return {
        ...base,
        type: 'm.room.power_levels',
        state_key: '',
        content: { ban: 50, kick: 50, redact: 50, invite: 0, events_default: 0, state_default: 50, users_default: 0, events: { 'm.room.name': 50, 'm.room.avatar': 50 }, users: { '@user1:example.org': 100, '@user2:example.org': 50 }, notifications: { room: 50 } },
      };
    case 2:
      return { ...base, type: 'm.reaction', content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg', key: '👍' } } };
    case 3:
      return { ...base, type: 'm.room.redaction', redacts: '$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg', content: { redacts: '$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg', reason: 'spam' } };
    default:
      return {
        ...base,
        type: 'm.room.message',
        content: {
          msgtype: 'm.text',
          body: `Message number ${i}: the quick brown fox jumps over the lazy dog, ${'again and '.repeat(i % 7)}done.`,
          format: 'org.matrix.custom.html',
          formatted_body: `<p>Message number <b>${i}</b></p>`,
        },
      };
  }
}

const events = Array.from({ length: EVENTS }, (_, i) => makeEvent(i));

/** Passes over all events for about `ms`; events per second. */
function rate(fn: (e: JsonObject) => unknown, ms = 400): number {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (const e of events) fn(e);
    n += events.length;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stringify = (e: JsonObject) => JSON.stringify(e);
const canonical = (e: JsonObject) => encodeCanonicalJson(e);
const redactAndEncode = (e: JsonObject) => encodeCanonicalJson(redactEvent(e, rv));
const redactOnly = (e: JsonObject) => redactEvent(e, rv);

for (const fn of [stringify, canonical, redactAndEncode, redactOnly]) rate(fn, 200); // warm-up
const rounds = { stringify: [] as number[], canonical: [] as number[], redact: [] as number[], redactOnly: [] as number[], rCanon: [] as number[], rRedact: [] as number[] };
for (let r = 0; r < 5; r++) {
  const s = rate(stringify);
  const c = rate(canonical);
  const x = rate(redactAndEncode);
  rounds.stringify.push(s);
  rounds.canonical.push(c);
  rounds.redact.push(x);
  rounds.redactOnly.push(rate(redactOnly));
  rounds.rCanon.push(c / s);
  rounds.rRedact.push(x / s);
}

let failed = false;
const line = (name: string, perSecond: number, ratio?: number, target?: number) => {
  const ok = target === undefined || (ratio ?? 0) >= target;
  failed ||= !ok;
  const ratioText = ratio === undefined ? '' : `   ratio ${ratio.toFixed(2)}× vs JSON.stringify${target === undefined ? '' : ` (target ≥ ${target}×) ${ok ? 'ok' : 'MISSED'}`}`;
  console.log(`${name.padEnd(34)} ${fmt(perSecond).padStart(10)} events/s${ratioText}`);
};
console.log(`${EVENTS} events, room version ${rv.id}, ${Math.round(events.reduce((n, e) => n + JSON.stringify(e).length, 0) / EVENTS)} bytes each on average`);
line('JSON.stringify (baseline)', median(rounds.stringify));
line('canonical JSON', median(rounds.canonical), median(rounds.rCanon), 0.4);
line('redaction + canonical JSON', median(rounds.redact), median(rounds.rRedact), 0.5);
line('redaction alone', median(rounds.redactOnly));
process.exit(failed ? 1 : 0);
