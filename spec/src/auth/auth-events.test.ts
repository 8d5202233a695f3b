import { describe, expect, it } from 'vitest';
import { getRoomVersion } from '../room-versions.js';
import { authEventKeys, createEventIdFromRoomId, selectAuthEvents } from './auth-events.js';
import { ALICE, BOB, RoomBuilder } from '../test-support/room-builder.js';

const rv = (id: string) => getRoomVersion(id)!;

describe('auth events selection', () => {
  it('v1–v11 include the create event, v12 does not', () => {
    const message = { type: 'm.room.message', sender: ALICE, content: {} };
    expect(authEventKeys(message, rv('11'))).toEqual([['m.room.create', ''], ['m.room.power_levels', ''], ['m.room.member', ALICE]]);
    expect(authEventKeys(message, rv('12'))).toEqual([['m.room.power_levels', ''], ['m.room.member', ALICE]]);
  });

  it('member events add the target, join rules, 3PID token and (v8+) the authorising user', () => {
    const join = { type: 'm.room.member', sender: BOB, state_key: BOB, content: { membership: 'join', join_authorised_via_users_server: ALICE } };
    expect(authEventKeys(join, rv('8'))).toContainEqual(['m.room.member', ALICE]);
    expect(authEventKeys(join, rv('7'))).not.toContainEqual(['m.room.member', ALICE]);
    expect(authEventKeys(join, rv('7'))).toContainEqual(['m.room.join_rules', '']);
    const invite = { type: 'm.room.member', sender: ALICE, state_key: BOB, content: { membership: 'invite', third_party_invite: { signed: { token: 't' } } } };
    expect(authEventKeys(invite, rv('1'))).toContainEqual(['m.room.third_party_invite', 't']);
    const leave = { type: 'm.room.member', sender: ALICE, state_key: BOB, content: { membership: 'leave' } };
    expect(authEventKeys(leave, rv('1'))).not.toContainEqual(['m.room.join_rules', '']);
  });

  it('selects current state event ids', () => {
    const room = RoomBuilder.standard('12');
    const ids = selectAuthEvents({ type: 'm.room.member', sender: BOB, state_key: BOB, content: { membership: 'join' } }, room.roomVersion, room.lookup);
    expect(ids).toEqual([room.current('m.room.power_levels', '')!.event_id, room.current('m.room.join_rules', '')!.event_id].sort());
    expect(createEventIdFromRoomId(room.roomId)).toBe(room.createEvent.event_id);
  });
});
