// Auth rules for `m.room.member` events (rule 4 in v6–v11, 5 in v1–v5 and v12).
// https://spec.matrix.org/v1.19/rooms/v12/#authorization-rules
// https://spec.matrix.org/v1.19/rooms/v11/#authorization-rules
// https://spec.matrix.org/v1.19/rooms/v1/#authorization-rules

import { edgeIds, type RoomEvent } from '../events.js';
import { ALLOW, reject, type AuthResult } from './result.js';
import { asObject, serverNameOf, type RoomAuthState } from './context.js';
import { checkThirdPartyInvite } from './third-party-invite.js';

export function checkMembership(event: RoomEvent, room: RoomAuthState): AuthResult {
  const { roomVersion: rv, numbers } = room;
  const m = numbers.member;
  const sub = numbers.memberSub;
  const content = asObject(event.content) ?? {};
  const membership = content.membership;

  // 1. No `state_key` or no `membership`: reject.
  if (typeof event.state_key !== 'string' || typeof membership !== 'string') {
    return reject('member.missing_fields', `${m}.${sub.missing}`, 'no state_key or no content.membership');
  }

  // 2. (v8+) `join_authorised_via_users_server` present: the event must be signed by that user's server.
  const authoriser = content.join_authorised_via_users_server;
  if (rv.restrictedJoinRule && authoriser !== undefined) {
    const section = `${m}.${sub.authorisedSignature}.1`;
    if (typeof authoriser !== 'string') return reject('member.authorised_via.invalid', section, 'join_authorised_via_users_server is not a user ID');
    const server = serverNameOf(authoriser);
    const signed = room.options.isSignedByServer
      ? room.options.isSignedByServer(event, server)
      : asObject(asObject(event.signatures)?.[server]) !== undefined;
    if (!signed) return reject('member.authorised_via.unsigned', section, `not signed by ${server}`);
  }

  switch (membership) {
    case 'join':
      return checkJoin(event, room, typeof authoriser === 'string' ? authoriser : undefined);
    case 'invite':
      return checkInvite(event, room);
    case 'leave':
      return checkLeave(event, room);
    case 'ban':
      return checkBan(event, room);
    case 'knock':
      if (rv.knockJoinRule) return checkKnock(event, room);
      break;
  }
  // Otherwise the membership is unknown: reject.
  return reject('member.unknown_membership', `${m}.${sub.unknown}`, `unknown membership ${JSON.stringify(membership)}`);
}

function checkJoin(event: RoomEvent, room: RoomAuthState, authoriser: string | undefined): AuthResult {
  const { roomVersion: rv, numbers } = room;
  const s = `${numbers.member}.${numbers.memberSub.join}`;
  const j = numbers.joinSub;
  const target = event.state_key as string;

  // 1. The only previous event is the create event and the target is the creator
  //    (`content.creator` in v1–v10, the create event's sender from v11): allow.
  const prevs = Array.isArray(event.prev_events) ? edgeIds(event.prev_events) : [];
  const create = room.createEvent;
  if (create && prevs.length === 1 && prevs[0] === create.event_id) {
    const creator = rv.implicitRoomCreator ? create.sender : asObject(create.content)?.creator;
    if (target === creator) return ALLOW;
  }
  // 2. The sender does not match the state_key: reject.
  if (event.sender !== target) return reject('member.join.not_self', `${s}.${j.notSelf}`, 'sender does not match state_key');

  const current = room.membershipOf(target);
  // 3. The sender is banned: reject.
  if (current === 'ban') return reject('member.join.banned', `${s}.${j.banned}`, 'sender is banned');

  const joinRule = room.joinRule();
  // 4. Join rule `invite` (or, v7+, `knock`): allow if the membership is invite or join.
  if (joinRule === 'invite' || (rv.knockJoinRule && joinRule === 'knock')) {
    if (current === 'invite' || current === 'join') return ALLOW;
    return reject('member.join.not_invited', `${s}.${j.invite}`, `join rule ${joinRule} and membership ${current}`);
  }
  // 5. (v8+) Join rule `restricted` (or, v10+, `knock_restricted`).
  if ((rv.restrictedJoinRule && joinRule === 'restricted') || (rv.knockRestrictedJoinRule && joinRule === 'knock_restricted')) {
    // 5.1 Already joined or invited: allow.
    if (current === 'invite' || current === 'join') return ALLOW;
    // 5.2 The authorising user must be joined and able to invite.
    if (authoriser === undefined || room.membershipOf(authoriser) !== 'join' || room.powerLevelOf(authoriser) < room.powerLevels.invite) {
      return reject('member.join.restricted_unauthorised', `${s}.${j.restricted}.2`, 'join_authorised_via_users_server cannot invite');
    }
    // 5.3 Otherwise, allow.
    return ALLOW;
  }
  // 6. Join rule `public`: allow.
  if (joinRule === 'public') return ALLOW;
  // 7. Otherwise, reject.
  return reject('member.join.not_allowed', `${s}.${j.otherwise}`, `join rule ${JSON.stringify(joinRule)} does not allow joining`);
}

