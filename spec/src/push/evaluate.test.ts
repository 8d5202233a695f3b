import { describe, expect, it } from 'vitest';
import { buildRuleset } from './ruleset.js';
import { evaluatePushRules, splitKey, valueAt, type PushContext } from './evaluate.js';
import { globMatches, globMatchesWords } from './glob.js';

const alice = '@alice:example.org';
const ctx = (over: Partial<PushContext> = {}): PushContext => ({
  userId: alice,
  displayName: 'Alice Liddell',
  roomMemberCount: 5,
  senderPowerLevel: 0,
  notificationPowerLevels: { room: 50 },
  ...over,
});
const msg = (content: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'm.room.message',
  room_id: '!r:example.org',
  sender: '@bob:example.org',
  content: { msgtype: 'm.text', ...content },
  ...extra,
});
const rules = buildRuleset(alice, {});

describe('glob', () => {
  it('matches whole values case-insensitively with * and ?', () => {
    expect(globMatches('m.room.*', 'm.room.message')).toBe(true);
    expect(globMatches('m.room.?ember', 'M.ROOM.MEMBER')).toBe(true);
    expect(globMatches('m.room', 'm.room.message')).toBe(false);
    expect(globMatches('a.c', 'abc')).toBe(false);
  });
  it('matches words inside a body', () => {
    expect(globMatchesWords('alice', 'hi Alice!')).toBe(true);
    expect(globMatchesWords('alice', 'malice aforethought')).toBe(false);
    expect(globMatchesWords('@room', 'hey @room, lunch')).toBe(true);
    expect(globMatchesWords('ali*', 'alison here')).toBe(true);
  });
});

describe('keys', () => {
  it('splits dotted keys with escapes', () => {
    expect(splitKey('content.m\\.mentions.user_ids')).toEqual(['content', 'm.mentions', 'user_ids']);
    expect(splitKey('a\\\\.b')).toEqual(['a\\', 'b']);
    expect(valueAt({ content: { 'm.mentions': { room: true } } }, 'content.m\\.mentions.room')).toBe(true);
  });
});

describe('default rules', () => {
  it('notifies for a plain message and highlights nothing', () => {
    const n = evaluatePushRules(rules, msg({ body: 'hello' }), ctx());
    expect(n).toMatchObject({ notify: true, highlight: false });
  });
  it('one-to-one rooms play a sound', () => {
    const n = evaluatePushRules(rules, msg({ body: 'hello' }), ctx({ roomMemberCount: 2 }));
    expect(n.actions).toContainEqual({ set_tweak: 'sound', value: 'default' });
  });
  it('highlights intentional user mentions', () => {
    const n = evaluatePushRules(rules, msg({ body: 'yo', 'm.mentions': { user_ids: [alice] } }), ctx());
    expect(n).toMatchObject({ notify: true, highlight: true });
  });
  it('highlights the display name and the user name in the body', () => {
    expect(evaluatePushRules(rules, msg({ body: 'hey Alice Liddell.' }), ctx()).highlight).toBe(true);
    expect(evaluatePushRules(rules, msg({ body: 'where is alice?' }), ctx({ displayName: null })).highlight).toBe(true);
  });
  it('room mentions need the notification power level', () => {
    const ev = msg({ body: 'all', 'm.mentions': { room: true } });
    expect(evaluatePushRules(rules, ev, ctx()).highlight).toBe(false);
    expect(evaluatePushRules(rules, ev, ctx({ senderPowerLevel: 50 })).highlight).toBe(true);
    expect(evaluatePushRules(rules, msg({ body: '@room hi' }), ctx({ senderPowerLevel: 100 })).highlight).toBe(true);
  });
  it('suppresses notices, edits, reactions and member events except own invites', () => {
    expect(evaluatePushRules(rules, msg({ msgtype: 'm.notice', body: 'alice' }), ctx()).notify).toBe(false);
    expect(
      evaluatePushRules(rules, msg({ body: '* x', 'm.relates_to': { rel_type: 'm.replace', event_id: '$x' } }), ctx()).notify,
    ).toBe(false);
    expect(evaluatePushRules(rules, { type: 'm.reaction', content: {} }, ctx()).notify).toBe(false);
    const member = (stateKey: string) => ({ type: 'm.room.member', state_key: stateKey, content: { membership: 'invite' } });
    expect(evaluatePushRules(rules, member('@carol:example.org'), ctx()).notify).toBe(false);
    expect(evaluatePushRules(rules, member(alice), ctx()).notify).toBe(true);
  });
  it('encrypted events notify; calls ring', () => {
    expect(evaluatePushRules(rules, { type: 'm.room.encrypted', content: {} }, ctx()).notify).toBe(true);
    expect(evaluatePushRules(rules, { type: 'm.call.invite', content: {} }, ctx()).actions).toContainEqual({
      set_tweak: 'sound',
      value: 'ring',
    });
  });
  it('tombstones highlight', () => {
    expect(evaluatePushRules(rules, { type: 'm.room.tombstone', state_key: '', content: {} }, ctx()).highlight).toBe(true);
  });
});

describe('user rules', () => {
  it('the master rule silences everything when enabled', () => {
    const muted = buildRuleset(alice, {}, new Map([['.m.rule.master', { enabled: true }]]));
    expect(evaluatePushRules(muted, msg({ body: 'alice' }), ctx()).notify).toBe(false);
  });
  it('room and sender rules match by id and come before underrides', () => {
    const r = buildRuleset(alice, {
      room: [{ rule_id: '!r:example.org', default: false, enabled: true, actions: [] }],
      sender: [{ rule_id: '@carol:example.org', default: false, enabled: true, actions: ['notify', { set_tweak: 'highlight' }] }],
    });
    expect(evaluatePushRules(r, msg({ body: 'x' }), ctx()).notify).toBe(false);
    expect(evaluatePushRules(r, msg({ body: 'x' }, { room_id: '!other:x', sender: '@carol:example.org' }), ctx()).highlight).toBe(true);
  });
  it('event_property_is / contains compare exact scalars; unknown conditions never match', () => {
    const r = buildRuleset(alice, {
      override: [
        { rule_id: 'a', default: false, enabled: true, actions: ['notify'], conditions: [{ kind: 'event_property_is', key: 'content.n', value: 1 }] },
        { rule_id: 'b', default: false, enabled: true, actions: [], conditions: [{ kind: 'no_such_kind' }] },
        { rule_id: 'c', default: false, enabled: true, actions: [{ set_tweak: 'highlight', value: true }, 'notify'], conditions: [{ kind: 'event_property_contains', key: 'content.tags', value: 'x' }] },
      ],
    });
    expect(evaluatePushRules(r, { type: 'x', content: { n: 1 } }, ctx()).notify).toBe(true);
    expect(evaluatePushRules(r, { type: 'x', content: { n: '1' } }, ctx()).notify).toBe(false);
    expect(evaluatePushRules(r, { type: 'x', content: { tags: ['y', 'x'] } }, ctx()).highlight).toBe(true);
  });
  it('room_member_count understands comparison prefixes', () => {
    for (const [is, count, expected] of [['2', 2, true], ['>2', 3, true], ['<=2', 3, false], ['==3', 3, true], ['>=10', 9, false]] as const) {
      const r = buildRuleset(alice, {
        override: [{ rule_id: 'n', default: false, enabled: true, actions: ['notify', { set_tweak: 'highlight' }], conditions: [{ kind: 'room_member_count', is }] }],
      });
      expect(evaluatePushRules(r, { type: 'x', content: {} }, ctx({ roomMemberCount: count })).highlight).toBe(expected);
    }
  });
});
