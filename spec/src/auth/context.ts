// What the state-dependent auth rules know about the room while checking one event.

import type { JsonObject, PDU, RoomEvent } from '../events.js';
import { powerLevelsOf, userPowerLevel, type PowerLevels } from '../power-levels.js';
import type { RoomVersion } from '../room-versions.js';
import type { StateLookup } from './auth-events.js';
import { ruleNumbers, type RuleNumbers } from './result.js';

/** Checks the auth rules cannot do on their own; inject them (keeps spec/ free of crypto code). */
export interface AuthOptions {
  /**
   * Rule "join_authorised_via_users_server" (v8+ member rule 2): is the event validly signed by
   * this server? Defaults to "a signature from that server is present", i.e. assumes the caller
   * verified every signature of the PDU on receipt.
   */
  isSignedByServer?: (event: PDU, serverName: string) => boolean;
  /**
   * 3PID invites (member rule "invite" 1.7): does any signature in `signed` (its `signatures`
   * object) verify with this Ed25519 public key (unpadded base64, standard or URL-safe)?
   * Without it, 3PID invites are rejected.
   */
  verifyThirdPartyInviteSignature?: (signed: JsonObject, publicKey: string) => boolean;
}

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function serverNameOf(id: string): string {
  const colon = id.indexOf(':');
  return colon < 0 ? '' : id.slice(colon + 1);
}

export class RoomAuthState {
  readonly numbers: RuleNumbers;
  readonly createEvent: RoomEvent | undefined;
  readonly powerLevelsEvent: RoomEvent | undefined;
  readonly powerLevels: PowerLevels;
  private readonly levelCache = new Map<string, number>();

  constructor(
    readonly roomVersion: RoomVersion,
    readonly lookup: StateLookup,
    readonly options: AuthOptions,
  ) {
    this.numbers = ruleNumbers(roomVersion);
    this.createEvent = lookup('m.room.create', '');
    this.powerLevelsEvent = lookup('m.room.power_levels', '');
    this.powerLevels = powerLevelsOf(this.powerLevelsEvent, roomVersion);
  }

  powerLevelOf(userId: string): number {
    let level = this.levelCache.get(userId);
    if (level === undefined) {
      level = userPowerLevel(userId, this.createEvent, this.powerLevelsEvent, this.roomVersion);
      this.levelCache.set(userId, level);
    }
    return level;
  }

  /** A user's current membership; no member event counts as `leave`. */
  membershipOf(userId: string): string {
    const membership = asObject(this.lookup('m.room.member', userId)?.content)?.membership;
    return typeof membership === 'string' ? membership : 'leave';
  }

  /** The join rule; `invite` when there is no (valid) `m.room.join_rules` event. */
  joinRule(): string {
    const rule = asObject(this.lookup('m.room.join_rules', '')?.content)?.join_rule;
    return typeof rule === 'string' ? rule : 'invite';
  }
}