function checkInvite(event: RoomEvent, room: RoomAuthState): AuthResult {
  const { numbers } = room;
  const s = `${numbers.member}.${numbers.memberSub.invite}`;
  const target = event.state_key as string;
  const content = asObject(event.content) ?? {};

  // 1. A third-party invite has its own rules.
  if (content.third_party_invite !== undefined) return checkThirdPartyInvite(event, room, `${s}.1`);

  // 2. The sender is not joined: reject.
  if (room.membershipOf(event.sender) !== 'join') return reject('member.invite.sender_not_joined', `${s}.2`, 'sender is not joined');
  // 3. The target is joined or banned: reject.
  const targetMembership = room.membershipOf(target);
  if (targetMembership === 'join' || targetMembership === 'ban') {
    return reject('member.invite.target_joined_or_banned', `${s}.3`, `target membership is ${targetMembership}`);
  }
  // 4. The sender's power level is at least the invite level: allow. 5. Otherwise, reject.
  if (room.powerLevelOf(event.sender) >= room.powerLevels.invite) return ALLOW;
  return reject('member.invite.insufficient_power', `${s}.5`, 'sender power level is below the invite level');
}

function checkLeave(event: RoomEvent, room: RoomAuthState): AuthResult {
  const { roomVersion: rv, numbers } = room;
  const s = `${numbers.member}.${numbers.memberSub.leave}`;
  const target = event.state_key as string;
  const targetMembership = room.membershipOf(target);

  // 1. Leaving oneself: allowed only from invite or join (and, v7+, knock).
  if (event.sender === target) {
    if (targetMembership === 'invite' || targetMembership === 'join' || (rv.knockJoinRule && targetMembership === 'knock')) return ALLOW;
    return reject('member.leave.self_not_member', `${s}.1`, `cannot leave from membership ${targetMembership}`);
  }
  // 2. The sender is not joined: reject.
  if (room.membershipOf(event.sender) !== 'join') return reject('member.leave.sender_not_joined', `${s}.2`, 'sender is not joined');
  const senderLevel = room.powerLevelOf(event.sender);
  // 3. Unbanning needs the ban level.
  if (targetMembership === 'ban' && senderLevel < room.powerLevels.ban) {
    return reject('member.leave.unban_insufficient_power', `${s}.3`, 'sender power level is below the ban level');
  }
  // 4. Kick: sender at least the kick level and above the target: allow. 5. Otherwise, reject.
  if (senderLevel >= room.powerLevels.kick && room.powerLevelOf(target) < senderLevel) return ALLOW;
  return reject('member.leave.kick_insufficient_power', `${s}.5`, 'sender cannot kick the target');
}

function checkBan(event: RoomEvent, room: RoomAuthState): AuthResult {
  const { numbers } = room;
  const s = `${numbers.member}.${numbers.memberSub.ban}`;
  // 1. The sender is not joined: reject.
  if (room.membershipOf(event.sender) !== 'join') return reject('member.ban.sender_not_joined', `${s}.1`, 'sender is not joined');
  // 2. Sender at least the ban level and above the target: allow. 3. Otherwise, reject.
  const senderLevel = room.powerLevelOf(event.sender);
  if (senderLevel >= room.powerLevels.ban && room.powerLevelOf(event.state_key as string) < senderLevel) return ALLOW;
  return reject('member.ban.insufficient_power', `${s}.3`, 'sender cannot ban the target');
}

/** v7+: knocking (rooms/v7#authorization-rules). */
function checkKnock(event: RoomEvent, room: RoomAuthState): AuthResult {
  const { roomVersion: rv, numbers } = room;
  const s = `${numbers.member}.${numbers.memberSub.knock}`;
  const joinRule = room.joinRule();
  // 1. The join rule is neither `knock` nor (v10+) `knock_restricted`: reject.
  if (!(joinRule === 'knock' || (rv.knockRestrictedJoinRule && joinRule === 'knock_restricted'))) {
    return reject('member.knock.join_rule', `${s}.1`, `join rule ${JSON.stringify(joinRule)} does not allow knocking`);
  }
  // 2. The sender does not match the state_key: reject.
  if (event.sender !== event.state_key) return reject('member.knock.not_self', `${s}.2`, 'sender does not match state_key');
  // 3. Allow unless the sender is banned, invited or joined. 4. Otherwise, reject.
  const current = room.membershipOf(event.sender);
  if (current !== 'ban' && current !== 'invite' && current !== 'join') return ALLOW;
  return reject('member.knock.already_member', `${s}.4`, `cannot knock with membership ${current}`);
}
