// One describe per authorization rule: an allowed and a rejected case for each room version
// where the rule differs.

import { describe, expect, it } from 'vitest';
import type { RoomEvent } from '../events.js';
import { ALICE, BOB, CHARLIE, EVE, RoomBuilder } from '../test-support/room-builder.js';
import type { AuthOptions } from './context.js';
import { authorizeEvent, checkAuthEvents, checkEventAgainstState, checkEventWithoutState } from './rules.js';
import type { AuthResult } from './result.js';

const ALL = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'];

function authorize(room: RoomBuilder, event: RoomEvent, options?: AuthOptions): AuthResult {
  return authorizeEvent(event, room.roomVersion, {
    authEvents: room.authEventsOf(event),
    createEvent: room.createEvent,
    stateBefore: room.lookup,
    options,
  });
}

function expectAllowed(result: AuthResult) {
  expect(result).toEqual({ ok: true });
}

function expectRejected(result: AuthResult, rule: string, section?: string) {
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.rule).toBe(rule);
    if (section !== undefined) expect(result.section).toBe(section);
  }
}

describe('rule 1: m.room.create', () => {
  it.each(ALL)('v%s: a create event without prev_events is allowed, one with prev_events rejected', (v) => {
    const room = new RoomBuilder(v);
    expectAllowed(checkEventWithoutState(room.createEvent, room.roomVersion));
    expectRejected(checkEventWithoutState({ ...room.createEvent, prev_events: ['$x'] }, room.roomVersion), 'create.has_prev_events', '1.1');
  });

  it.each(ALL.slice(0, 11))('v%s: the room_id domain must match the sender', (v) => {
    const room = new RoomBuilder(v);
    expectRejected(checkEventWithoutState({ ...room.createEvent, room_id: '!room:other.example' }, room.roomVersion), 'create.room_id_domain', '1.2');
  });

  it('v12: the create event must not have a room_id', () => {
    const room = new RoomBuilder('12');
    expect(room.createEvent.room_id).toBeUndefined();
    expectRejected(checkEventWithoutState({ ...room.createEvent, room_id: '!room:example.com' }, room.roomVersion), 'create.has_room_id', '1.2');
  });

  it.each(ALL)('v%s: an unknown content.room_version is rejected', (v) => {
    const room = new RoomBuilder(v);
    const event = { ...room.createEvent, content: { ...room.createEvent.content, room_version: '99' } };
    expectRejected(checkEventWithoutState(event, room.roomVersion), 'create.unknown_room_version', '1.3');
  });

  it.each(ALL.slice(0, 10))('v%s: content.creator is required', (v) => {
    const room = new RoomBuilder(v);
    const { creator: _creator, ...content } = room.createEvent.content;
    expectRejected(checkEventWithoutState({ ...room.createEvent, content }, room.roomVersion), 'create.no_creator', '1.4');
  });

  it.each(['11', '12'])('v%s: content.creator is not required', (v) => {
    const room = new RoomBuilder(v);
    expect(room.createEvent.content.creator).toBeUndefined();
    expectAllowed(checkEventWithoutState(room.createEvent, room.roomVersion));
  });

  it('v12: additional_creators must be an array of user IDs', () => {
    const ok = new RoomBuilder('12', ALICE, { additional_creators: [BOB] });
    expectAllowed(checkEventWithoutState(ok.createEvent, ok.roomVersion));
    const bad = new RoomBuilder('12', ALICE, { additional_creators: ['bob', 3] });
    expectRejected(checkEventWithoutState(bad.createEvent, bad.roomVersion), 'create.additional_creators_invalid', '1.4');
  });

  it('v11: additional_creators means nothing', () => {
    const room = new RoomBuilder('11', ALICE, { additional_creators: 'not an array' });
    expectAllowed(checkEventWithoutState(room.createEvent, room.roomVersion));
  });
});

