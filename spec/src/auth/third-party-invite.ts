// Auth rule for invites carrying `third_party_invite` (member rule "invite" 1).
// https://spec.matrix.org/v1.19/rooms/v12/#authorization-rules (rule 5.4.1)
// The Ed25519 check is injected (AuthOptions.verifyThirdPartyInviteSignature).

import type { JsonObject, RoomEvent } from '../events.js';
import { ALLOW, reject, type AuthResult } from './result.js';
import { asObject, type RoomAuthState } from './context.js';

export function checkThirdPartyInvite(event: RoomEvent, room: RoomAuthState, s: string): AuthResult {
  const target = event.state_key as string;
  // 1. The target is banned: reject.
  if (room.membershipOf(target) === 'ban') return reject('member.third_party_invite.target_banned', `${s}.1`, 'target is banned');

  // 2. `third_party_invite` has no `signed`: reject.
  const signed = asObject(asObject(asObject(event.content)?.third_party_invite)?.signed);
  if (!signed) return reject('member.third_party_invite.no_signed', `${s}.2`, 'third_party_invite has no signed object');
  // 3. `signed` lacks `mxid` or `token`: reject.
  const { mxid, token } = signed;
  if (typeof mxid !== 'string' || typeof token !== 'string') {
    return reject('member.third_party_invite.signed_fields', `${s}.3`, 'signed lacks mxid or token');
  }
  // 4. `mxid` does not match the state_key: reject.
  if (mxid !== target) return reject('member.third_party_invite.mxid_mismatch', `${s}.4`, 'mxid does not match state_key');
  // 5. No `m.room.third_party_invite` with state_key = token in the room: reject.
  const invite = room.lookup('m.room.third_party_invite', token);
  if (!invite) return reject('member.third_party_invite.no_invite_event', `${s}.5`, 'no m.room.third_party_invite for token');
  // 6. The sender differs from the m.room.third_party_invite sender: reject.
  if (invite.sender !== event.sender) return reject('member.third_party_invite.sender_mismatch', `${s}.6`, 'sender did not send the third-party invite');

  // 7. Any signature in `signed` matches a public key of the invite (public_key, public_keys[].public_key): allow.
  const verify = room.options.verifyThirdPartyInviteSignature;
  if (verify) {
    for (const key of publicKeysOf(asObject(invite.content) ?? {})) {
      if (safeVerify(verify, signed, key)) return ALLOW;
    }
  }
  // 8. Otherwise, reject.
  return reject('member.third_party_invite.bad_signature', `${s}.8`, verify ? 'no signature matches the invite keys' : 'no signature verifier configured');
}

export function publicKeysOf(content: JsonObject): string[] {
  const keys: string[] = [];
  if (typeof content.public_key === 'string') keys.push(content.public_key);
  if (Array.isArray(content.public_keys)) {
    for (const entry of content.public_keys) {
      const key = asObject(entry)?.public_key;
      if (typeof key === 'string') keys.push(key);
    }
  }
  return keys;
}

function safeVerify(verify: (signed: JsonObject, key: string) => boolean, signed: JsonObject, key: string): boolean {
  try {
    return verify(signed, key);
  } catch {
    return false; // a malformed key or signature is a failed verification, not an error
  }
}
