// Room upgrades: https://spec.matrix.org/v1.19/client-server-api/#server-behaviour-19
import { Errors, getRoomVersion, powerLevelsOf, type JsonObject } from '@parley/spec';
import type { NewEvent } from './pipeline.js';
import type { RoomService } from './service.js';
import type { RoomInfo } from './store.js';
import { canSendState } from './power.js';
import type { DirectoryService } from './directory.js';

/** State carried over to the new room, in the order it is sent (spec list plus m.room.server_acl). */
const COPIED_STATE = [
  'm.room.power_levels',
  'm.room.join_rules',
  'm.room.history_visibility',
  'm.room.guest_access',
  'm.room.name',
  'm.room.topic',
  'm.room.avatar',
  'm.room.encryption',
  'm.room.server_acl',
];
/** Keys of m.room.create kept (room type for spaces, federation flag). */
const COPIED_CREATE_KEYS = ['type', 'm.federate'];

export class RoomUpgrader {
  constructor(
    private readonly rooms: RoomService,
    private readonly directory: DirectoryService,
  ) {}

  async upgrade(userId: string, roomId: string, newVersionId: string, additionalCreators: string[] = []): Promise<string> {
    const version = getRoomVersion(newVersionId);
    if (!version) throw Errors.unsupportedRoomVersion(newVersionId);
    const old = await this.rooms.store.room(roomId);
    if (!old) throw Errors.forbidden('You are not in this room');
    if (!(await canSendState(this.rooms.store, old, userId, 'm.room.tombstone'))) throw Errors.forbidden('You may not upgrade this room (m.room.tombstone needs more power)');

    const state = await this.rooms.store.currentState(old.roomNid);
    const byType = (type: string, key = '') => [...state.values()].find((e) => e.type === type && e.stateKey === key);
    const oldCreate = byType('m.room.create')!;
    const createContent: JsonObject = {};
    for (const k of COPIED_CREATE_KEYS) {
      const v = (oldCreate.pdu.content as JsonObject)[k];
      if (v !== undefined) createContent[k] = v;
    }
    // The last event in the old room before the upgrade (event_id is optional since v1.16 but still useful).
    const tip = await this.rooms.db('forward_extremities').where({ room_nid: old.roomNid }).orderBy('event_nid', 'desc').first('event_nid');
    const [tipEvent] = tip ? await this.rooms.store.eventsByNids([Number(tip.event_nid)]) : [];
    if (version.additionalCreators && additionalCreators.length) createContent.additional_creators = additionalCreators;
    createContent.predecessor = tipEvent ? { room_id: roomId, event_id: tipEvent.eventId } : { room_id: roomId };

    const member = await this.rooms.profileContent(userId);
    const initial = (): NewEvent[] => {
      const events: NewEvent[] = [{ type: 'm.room.member', state_key: userId, sender: userId, content: { ...member, membership: 'join' } }];
      for (const type of COPIED_STATE) {
        const e = byType(type);
        if (!e) continue;
        let content = { ...(e.pdu.content as JsonObject) };
        if (type === 'm.room.power_levels') content = this.powerLevelsForNewRoom(content, [userId, ...additionalCreators], version.creatorsInfinitePowerLevel);
        events.push({ type, state_key: '', sender: userId, content });
      }
      return events;
    };
    const { roomId: newRoomId } = await this.rooms.pipeline.createRoom(version, userId, createContent, initial);
    const newRoom = await this.rooms.store.requireRoom(newRoomId);

    await this.rooms.send({ userId }, roomId, {
      type: 'm.room.tombstone',
      state_key: '',
      content: { body: 'This room has been replaced', replacement_room: newRoomId },
    });
    await this.copyBans(userId, [...state.values()].filter((e) => e.type === 'm.room.member' && (e.pdu.content as JsonObject).membership === 'ban').map((e) => e.stateKey!), newRoom);
    await this.moveAliases(userId, old, newRoom, byType('m.room.canonical_alias')?.pdu.content as JsonObject | undefined);
    await this.restrictOldRoom(userId, old);
    return newRoomId;
  }

  /**
   * The old power levels, adjusted to the new version: v12 creators have infinite power and
   * must not be listed; elsewhere the upgrading user needs a listed level to keep control.
   */
  private powerLevelsForNewRoom(content: JsonObject, creators: string[], creatorsInfinite: boolean): JsonObject {
    const users = { ...((content.users as JsonObject | undefined) ?? {}) };
    if (creatorsInfinite) for (const c of creators) delete users[c];
    else users[creators[0]] = Math.max(Number(users[creators[0]] ?? 0), 100);
    return { ...content, users };
  }

  private async copyBans(userId: string, banned: string[], room: RoomInfo): Promise<void> {
    for (const target of banned) {
      await this.rooms.send({ userId }, room.roomId, { type: 'm.room.member', state_key: target, content: { membership: 'ban' } }).catch(() => undefined);
    }
  }

  /** Local aliases point at the new room; the canonical alias moves with them; the directory entry too. */
  private async moveAliases(userId: string, old: RoomInfo, room: RoomInfo, canonical: JsonObject | undefined): Promise<void> {
    const aliases = await this.directory.localAliases(old.roomId);
    await this.rooms.db('room_aliases').where({ room_id: old.roomId }).update({ room_id: room.roomId });
    const published = await this.rooms.db('rooms').where({ room_nid: old.roomNid }).first('is_public');
    if (published?.is_public) {
      await this.rooms.db('rooms').where({ room_nid: room.roomNid }).update({ is_public: true });
      await this.rooms.db('rooms').where({ room_nid: old.roomNid }).update({ is_public: false });
    }
    if (canonical && (canonical.alias !== undefined || Array.isArray(canonical.alt_aliases))) {
      const local = new Set(aliases);
      const content: JsonObject = {};
      if (typeof canonical.alias === 'string' && local.has(canonical.alias)) content.alias = canonical.alias;
      if (Array.isArray(canonical.alt_aliases)) content.alt_aliases = canonical.alt_aliases.filter((a) => local.has(a as string));
      await this.rooms.send({ userId }, room.roomId, { type: 'm.room.canonical_alias', state_key: '', content }).catch(() => undefined);
      await this.directory.dropFromCanonicalAlias(userId, old, aliases);
    }
  }

  /** Only moderators may talk or invite in the old room now (events_default and invite raised). */
  private async restrictOldRoom(userId: string, old: RoomInfo): Promise<void> {
    const pl = await this.rooms.store.currentStateEvent(old.roomNid, 'm.room.power_levels');
    if (!pl) return;
    const levels = powerLevelsOf(pl.pdu, old.version);
    const restricted = Math.max(50, levels.usersDefault + 1);
    const content = { ...(pl.pdu.content as JsonObject), events_default: Math.max(levels.eventsDefault, restricted), invite: Math.max(levels.invite, restricted) };
    await this.rooms.send({ userId }, old.roomId, { type: 'm.room.power_levels', state_key: '', content }).catch(() => undefined);
  }
}