describe('rule 2 (v12): the room ID names an accepted create event', () => {
  it('allows an event whose room_id is the create event ID, rejects another room ID', () => {
    const room = RoomBuilder.standard('12');
    const topic = room.build({ type: 'm.room.topic', sender: ALICE, state_key: '', content: { topic: 'hi' } });
    expectAllowed(authorize(room, topic));
    const elsewhere = { ...topic, room_id: '!someotherroom' };
    expectRejected(checkAuthEvents(elsewhere, room.roomVersion, { authEvents: room.authEventsOf(topic), createEvent: room.createEvent }), 'room_id.not_create_event', '2');
  });

  it('rejects when the create event was rejected', () => {
    const room = RoomBuilder.standard('12');
    const topic = room.build({ type: 'm.room.topic', sender: ALICE, state_key: '', content: { topic: 'hi' } });
    const result = checkAuthEvents(topic, room.roomVersion, {
      authEvents: room.authEventsOf(topic),
      createEvent: room.createEvent,
      isRejected: (id) => id === room.createEvent.event_id,
    });
    expectRejected(result, 'room_id.not_create_event', '2');
  });
});

describe('auth_events rule (2 in v1–v11, 3 in v12)', () => {
  it.each(ALL)('v%s: duplicate (type, state_key) entries are rejected', (v) => {
    const room = RoomBuilder.standard(v);
    const topic = room.build({ type: 'm.room.topic', sender: ALICE, state_key: '', content: {} });
    const oldPl = [...room.events.values()].find((e) => e.type === 'm.room.power_levels')!;
    const newPl = room.add({ type: 'm.room.power_levels', sender: ALICE, state_key: '', content: oldPl.content });
    const dup = { ...topic, auth_events: [...(topic.auth_events as string[]), newPl.event_id] };
    const authEvents = [...room.authEventsOf(topic), newPl];
    const section = room.roomVersion.roomIdIsCreateEventHash ? '3.1' : '2.1';
    expectRejected(checkAuthEvents(dup, room.roomVersion, { authEvents, createEvent: room.createEvent }), 'auth_events.duplicate', section);
    expectAllowed(checkAuthEvents(topic, room.roomVersion, { authEvents: room.authEventsOf(topic), createEvent: room.createEvent }));
  });

  it.each(ALL)('v%s: entries outside the auth events selection are rejected', (v) => {
    const room = RoomBuilder.standard(v);
    const jr = room.current('m.room.join_rules', '')!; // not selected for a topic
    const topic = room.build({ type: 'm.room.topic', sender: ALICE, state_key: '', content: {} });
    const extra = { ...topic, auth_events: [...(topic.auth_events as string[]), jr.event_id] };
    expectRejected(checkAuthEvents(extra, room.roomVersion, { authEvents: [...room.authEventsOf(topic), jr], createEvent: room.createEvent }), 'auth_events.unexpected');
  });

  it('v12: citing the create event is rejected; v11: omitting it is rejected', () => {
    const v12 = RoomBuilder.standard('12');
    const topic12 = v12.build({ type: 'm.room.topic', sender: ALICE, state_key: '', content: {} });
    expect(topic12.auth_events).not.toContain(v12.createEvent.event_id);
    const citing = { ...topic12, auth_events: [...(topic12.auth_events as string[]), v12.createEvent.event_id] };
    expectRejected(checkAuthEvents(citing, v12.roomVersion, { authEvents: [...v12.authEventsOf(topic12), v12.createEvent], createEvent: v12.createEvent }), 'auth_events.unexpected', '3.2');

    const v11 = RoomBuilder.standard('11');
    const topic11 = v11.build({ type: 'm.room.topic', sender: ALICE, state_key: '', content: {} });
    const without = { ...topic11, auth_events: (topic11.auth_events as string[]).filter((id) => id !== v11.createEvent.event_id) };
    expectRejected(checkAuthEvents(without, v11.roomVersion, { authEvents: v11.authEventsOf(without) }), 'auth_events.no_create', '2.4');
    expectAllowed(checkAuthEvents(topic11, v11.roomVersion, { authEvents: v11.authEventsOf(topic11) }));
  });

  it.each(['6', '12'])('v%s: rejected auth events and auth events from another room are rejected', (v) => {
    const room = RoomBuilder.standard(v);
    const topic = room.build({ type: 'm.room.topic', sender: ALICE, state_key: '', content: {} });
    const pl = room.current('m.room.power_levels', '')!;
    const input = { authEvents: room.authEventsOf(topic), createEvent: room.createEvent };
    expectRejected(checkAuthEvents(topic, room.roomVersion, { ...input, isRejected: (id) => id === pl.event_id }), 'auth_events.rejected');
    const foreignPl = { ...pl, room_id: '!other:example.com' };
    expectRejected(
      checkAuthEvents(topic, room.roomVersion, { ...input, authEvents: input.authEvents.map((e) => (e === pl ? foreignPl : e)) }),
      'auth_events.wrong_room',
    );
  });
});

