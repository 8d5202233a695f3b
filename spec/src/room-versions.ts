// Room versions 1–12 as records of flags, each built from its predecessor.
// Code branches on these flags, never on the version string.
// https://spec.matrix.org/v1.19/rooms/

export type EventIdFormat = 'domain' | 'base64' | 'url_safe_base64';
export type RedactionAlgorithm = 'v1' | 'v6' | 'v8' | 'v9' | 'v11';
export type StateResolution = 'v1' | 'v2' | 'v2.1';

export interface RoomVersion {
  readonly id: string;
  readonly stable: boolean;
  /** How event IDs are formed: `$opaque:domain` (v1–2) or a reference hash (v3 base64, v4+ URL-safe). */
  readonly eventIdFormat: EventIdFormat;
  /** The PDU carries its own `event_id` (v1–2 only). */
  readonly eventIdInPdu: boolean;
  /** `prev_events`/`auth_events` are `[id, {sha256}]` pairs rather than plain ids (v1–2). */
  readonly edgesAsPairs: boolean;
  readonly maxDepth: number | bigint;
  readonly redaction: RedactionAlgorithm;
  readonly stateResolution: StateResolution;
  /** v1–2: the redaction rule is part of the auth rules (same-domain redactions). */
  readonly redactionIsAuthRule: boolean;
  /** v1–2: the event must be signed by the server named in its event ID. */
  readonly requiresEventIdDomainSignature: boolean;
  /** v5+: signing keys must be valid (`valid_until_ts`) at `origin_server_ts`. */
  readonly enforceKeyValidity: boolean;
  /** v1–5: `m.room.aliases` has its own auth rule. */
  readonly specialCaseAliasesAuth: boolean;
  /** v6+: `notifications` keys are checked in power-level changes. */
  readonly limitNotificationsPowerLevels: boolean;
  /** v6+: values must be canonical JSON (no floats, integers in range). */
  readonly strictCanonicalJson: boolean;
  /** v1–5 accept floats in power levels; v10+ accept only integers. */
  readonly floatPowerLevelsAccepted: boolean;
  readonly stringPowerLevelsAccepted: boolean;
  readonly integerOnlyPowerLevels: boolean;
  /** v7+: the `knock` join rule and membership. */
  readonly knockJoinRule: boolean;
  /** v8+: the `restricted` join rule. */
  readonly restrictedJoinRule: boolean;
  /** v10+: the `knock_restricted` join rule. */
  readonly knockRestrictedJoinRule: boolean;
  /** v1–10: `m.room.create` must carry `content.creator`. */
  readonly createContentCreatorRequired: boolean;
  /** v11+: the creator is the `sender` of the create event. */
  readonly implicitRoomCreator: boolean;
  /** v11+: `redacts` lives in the content of `m.room.redaction`. */
  readonly redactsInContent: boolean;
  /** v12: room creators have infinite power level and cannot be listed in `users`. */
  readonly creatorsInfinitePowerLevel: boolean;
  /** v12: `additional_creators` in the create event content. */
  readonly additionalCreators: boolean;
  /** v12: the room ID is `!` + the create event's reference hash; create has no `room_id`. */
  readonly roomIdIsCreateEventHash: boolean;
  /** v1–11: `m.room.create` appears in every event's `auth_events`. */
  readonly createEventInAuthEvents: boolean;
  /** v12 (state res v2.1): start iterative auth checks from an empty state. */
  readonly stateResEmptyBaseState: boolean;
  /** v12 (state res v2.1): include the conflicted state subgraph. */
  readonly stateResConflictedSubgraph: boolean;
}

const v1: RoomVersion = {
  id: '1',
  stable: true,
  eventIdFormat: 'domain',
  eventIdInPdu: true,
  edgesAsPairs: true,
  maxDepth: 9223372036854775807n,
  redaction: 'v1',
  stateResolution: 'v1',
  redactionIsAuthRule: true,
  requiresEventIdDomainSignature: true,
  enforceKeyValidity: false,
  specialCaseAliasesAuth: true,
  limitNotificationsPowerLevels: false,
  strictCanonicalJson: false,
  floatPowerLevelsAccepted: true,
  stringPowerLevelsAccepted: true,
  integerOnlyPowerLevels: false,
  knockJoinRule: false,
  restrictedJoinRule: false,
  knockRestrictedJoinRule: false,
  createContentCreatorRequired: true,
  implicitRoomCreator: false,
  redactsInContent: false,
  creatorsInfinitePowerLevel: false,
  additionalCreators: false,
  roomIdIsCreateEventHash: false,
  createEventInAuthEvents: true,
  stateResEmptyBaseState: false,
  stateResConflictedSubgraph: false,
};
const v2: RoomVersion = { ...v1, id: '2', stateResolution: 'v2' };
const v3: RoomVersion = {
  ...v2,
  id: '3',
  eventIdFormat: 'base64',
  eventIdInPdu: false,
  edgesAsPairs: false,
  redactionIsAuthRule: false,
  requiresEventIdDomainSignature: false,
};
const v4: RoomVersion = { ...v3, id: '4', eventIdFormat: 'url_safe_base64' };
const v5: RoomVersion = { ...v4, id: '5', enforceKeyValidity: true };
const v6: RoomVersion = {
  ...v5,
  id: '6',
  maxDepth: Number.MAX_SAFE_INTEGER,
  redaction: 'v6',
  specialCaseAliasesAuth: false,
  limitNotificationsPowerLevels: true,
  strictCanonicalJson: true,
  floatPowerLevelsAccepted: false,
};
const v7: RoomVersion = { ...v6, id: '7', knockJoinRule: true };
const v8: RoomVersion = { ...v7, id: '8', redaction: 'v8', restrictedJoinRule: true };
const v9: RoomVersion = { ...v8, id: '9', redaction: 'v9' };
const v10: RoomVersion = {
  ...v9,
  id: '10',
  knockRestrictedJoinRule: true,
  stringPowerLevelsAccepted: false,
  integerOnlyPowerLevels: true,
};
const v11: RoomVersion = {
  ...v10,
  id: '11',
  redaction: 'v11',
  createContentCreatorRequired: false,
  implicitRoomCreator: true,
  redactsInContent: true,
};
const v12: RoomVersion = {
  ...v11,
  id: '12',
  stateResolution: 'v2.1',
  creatorsInfinitePowerLevel: true,
  additionalCreators: true,
  roomIdIsCreateEventHash: true,
  createEventInAuthEvents: false,
  stateResEmptyBaseState: true,
  stateResConflictedSubgraph: true,
};

export const ROOM_VERSIONS: Readonly<Record<string, RoomVersion>> = Object.freeze(
  Object.fromEntries([v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12].map((v) => [v.id, v])),
);

/** Servers SHOULD use v12 for new rooms (spec: rooms/#complete-list-of-room-versions). */
export const DEFAULT_ROOM_VERSION = '12';

export function getRoomVersion(id: string): RoomVersion | undefined {
  return Object.prototype.hasOwnProperty.call(ROOM_VERSIONS, id) ? ROOM_VERSIONS[id] : undefined;
}

export function isSupportedRoomVersion(id: string): boolean {
  return getRoomVersion(id) !== undefined;
}
