// The events of a new room, per the createRoom algorithm.
// https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3createroom
import { Errors, isValidUserId, type JsonObject, type RoomVersion } from '@parley/spec';
import type { NewEvent } from './pipeline.js';

export type Preset = 'private_chat' | 'public_chat' | 'trusted_private_chat';

export interface CreateRoomRequest {
  creation_content?: Record<string, unknown>;
  initial_state?: Array<{ type: string; state_key?: string; content: Record<string, unknown> }>;
  invite?: string[];
  is_direct?: boolean;
  name?: string;
  power_level_content_override?: Record<string, unknown>;
  preset?: Preset;
  room_alias_name?: string;
  topic?: string;
  visibility?: 'public' | 'private';
}

const PRESETS: Record<Preset, { joinRule: string; historyVisibility: string; guestAccess: string; invitesAreAdmins: boolean }> = {
  private_chat: { joinRule: 'invite', historyVisibility: 'shared', guestAccess: 'can_join', invitesAreAdmins: false },
  trusted_private_chat: { joinRule: 'invite', historyVisibility: 'shared', guestAccess: 'can_join', invitesAreAdmins: true },
  public_chat: { joinRule: 'public', historyVisibility: 'shared', guestAccess: 'forbidden', invitesAreAdmins: false },
};

export function defaultPowerLevels(creator: string, version: RoomVersion, preset: Preset, invitees: string[]): JsonObject {
  const users: JsonObject = {};
  // v12: creators have infinite power and must not be listed.
  if (!version.creatorsInfinitePowerLevel) users[creator] = 100;
  if (PRESETS[preset].invitesAreAdmins) for (const u of invitees) users[u] = 100;
  return {
    users,
    users_default: 0,
    events: {
      'm.room.name': 50,
      'm.room.power_levels': 100,
      'm.room.history_visibility': 100,
      'm.room.canonical_alias': 50,
      'm.room.avatar': 50,
      'm.room.tombstone': 100,
      'm.room.server_acl': 100,
      'm.room.encryption': 100,
    },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    invite: preset === 'public_chat' ? 0 : 0,
    historical: 100,
    notifications: { room: 50 },
  };
}

/** The events after m.room.create, in the spec's order. `alias`: the canonical alias to set. */
export function initialRoomEvents(
  creator: string,
  version: RoomVersion,
  req: CreateRoomRequest,
  memberContent: JsonObject,
  alias: string | undefined,
): NewEvent[] {
  const preset: Preset = req.preset ?? (req.visibility === 'public' ? 'public_chat' : 'private_chat');
  const p = PRESETS[preset];
  const invitees = req.invite ?? [];
  for (const u of invitees) if (!isValidUserId(u)) throw Errors.invalidParam(`invalid user id in invite: ${u}`);
  const events: NewEvent[] = [];
  const state = (type: string, content: JsonObject, key = '') => events.push({ type, state_key: key, sender: creator, content });

  state('m.room.member', { ...memberContent, membership: 'join' }, creator);
  let levels = defaultPowerLevels(creator, version, preset, invitees);
  if (req.power_level_content_override) levels = { ...levels, ...(req.power_level_content_override as JsonObject) };
  state('m.room.power_levels', levels);
  if (alias) state('m.room.canonical_alias', { alias });
  state('m.room.join_rules', { join_rule: p.joinRule });
  state('m.room.history_visibility', { history_visibility: p.historyVisibility });
  if (p.guestAccess === 'can_join') state('m.room.guest_access', { guest_access: 'can_join' });
  for (const s of req.initial_state ?? []) {
    if (s.type === 'm.room.create' || s.type === 'm.room.member') continue;
    state(s.type, s.content as JsonObject, s.state_key ?? '');
  }
  if (req.name !== undefined) state('m.room.name', { name: req.name });
  if (req.topic !== undefined) {
    state('m.room.topic', { topic: req.topic, 'm.topic': { 'm.text': [{ body: req.topic, mimetype: 'text/plain' }] } } as unknown as JsonObject);
  }
  for (const u of invitees) {
    const content: JsonObject = { membership: 'invite' };
    if (req.is_direct) content.is_direct = true;
    events.push({ type: 'm.room.member', state_key: u, sender: creator, content });
  }
  return events;
}