describe('m.federate', () => {
  it.each(['1', '6', '12'])('v%s: a room with m.federate false rejects other servers', (v) => {
    const room = new RoomBuilder(v, ALICE, { 'm.federate': false });
    room.join(ALICE);
    room.add({ type: 'm.room.join_rules', sender: ALICE, state_key: '', content: { join_rule: 'public' } });
    expectRejected(authorize(room, room.buildMember(EVE, EVE, 'join')), 'federate.disallowed');
    expectAllowed(authorize(room, room.buildMember(BOB, BOB, 'join')));
  });
});

describe('m.room.aliases (v1–v5 special case; ordinary state from v6)', () => {
  it.each(['1', '3', '5'])('v%s: allowed for the sender domain even when not joined; another domain rejected', (v) => {
    const room = RoomBuilder.standard(v);
    expectAllowed(authorize(room, room.build({ type: 'm.room.aliases', sender: EVE, state_key: 'evil.example', content: { aliases: [] } })));
    expectRejected(authorize(room, room.build({ type: 'm.room.aliases', sender: EVE, state_key: 'example.com', content: {} })), 'aliases.wrong_domain', '4.2');
  });

  it.each(['6', '11', '12'])('v%s: aliases need membership like any other event', (v) => {
    const room = RoomBuilder.standard(v);
    expectRejected(authorize(room, room.build({ type: 'm.room.aliases', sender: EVE, state_key: 'evil.example', content: {} })), 'sender.not_joined');
    expectAllowed(authorize(room, room.build({ type: 'm.room.aliases', sender: ALICE, state_key: 'example.com', content: {} })));
  });
});

describe('member rule 1: state_key and membership are required', () => {
  it.each(ALL)('v%s', (v) => {
    const room = RoomBuilder.standard(v);
    const noMembership = room.build({ type: 'm.room.member', sender: BOB, state_key: BOB, content: {} });
    expectRejected(checkEventAgainstState(noMembership, room.roomVersion, room.lookup), 'member.missing_fields');
    expectAllowed(authorize(room, room.buildMember(BOB, BOB, 'join')));
  });
});

describe('member rule: join_authorised_via_users_server signature (v8+)', () => {
  it.each(['8', '10', '12'])('v%s: must be signed by the authorising server', (v) => {
    const room = RoomBuilder.standard(v, 'restricted');
    room.join(CHARLIE.replace('example.com', 'other.example'));
    const authoriser = ALICE;
    const unsigned = room.buildMember(EVE, EVE, 'join', { join_authorised_via_users_server: authoriser });
    expectRejected(authorize(room, unsigned), 'member.authorised_via.unsigned');
    const signed = { ...unsigned, signatures: { ...unsigned.signatures, 'example.com': { 'ed25519:1': 'sig' } } };
    expectAllowed(authorize(room, signed));
    // An injected verifier decides over mere presence.
    expectRejected(authorize(room, signed, { isSignedByServer: () => false }), 'member.authorised_via.unsigned');
  });

  it('v7: the key has no meaning', () => {
    const room = RoomBuilder.standard('7');
    expectAllowed(authorize(room, room.buildMember(EVE, EVE, 'join', { join_authorised_via_users_server: ALICE })));
  });
});

