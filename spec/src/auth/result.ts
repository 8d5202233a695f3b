// The outcome of the authorization rules and the rule numbering of each room version.

import type { RoomVersion } from '../room-versions.js';

export interface AuthRejection {
  ok: false;
  /** Stable name of the rule, e.g. `member.join.not_self` (the same across room versions). */
  rule: string;
  /** The rule's number in this room version's list, e.g. `5.3.2` (numbering differs by version). */
  section: string;
  reason: string;
}

export type AuthResult = { ok: true } | AuthRejection;

export const ALLOW: AuthResult = Object.freeze({ ok: true });

export function reject(rule: string, section: string | number, reason: string): AuthRejection {
  return { ok: false, rule, section: String(section), reason };
}

/**
 * Top-level rule numbers. v1–v5 (rooms/v1#authorization-rules) have the `m.room.aliases`
 * rule (4) and, in v1–v2, the `m.room.redaction` rule (11); v6–v11 drop aliases
 * (rooms/v6#authorization-rules); v12 inserts rule 2 (room ID names the create event).
 */
export interface RuleNumbers {
  create: number;
  roomId?: number;
  authEvents: number;
  federate: number;
  aliases?: number;
  member: number;
  senderJoined: number;
  thirdPartyInvite: number;
  requiredLevel: number;
  userStateKey: number;
  powerLevels: number;
  redaction?: number;
  /** Sub-rules of the member rule. */
  memberSub: { missing: number; authorisedSignature?: number; join: number; invite: number; leave: number; ban: number; knock?: number; unknown: number };
  /** Sub-rules of `membership = join`. */
  joinSub: { creator: number; notSelf: number; banned: number; invite: number; restricted?: number; public: number; otherwise: number };
  /** Sub-rules of the power-levels rule. */
  powerLevelsSub: { validation: number[]; creators?: number; noPrevious: number; named: number; eventsOld: number; eventsNew: number; usersOld: number; usersNew: number };
}

const cache = new WeakMap<RoomVersion, RuleNumbers>();

export function ruleNumbers(rv: RoomVersion): RuleNumbers {
  const cached = cache.get(rv);
  if (cached) return cached;
  const top = { create: 1 } as RuleNumbers;
  let n = 2;
  if (rv.roomIdIsCreateEventHash) top.roomId = n++;
  top.authEvents = n++;
  top.federate = n++;
  if (rv.specialCaseAliasesAuth) top.aliases = n++;
  top.member = n++;
  top.senderJoined = n++;
  top.thirdPartyInvite = n++;
  top.requiredLevel = n++;
  top.userStateKey = n++;
  top.powerLevels = n++;
  if (rv.redactionIsAuthRule) top.redaction = n++;

  const o = rv.restrictedJoinRule ? 1 : 0;
  top.memberSub = {
    missing: 1,
    authorisedSignature: rv.restrictedJoinRule ? 2 : undefined,
    join: 2 + o,
    invite: 3 + o,
    leave: 4 + o,
    ban: 5 + o,
    knock: rv.knockJoinRule ? 6 + o : undefined,
    unknown: (rv.knockJoinRule ? 7 : 6) + o,
  };
  const r = rv.restrictedJoinRule ? 1 : 0;
  top.joinSub = { creator: 1, notSelf: 2, banned: 3, invite: 4, restricted: r ? 5 : undefined, public: 5 + r, otherwise: 6 + r };

  const validation = rv.integerOnlyPowerLevels ? [1, 2, 3] : [1];
  let p = validation.length + 1;
  const creators = rv.creatorsInfinitePowerLevel ? p++ : undefined;
  top.powerLevelsSub = { validation, creators, noPrevious: p, named: p + 1, eventsOld: p + 2, eventsNew: p + 3, usersOld: p + 4, usersNew: p + 5 };
  cache.set(rv, top);
  return top;
}
