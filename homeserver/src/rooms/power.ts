// Power checks against a room's current state, for the endpoints that gate on them
// (alias deletion, directory visibility, upgrades).
import { powerLevelsOf, requiredEventLevel, userPowerLevel } from '@parley/spec';
import type { RoomStore, RoomInfo } from './store.js';

/** Whether `userId` is joined and may send a state event of `type` now. */
export async function canSendState(store: RoomStore, room: RoomInfo, userId: string, type: string): Promise<boolean> {
  const membership = await store.membership(room.roomNid, userId);
  if (membership.membership !== 'join') return false;
  const state = await store.currentState(room.roomNid, [['m.room.create', ''], ['m.room.power_levels', '']]);
  const create = [...state.values()].find((e) => e.type === 'm.room.create')?.pdu;
  const pl = [...state.values()].find((e) => e.type === 'm.room.power_levels')?.pdu;
  const have = userPowerLevel(userId, create, pl, room.version);
  return have >= requiredEventLevel(powerLevelsOf(pl, room.version), type, true);
}