describe('member rule: join', () => {
  it('creator join right after the create event: v10 uses content.creator, v11 the sender', () => {
    for (const v of ['10', '11', '12']) {
      const room = new RoomBuilder(v);
      expectAllowed(authorize(room, room.buildMember(ALICE, ALICE, 'join')));
      expectRejected(authorize(room, room.buildMember(BOB, BOB, 'join')), 'member.join.not_invited'); // no join rules: invite
    }
    // v10: a create event whose content.creator is Bob although Alice sent it.
    const odd = new RoomBuilder('10', ALICE, { creator: BOB });
    expectRejected(authorize(odd, odd.buildMember(ALICE, ALICE, 'join')), 'member.join.not_invited');
    expectAllowed(authorize(odd, odd.buildMember(BOB, BOB, 'join')));
  });

  it.each(ALL)('v%s: sender must be the target; banned users cannot join a public room', (v) => {
    const room = RoomBuilder.standard(v);
    expectRejected(authorize(room, room.buildMember(ALICE, BOB, 'join')), 'member.join.not_self');
    room.member(ALICE, BOB, 'ban');
    expectRejected(authorize(room, room.buildMember(BOB, BOB, 'join')), 'member.join.banned');
    expectAllowed(authorize(room, room.buildMember(CHARLIE, CHARLIE, 'join')));
  });

  it.each(ALL)('v%s: invite join rule needs an invite', (v) => {
    const room = RoomBuilder.standard(v, 'invite');
    expectRejected(authorize(room, room.buildMember(BOB, BOB, 'join')), 'member.join.not_invited');
    room.member(ALICE, BOB, 'invite');
    expectAllowed(authorize(room, room.buildMember(BOB, BOB, 'join')));
  });

  it('knock join rule: v7+ treats it like invite; v6 does not know it', () => {
    for (const v of ['7', '12']) {
      const room = RoomBuilder.standard(v, 'knock');
      expectRejected(authorize(room, room.buildMember(BOB, BOB, 'join')), 'member.join.not_invited');
      room.member(ALICE, BOB, 'invite');
      expectAllowed(authorize(room, room.buildMember(BOB, BOB, 'join')));
    }
    const v6 = RoomBuilder.standard('6', 'knock');
    v6.member(ALICE, BOB, 'invite');
    expectRejected(authorize(v6, v6.buildMember(BOB, BOB, 'join')), 'member.join.not_allowed', '4.2.6');
  });

  it('restricted join rule: v8+ joins via an authorising user who can invite; v7 rejects', () => {
    for (const v of ['8', '9', '10', '11', '12']) {
      const room = RoomBuilder.standard(v, 'restricted', { invite: 50 });
      room.join(BOB);
      const viaAlice = room.buildMember(CHARLIE, CHARLIE, 'join', { join_authorised_via_users_server: ALICE });
      expectAllowed(authorize(room, viaAlice));
      const viaBob = room.buildMember(CHARLIE, CHARLIE, 'join', { join_authorised_via_users_server: BOB });
      expectRejected(authorize(room, viaBob), 'member.join.restricted_unauthorised');
      expectRejected(authorize(room, room.buildMember(CHARLIE, CHARLIE, 'join')), 'member.join.restricted_unauthorised');
    }
    const v7 = RoomBuilder.standard('7', 'restricted');
    expectRejected(authorize(v7, v7.buildMember(CHARLIE, CHARLIE, 'join', { join_authorised_via_users_server: ALICE })), 'member.join.not_allowed');
  });

  it('knock_restricted join rule: v10+ like restricted; v9 rejects', () => {
    const v10 = RoomBuilder.standard('10', 'knock_restricted');
    expectAllowed(authorize(v10, v10.buildMember(CHARLIE, CHARLIE, 'join', { join_authorised_via_users_server: ALICE })));
    const v9 = RoomBuilder.standard('9', 'knock_restricted');
    expectRejected(authorize(v9, v9.buildMember(CHARLIE, CHARLIE, 'join', { join_authorised_via_users_server: ALICE })), 'member.join.not_allowed', '4.3.7');
  });

  it.each(ALL)('v%s: private (unknown) join rule rejects', (v) => {
    const room = RoomBuilder.standard(v, 'private');
    expectRejected(authorize(room, room.buildMember(BOB, BOB, 'join')), 'member.join.not_allowed');
  });
});

describe('member rule: invite', () => {
  it.each(ALL)('v%s: joined sender with the invite level; target not joined or banned', (v) => {
    const room = RoomBuilder.standard(v, 'invite', { invite: 50 });
    expectAllowed(authorize(room, room.buildMember(ALICE, BOB, 'invite')));
    expectRejected(authorize(room, room.buildMember(CHARLIE, BOB, 'invite')), 'member.invite.sender_not_joined');
    room.member(ALICE, CHARLIE, 'invite');
    room.join(CHARLIE);
    expectRejected(authorize(room, room.buildMember(CHARLIE, BOB, 'invite')), 'member.invite.insufficient_power');
    expectRejected(authorize(room, room.buildMember(ALICE, CHARLIE, 'invite')), 'member.invite.target_joined_or_banned');
  });
});

