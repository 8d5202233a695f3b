import { describe, expect, it } from 'vitest';
import { DEFAULT_ROOM_VERSION, ROOM_VERSIONS, type RoomVersion } from './room-versions.js';
import { loadVectors } from './test-support/vectors.js';

const vectors = loadVectors('room-versions.json');

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
/** Vector fields that are prose or schema names, not flags of RoomVersion. */
const DESCRIPTIVE = new Set(['spec_page', 'source_file', 'pdu_schema', 'auth_rules', 'auth_prev_events_format']);
const RENAMED: Record<string, keyof RoomVersion> = { redaction_algorithm: 'redaction' };

describe('room versions agree with room-versions.json', () => {
  it('lists the same versions and default', () => {
    expect(Object.keys(ROOM_VERSIONS).sort()).toEqual(Object.keys(vectors.room_versions).sort());
    expect(DEFAULT_ROOM_VERSION).toBe(vectors.default_room_version);
  });

  it.each<any>(Object.entries(vectors.room_versions))('version %s', (id, flags: any) => {
    const version = ROOM_VERSIONS[id] as unknown as Record<string, unknown>;
    expect(version.id).toBe(id);
    for (const [field, expected] of Object.entries(flags)) {
      if (DESCRIPTIVE.has(field)) continue;
      const name = RENAMED[field] ?? camel(field);
      expect(version, `${field} → ${name}`).toHaveProperty(name);
      const actual = version[name];
      // max_depth 2^63-1 does not survive JSON.parse exactly: compare as numbers.
      if (field === 'max_depth') expect(Number(actual), field).toBe(expected);
      else expect(actual, field).toEqual(expected);
    }
    expect(version.edgesAsPairs).toBe(flags.auth_prev_events_format.startsWith('pairs'));
  });
});
