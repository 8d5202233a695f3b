import { describe, expect, it } from 'vitest';
import type { PDU } from './events.js';
import { CREATOR_POWER_LEVEL, notificationLevel, parsePowerLevelValue, readPowerLevels, requiredEventLevel, userPowerLevel, validatePowerLevelsContent } from './power-levels.js';
import { getRoomVersion } from './room-versions.js';

const rv = (id: string) => getRoomVersion(id)!;
const event = (sender: string, content: Record<string, unknown>) => ({ sender, content }) as unknown as PDU;

describe('parsePowerLevelValue', () => {
  it('stringy integers (v1–v9): leading zeros, one sign, surrounding whitespace', () => {
    for (const [input, expected] of [['100', 100], ['000100', 100], ['+100', 100], [' -100 ', -100]] as const) {
      expect(parsePowerLevelValue(input, rv('9'))).toBe(expected);
      expect(parsePowerLevelValue(input, rv('10'))).toBeUndefined();
    }
    expect(parsePowerLevelValue('1.5', rv('1'))).toBeUndefined();
    expect(parsePowerLevelValue('++1', rv('1'))).toBeUndefined();
  });

  it('floats (v1–v5): exponent applied, then truncated', () => {
    expect(parsePowerLevelValue(5.114698e4, rv('5'))).toBe(51146);
    expect(parsePowerLevelValue(50.57, rv('1'))).toBe(50);
    expect(parsePowerLevelValue(50.57, rv('6'))).toBeUndefined();
    expect(parsePowerLevelValue(Number.NaN, rv('1'))).toBeUndefined();
  });

  it('rejects other JSON types', () => {
    for (const value of [null, true, [], {}, undefined]) expect(parsePowerLevelValue(value, rv('1'))).toBeUndefined();
  });
});

describe('readPowerLevels and levels', () => {
  it('applies defaults', () => {
    const levels = readPowerLevels({}, rv('10'));
    expect([levels.usersDefault, levels.eventsDefault, levels.stateDefault, levels.ban, levels.kick, levels.redact, levels.invite]).toEqual([0, 0, 50, 50, 50, 50, 0]);
    expect(notificationLevel(levels, 'room')).toBe(50);
    expect(requiredEventLevel(levels, 'm.room.name', true)).toBe(50);
    expect(requiredEventLevel(readPowerLevels({ events: { 'm.room.name': 10 } }, rv('10')), 'm.room.name', true)).toBe(10);
  });

  it('never throws on junk content; validation names the broken part', () => {
    expect(validatePowerLevelsContent({ users: [1] }, rv('12'))).toMatchObject({ ok: false, rule: 'power_levels.users_invalid' });
    expect(validatePowerLevelsContent({ events: 'x' }, rv('1'))).toMatchObject({ ok: false, rule: 'power_levels.map_not_integers' });
    for (const content of [null, 1, 'x', [], { users: [1] }, { events: 'x' }, { ban: {} }]) {
      expect(() => readPowerLevels(content, rv('1'))).not.toThrow();
      expect(typeof validatePowerLevelsContent(content, rv('12')).ok).toBe('boolean');
    }
  });
});

describe('userPowerLevel', () => {
  const create10 = event('@alice:x', { creator: '@alice:x' });
  const create12 = event('@alice:x', { additional_creators: ['@bob:x'] });
  const pl = event('@alice:x', { users: { '@carol:x': 30 }, users_default: 5 });

  it('without a power levels event: creator 100, others 0 (v10 content.creator, v11 sender)', () => {
    expect(userPowerLevel('@alice:x', create10, undefined, rv('10'))).toBe(100);
    expect(userPowerLevel('@bob:x', create10, undefined, rv('10'))).toBe(0);
    expect(userPowerLevel('@alice:x', event('@alice:x', { creator: '@bob:x' }), undefined, rv('10'))).toBe(0);
    expect(userPowerLevel('@alice:x', event('@alice:x', { creator: '@bob:x' }), undefined, rv('11'))).toBe(100);
  });

  it('with a power levels event: users entry, else users_default', () => {
    expect(userPowerLevel('@carol:x', create10, pl, rv('10'))).toBe(30);
    expect(userPowerLevel('@alice:x', create10, pl, rv('10'))).toBe(5);
  });

  it('v12: creators and additional creators are infinite', () => {
    expect(userPowerLevel('@alice:x', create12, pl, rv('12'))).toBe(CREATOR_POWER_LEVEL);
    expect(userPowerLevel('@bob:x', create12, pl, rv('12'))).toBe(CREATOR_POWER_LEVEL);
    expect(userPowerLevel('@carol:x', create12, pl, rv('12'))).toBe(30);
    expect(userPowerLevel('@bob:x', create12, pl, rv('11'))).toBe(5);
  });
});