describe('member rule: invite with third_party_invite', () => {
  const signed = { mxid: BOB, token: 'abc', signatures: { 'id.example': { 'ed25519:0': 'SIG' } } };
  const verify: AuthOptions = { verifyThirdPartyInviteSignature: (s, key) => key === 'PUBKEY' && (s.signatures as any)['id.example']['ed25519:0'] === 'SIG' };

  it.each(['1', '8', '12'])('v%s: allowed when a signature verifies with a key of the m.room.third_party_invite', (v) => {
    const room = RoomBuilder.standard(v);
    room.add({ type: 'm.room.third_party_invite', sender: ALICE, state_key: 'abc', content: { public_keys: [{ public_key: 'PUBKEY' }] } });
    const invite = room.buildMember(ALICE, BOB, 'invite', { third_party_invite: { display_name: 'b', signed } });
    expect(invite.auth_events).toContain(room.current('m.room.third_party_invite', 'abc')!.event_id);
    expectAllowed(authorize(room, invite, verify));
    expectRejected(authorize(room, invite), 'member.third_party_invite.bad_signature');
    const wrongMxid = room.buildMember(ALICE, CHARLIE, 'invite', { third_party_invite: { signed } });
    expectRejected(authorize(room, wrongMxid, verify), 'member.third_party_invite.mxid_mismatch');
    const noSigned = room.buildMember(ALICE, BOB, 'invite', { third_party_invite: {} });
    expectRejected(authorize(room, noSigned, verify), 'member.third_party_invite.no_signed');
    const otherToken = room.buildMember(ALICE, BOB, 'invite', { third_party_invite: { signed: { ...signed, token: 'zzz' } } });
    expectRejected(authorize(room, otherToken, verify), 'member.third_party_invite.no_invite_event');
  });

  it('a throwing verifier counts as a failed verification', () => {
    const room = RoomBuilder.standard('12');
    room.add({ type: 'm.room.third_party_invite', sender: ALICE, state_key: 'abc', content: { public_key: 'PUBKEY' } });
    const invite = room.buildMember(ALICE, BOB, 'invite', { third_party_invite: { signed } });
    const throwing: AuthOptions = { verifyThirdPartyInviteSignature: () => { throw new Error('bad key'); } };
    expectRejected(authorize(room, invite, throwing), 'member.third_party_invite.bad_signature');
  });
});

describe('member rule: leave', () => {
  it.each(ALL)('v%s: leaving oneself from join is allowed, from leave is not', (v) => {
    const room = RoomBuilder.standard(v);
    room.join(BOB);
    expectAllowed(authorize(room, room.buildMember(BOB, BOB, 'leave')));
    expectRejected(authorize(room, room.buildMember(CHARLIE, CHARLIE, 'leave')), 'member.leave.self_not_member');
  });

  it('leaving oneself from knock: v7+ allowed; v6 cannot knock at all', () => {
    const room = RoomBuilder.standard('7', 'knock');
    room.member(BOB, BOB, 'knock');
    expectAllowed(authorize(room, room.buildMember(BOB, BOB, 'leave')));
    const v6 = RoomBuilder.standard('6', 'knock');
    v6.member(BOB, BOB, 'knock'); // applied without checks
    expectRejected(authorize(v6, v6.buildMember(BOB, BOB, 'leave')), 'member.leave.self_not_member');
  });

  it.each(ALL)('v%s: kicking needs the kick level and more power than the target', (v) => {
    const room = RoomBuilder.standard(v);
    room.join(BOB);
    room.join(CHARLIE);
    expectAllowed(authorize(room, room.buildMember(ALICE, BOB, 'leave')));
    expectRejected(authorize(room, room.buildMember(BOB, CHARLIE, 'leave')), 'member.leave.kick_insufficient_power');
    expectRejected(authorize(room, room.buildMember(BOB, ALICE, 'leave')), 'member.leave.kick_insufficient_power');
  });

  it.each(ALL)('v%s: unbanning needs the ban level', (v) => {
    const room = RoomBuilder.standard(v, 'public', { ban: 60, kick: 0, users: v === '12' ? { [BOB]: 10 } : { [ALICE]: 100, [BOB]: 10 } });
    room.join(BOB);
    room.member(ALICE, CHARLIE, 'ban');
    expectRejected(authorize(room, room.buildMember(BOB, CHARLIE, 'leave')), 'member.leave.unban_insufficient_power');
    expectAllowed(authorize(room, room.buildMember(ALICE, CHARLIE, 'leave')));
  });
});

describe('member rule: ban', () => {
  it.each(ALL)('v%s: needs the ban level and more power than the target', (v) => {
    const room = RoomBuilder.standard(v);
    room.join(BOB);
    expectAllowed(authorize(room, room.buildMember(ALICE, BOB, 'ban')));
    expectRejected(authorize(room, room.buildMember(BOB, ALICE, 'ban')), 'member.ban.insufficient_power');
    expectRejected(authorize(room, room.buildMember(CHARLIE, BOB, 'ban')), 'member.ban.sender_not_joined');
  });
});

