// Content of the state events the server itself interprets must have the right shape, so a
// client cannot wedge a room with e.g. a string join rule object or a float power level.
import { Errors, validatePowerLevelsContent, type JsonObject, type RoomVersion } from '@parley/spec';

const MAX_STATE_KEY_BYTES = 255;

function requireString(content: JsonObject, key: string, type: string, allowed?: string[]): void {
  const v = content[key];
  if (typeof v !== 'string') throw Errors.badJson(`${type}: "${key}" must be a string`);
  if (allowed && !allowed.includes(v)) throw Errors.badJson(`${type}: "${key}" must be one of ${allowed.join(', ')}`);
}

export function checkStateContent(type: string, stateKey: string, content: JsonObject, version: RoomVersion): void {
  if (Buffer.byteLength(stateKey) > MAX_STATE_KEY_BYTES) throw Errors.badJson('state_key is longer than 255 bytes');
  if (Buffer.byteLength(type) > MAX_STATE_KEY_BYTES) throw Errors.badJson('event type is longer than 255 bytes');
  switch (type) {
    case 'm.room.power_levels': {
      const result = validatePowerLevelsContent(content, version);
      if (!result.ok) throw Errors.badJson(`m.room.power_levels: ${(result as { reason?: string }).reason ?? 'invalid content'}`);
      break;
    }
    case 'm.room.join_rules':
      requireString(content, 'join_rule', type, ['public', 'knock', 'invite', 'private', 'restricted', 'knock_restricted']);
      break;
    case 'm.room.history_visibility':
      requireString(content, 'history_visibility', type, ['invited', 'joined', 'shared', 'world_readable']);
      break;
    case 'm.room.guest_access':
      requireString(content, 'guest_access', type, ['can_join', 'forbidden']);
      break;
    case 'm.room.member':
      requireString(content, 'membership', type, ['invite', 'join', 'knock', 'leave', 'ban']);
      if (!stateKey.startsWith('@')) throw Errors.badJson('m.room.member: state_key must be a user id');
      break;
    case 'm.room.name':
      if (content.name !== undefined) requireString(content, 'name', type);
      break;
    case 'm.room.topic':
      if (content.topic !== undefined) requireString(content, 'topic', type);
      break;
    case 'm.room.create':
      throw Errors.forbidden('m.room.create cannot be sent after the room exists');
  }
}
