import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from './events.js';
import { redactEvent, redactEventWithAlgorithm, redactionTarget } from './redaction.js';
import { ROOM_VERSIONS, type RedactionAlgorithm } from './room-versions.js';
import { loadVectors } from './test-support/vectors.js';

const vectors = loadVectors('redaction.json');
const algorithms = Object.keys(vectors.algorithms) as RedactionAlgorithm[];

describe('redaction vectors', () => {
  const cases = vectors.cases.flatMap((c: any) =>
    Object.entries(c.expected_by_algorithm).map(([algorithm, expected]) => [c.input.type, algorithm, c.input, expected]),
  );
  it.each<any>(cases)('%s with algorithm %s', (_type, algorithm, input, expected) => {
    expect(redactEventWithAlgorithm(input as JsonObject, algorithm as RedactionAlgorithm)).toEqual(expected);
  });

  it.each<any>(algorithms)('room versions using %s pick it from their flags', (algorithm) => {
    const { room_versions: versions } = vectors.algorithms[algorithm];
    for (const id of versions) expect(ROOM_VERSIONS[id].redaction).toBe(algorithm);
    for (const c of vectors.cases) expect(redactEvent(c.input, ROOM_VERSIONS[versions[0]])).toEqual(c.expected_by_algorithm[algorithm]);
  });

  it.each<any>(algorithms)('keeps exactly the allow-listed keys of %s', (algorithm) => {
    const { top_level_keys_kept: topLevel, content_keys_kept: contentKeys } = vectors.algorithms[algorithm];
    const everything = Object.fromEntries([...topLevel, 'unsigned', 'redacts', 'extra'].map((k: string) => [k, k]));
    for (const [type, keys] of Object.entries(contentKeys)) {
      const content = Object.fromEntries([...(keys === '*all*' ? ['x', 'y'] : (keys as string[])), 'extra'].map((k) => [k, 1]));
      const redacted = redactEventWithAlgorithm({ ...everything, type, content }, algorithm);
      expect(Object.keys(redacted).sort()).toEqual([...topLevel].sort());
      expect(Object.keys(redacted.content as JsonObject).sort()).toEqual(keys === '*all*' ? ['extra', 'x', 'y'] : [...(keys as string[])].sort());
    }
  });
});

const eventArbitrary = fc.record({
  type: fc.constantFrom('m.room.member', 'm.room.create', 'm.room.join_rules', 'm.room.power_levels', 'm.room.aliases', 'm.room.history_visibility', 'm.room.redaction', 'm.room.message', 'x'),
  content: fc.oneof(fc.dictionary(fc.constantFrom('membership', 'creator', 'join_rule', 'allow', 'ban', 'invite', 'redacts', 'third_party_invite', 'body', 'aliases'), fc.jsonValue()), fc.jsonValue()),
  sender: fc.string(),
  origin: fc.string(),
  unsigned: fc.jsonValue(),
  redacts: fc.string(),
  membership: fc.string(),
  prev_state: fc.jsonValue(),
  depth: fc.integer(),
}, { requiredKeys: ['type'] }) as fc.Arbitrary<JsonObject>;

describe('redaction properties', () => {
  it('is idempotent and never throws, for every algorithm', () => {
    fc.assert(
      fc.property(eventArbitrary, fc.constantFrom(...algorithms), (event, algorithm) => {
        const once = redactEventWithAlgorithm(event, algorithm);
        expect(redactEventWithAlgorithm(once, algorithm)).toEqual(once);
        expect(once).not.toHaveProperty('unsigned');
        expect(typeof once.content).toBe('object');
      }),
    );
  });

  it('does not modify its input', () => {
    const event = { type: 'm.room.member', content: { membership: 'join', displayname: 'A' }, unsigned: {} };
    const copy = structuredClone(event);
    redactEvent(event, ROOM_VERSIONS['11']);
    expect(event).toEqual(copy);
  });

  it('turns non-objects into an empty event', () => {
    for (const bad of [null, 1, 'x', []]) expect(redactEvent(bad as unknown as JsonObject, ROOM_VERSIONS['11'])).toEqual({ content: {} });
  });

  it('ignores inherited keys', () => {
    const event = Object.assign(Object.create({ origin: 'proto' }), { type: 'x', content: {} });
    expect(redactEvent(event, ROOM_VERSIONS['1'])).toEqual({ type: 'x', content: {} });
  });
});

describe('redaction target', () => {
  it('reads redacts from the top level before v11 and from content since', () => {
    const event = { type: 'm.room.redaction', redacts: '$old', content: { redacts: '$new' } };
    expect(redactionTarget(event, ROOM_VERSIONS['10'])).toBe('$old');
    expect(redactionTarget(event, ROOM_VERSIONS['11'])).toBe('$new');
    expect(redactionTarget({ content: { redacts: 5 } }, ROOM_VERSIONS['11'])).toBeUndefined();
  });
});