describe('member rule: knock', () => {
  it.each(['7', '8', '9', '10', '11', '12'])('v%s: knock join rule allows knocking by oneself', (v) => {
    const room = RoomBuilder.standard(v, 'knock');
    expectAllowed(authorize(room, room.buildMember(BOB, BOB, 'knock')));
    expectRejected(authorize(room, room.buildMember(ALICE, BOB, 'knock')), 'member.knock.not_self');
    expectRejected(authorize(room, room.buildMember(ALICE, ALICE, 'knock')), 'member.knock.already_member');
  });

  it('knock_restricted allows knocking in v10+, not in v8', () => {
    const v10 = RoomBuilder.standard('10', 'knock_restricted');
    expectAllowed(authorize(v10, v10.buildMember(BOB, BOB, 'knock')));
    const v8 = RoomBuilder.standard('8', 'knock_restricted');
    expectRejected(authorize(v8, v8.buildMember(BOB, BOB, 'knock')), 'member.knock.join_rule');
  });

  it.each(['1', '6'])('v%s: knock is an unknown membership', (v) => {
    const room = RoomBuilder.standard(v, 'knock');
    expectRejected(authorize(room, room.buildMember(BOB, BOB, 'knock')), 'member.unknown_membership');
  });

  it.each(['7', '12'])('v%s: a public room does not take knocks', (v) => {
    const room = RoomBuilder.standard(v, 'public');
    expectRejected(authorize(room, room.buildMember(BOB, BOB, 'knock')), 'member.knock.join_rule');
  });
});

describe('the sender must be joined', () => {
  it.each(ALL)('v%s', (v) => {
    const room = RoomBuilder.standard(v);
    expectAllowed(authorize(room, room.build({ type: 'm.room.message', sender: ALICE, content: { body: 'hi' } })));
    expectRejected(authorize(room, room.build({ type: 'm.room.message', sender: BOB, content: { body: 'hi' } })), 'sender.not_joined');
  });
});

describe('m.room.third_party_invite needs the invite level', () => {
  it.each(ALL)('v%s', (v) => {
    const room = RoomBuilder.standard(v, 'public', { invite: 50 });
    room.join(BOB);
    expectAllowed(authorize(room, room.build({ type: 'm.room.third_party_invite', sender: ALICE, state_key: 't', content: {} })));
    expectRejected(authorize(room, room.build({ type: 'm.room.third_party_invite', sender: BOB, state_key: 't', content: {} })), 'third_party_invite.insufficient_power');
  });
});

describe("the event type's required power level", () => {
  it.each(ALL)('v%s: state_default 50 blocks users at 0; events override', (v) => {
    const room = RoomBuilder.standard(v, 'public', { events: { 'm.room.topic': 0 } });
    room.join(BOB);
    expectAllowed(authorize(room, room.build({ type: 'm.room.topic', sender: BOB, state_key: '', content: {} })));
    expectRejected(authorize(room, room.build({ type: 'm.room.name', sender: BOB, state_key: '', content: {} })), 'power.insufficient');
  });

  it('without a power levels event, state_default is 0 and the creator has 100', () => {
    const room = new RoomBuilder('10');
    room.join(ALICE);
    room.add({ type: 'm.room.join_rules', sender: ALICE, state_key: '', content: { join_rule: 'public' } });
    room.join(BOB);
    expectAllowed(authorize(room, room.build({ type: 'm.room.name', sender: BOB, state_key: '', content: {} })));
  });
});

describe('state keys that are user IDs belong to that user', () => {
  it.each(ALL)('v%s', (v) => {
    const room = RoomBuilder.standard(v);
    expectAllowed(authorize(room, room.build({ type: 'com.example.x', sender: ALICE, state_key: ALICE, content: {} })));
    expectRejected(authorize(room, room.build({ type: 'com.example.x', sender: ALICE, state_key: BOB, content: {} })), 'state_key.other_user');
  });
});

describe('m.room.power_levels', () => {
  const pl = (room: RoomBuilder, sender: string, content: Record<string, unknown>) =>
    room.build({ type: 'm.room.power_levels', sender, state_key: '', content: content as any });
  const users = (v: string, extra: Record<string, number | string> = {}): Record<string, number | string> => (v === '12' ? extra : { [ALICE]: 100, ...extra });

  it('string levels: accepted up to v9, rejected from v10', () => {
    for (const v of ['1', '6', '9']) {
      const room = RoomBuilder.standard(v);
      expectAllowed(authorize(room, pl(room, ALICE, { users: { [ALICE]: '100' }, ban: ' +50 ' })));
    }
    for (const v of ['10', '11', '12']) {
      const room = RoomBuilder.standard(v);
      expectRejected(authorize(room, pl(room, ALICE, { users: users(v), ban: '50' })), 'power_levels.named_not_integer', v === '12' ? '10.1' : '9.1');
      expectRejected(authorize(room, pl(room, ALICE, { users: users(v), events: { 'm.room.name': '50' } })), 'power_levels.map_not_integers');
      expectRejected(authorize(room, pl(room, ALICE, { users: users(v, { [BOB]: '10' }) })), 'power_levels.users_invalid');
    }
  });

  it('float levels: truncated up to v5, rejected from v6', () => {
    const v5 = RoomBuilder.standard('5');
    expectAllowed(authorize(v5, pl(v5, ALICE, { users: { [ALICE]: 100, [BOB]: 50.57 } })));
    const v6 = RoomBuilder.standard('6');
    expectRejected(authorize(v6, pl(v6, ALICE, { users: { [ALICE]: 100, [BOB]: 50.57 } })), 'power_levels.users_invalid', '9.1');
  });

  it.each(ALL)('v%s: users keys must be user IDs', (v) => {
    const room = RoomBuilder.standard(v);
    expectRejected(authorize(room, pl(room, ALICE, { users: users(v, { bob: 10 }) })), 'power_levels.users_invalid');
  });

  it('v12: room creators cannot be listed in users; v11 may list them', () => {
    const v12 = RoomBuilder.standard('12');
    expectRejected(authorize(v12, pl(v12, ALICE, { users: { [ALICE]: 100 } })), 'power_levels.creator_in_users', '10.4');
    expectAllowed(authorize(v12, pl(v12, ALICE, { users: { [BOB]: 100 } })));
    const v11 = RoomBuilder.standard('11');
    expectAllowed(authorize(v11, pl(v11, ALICE, { users: { [ALICE]: 100 } })));
  });

  it.each(ALL)('v%s: named levels cannot be raised above, or changed from above, the sender', (v) => {
    const room = RoomBuilder.standard(v, 'public', { users: users(v, { [BOB]: 50 }), ban: 60 });
    room.join(BOB);
    expectRejected(authorize(room, pl(room, BOB, { users: users(v, { [BOB]: 50 }), ban: 40 })), 'power_levels.named_old_too_high');
    expectRejected(authorize(room, pl(room, BOB, { users: users(v, { [BOB]: 50 }), ban: 60, kick: 55 })), 'power_levels.named_new_too_high');
    expectAllowed(authorize(room, pl(room, ALICE, { users: users(v, { [BOB]: 50 }), ban: 40 })));
  });

  it.each(ALL)('v%s: users at or above the sender cannot be changed; nobody raised above the sender', (v) => {
    const room = RoomBuilder.standard(v, 'public', { users: users(v, { [BOB]: 50, [CHARLIE]: 50 }) });
    room.join(BOB);
    expectRejected(authorize(room, pl(room, BOB, { users: users(v, { [BOB]: 50, [CHARLIE]: 10 }) })), 'power_levels.users_old_too_high');
    expectRejected(authorize(room, pl(room, BOB, { users: users(v, { [BOB]: 50, [CHARLIE]: 50, '@dan:example.com': 60 }) })), 'power_levels.users_new_too_high');
    // Lowering one's own level is allowed.
    expectAllowed(authorize(room, pl(room, BOB, { users: users(v, { [BOB]: 20, [CHARLIE]: 50 }) })));
  });

  it('notifications changes are checked from v6, ignored before', () => {
    for (const [v, expectOk] of [['5', true], ['6', false], ['12', false]] as const) {
      const room = RoomBuilder.standard(v, 'public', { users: users(v, { [BOB]: 50 }), notifications: { room: 80 } });
      room.join(BOB);
      const event = pl(room, BOB, { users: users(v, { [BOB]: 50 }), notifications: { room: 20 } });
      if (expectOk) expectAllowed(authorize(room, event));
      else expectRejected(authorize(room, event), 'power_levels.events_old_too_high');
    }
  });

  it('v12: creators have infinite power (can change anything); additional creators too', () => {
    const room = new RoomBuilder('12', ALICE, { additional_creators: [BOB] });
    room.join(ALICE);
    room.add({ type: 'm.room.power_levels', sender: ALICE, state_key: '', content: { users: { [CHARLIE]: 9007199254740991 }, ban: 9007199254740991 } });
    room.add({ type: 'm.room.join_rules', sender: ALICE, state_key: '', content: { join_rule: 'public' } });
    room.join(BOB);
    room.join(CHARLIE);
    expectAllowed(authorize(room, pl(room, BOB, { users: { [CHARLIE]: 0 }, ban: 0 })));
    expectAllowed(authorize(room, room.buildMember(BOB, CHARLIE, 'ban')));
    expectRejected(authorize(room, room.buildMember(CHARLIE, BOB, 'ban')), 'member.ban.insufficient_power');
  });
});

describe('m.room.redaction (v1–v2 auth rule; ordinary event from v3)', () => {
  it.each(['1', '2'])('v%s: needs the redact level or the same domain as the redacted event', (v) => {
    const room = RoomBuilder.standard(v);
    room.join(BOB);
    const ownDomain = room.build({ type: 'm.room.redaction', sender: BOB, content: {}, overrides: { redacts: '$abc:example.com', event_id: '$r:example.com' } });
    expectAllowed(authorize(room, ownDomain));
    const otherDomain = room.build({ type: 'm.room.redaction', sender: BOB, content: {}, overrides: { redacts: '$abc:other.example', event_id: '$r:example.com' } });
    expectRejected(authorize(room, otherDomain), 'redaction.insufficient_power', '11.3');
  });

  it.each(['3', '11', '12'])('v%s: allowed by the ordinary rules', (v) => {
    const room = RoomBuilder.standard(v);
    room.join(BOB);
    expectAllowed(authorize(room, room.build({ type: 'm.room.redaction', sender: BOB, content: { redacts: '$abc' }, overrides: { redacts: '$abc' } })));
  });
});

describe('malformed input gives a typed rejection, never an exception', () => {
  const junk: unknown[] = [null, 5, 'x', [], { users: 'no' }, { users: { [BOB]: { deep: true } } }, { ban: null }, { events: [1, 2] }];
  it.each(ALL)('v%s: power levels content of the wrong types', (v) => {
    const room = RoomBuilder.standard(v);
    for (const content of junk) {
      const event = room.build({ type: 'm.room.power_levels', sender: ALICE, state_key: '', content: content as any });
      const result = authorize(room, event);
      expect(typeof result.ok).toBe('boolean');
    }
    expectRejected(authorize(room, room.build({ type: 'm.room.power_levels', sender: ALICE, state_key: '', content: { users: 'no' } as any })), 'power_levels.users_invalid');
  });

  it('events with missing or mistyped fields', () => {
    const room = RoomBuilder.standard('12');
    const bad = [
      { ...room.build({ type: 'm.room.topic', sender: ALICE, state_key: '', content: {} }), content: null },
      { ...room.build({ type: 'm.room.topic', sender: ALICE, state_key: '', content: {} }), prev_events: 'x' },
      { ...room.build({ type: 'm.room.topic', sender: ALICE, state_key: '', content: {} }), auth_events: null },
      { ...room.build({ type: 'm.room.member', sender: ALICE, state_key: ALICE, content: {} }), state_key: 7 },
      { ...room.build({ type: 'm.room.member', sender: ALICE, state_key: ALICE, content: { membership: 'invite', third_party_invite: 5 } }), state_key: BOB },
      { event_id: '$x' },
    ] as unknown as RoomEvent[];
    for (const event of bad) {
      expect(() => authorize(room, event)).not.toThrow();
      expect(authorize(room, event).ok).toBe(false);
    }
  });

  it('a malformed power levels event already in the state is read with defaults', () => {
    const room = RoomBuilder.standard('1');
    room.add({ type: 'm.room.power_levels', sender: ALICE, state_key: '', content: { users: 'garbage', ban: 'lots' } as any });
    const result = authorize(room, room.build({ type: 'm.room.topic', sender: ALICE, state_key: '', content: {} }));
    expect(result.ok).toBe(false); // Alice is back at users_default 0 < state_default 50
  });
});
