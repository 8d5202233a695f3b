// A displayname or avatar change updates the user's m.room.member event in every room they
// are joined to, through the pipeline (each room keeps its own membership history).
// https://spec.matrix.org/v1.19/client-server-api/#events-on-change-of-profile-information
import type { JsonObject } from '@parley/spec';
import type { Logger } from 'pino';
import type { ProfileChange } from '../accounts/profile.js';
import type { RoomService } from './service.js';

export async function propagateProfile(rooms: RoomService, log: Logger, change: ProfileChange): Promise<void> {
  for (const roomId of await rooms.store.joinedRoomIds(change.userId)) {
    try {
      const room = await rooms.store.requireRoom(roomId);
      const current = await rooms.store.currentStateEvent(room.roomNid, 'm.room.member', change.userId);
      if (!current || (current.pdu.content as JsonObject).membership !== 'join') continue;
      const content: JsonObject = { ...(current.pdu.content as JsonObject) };
      delete content.displayname;
      delete content.avatar_url;
      delete content.reason;
      if (change.displayname !== null) content.displayname = change.displayname;
      if (change.avatar_url !== null) content.avatar_url = change.avatar_url;
      if (JSON.stringify(content) === JSON.stringify(current.pdu.content)) continue;
      await rooms.pipeline.send(roomId, { type: 'm.room.member', state_key: change.userId, sender: change.userId, content });
    } catch (err) {
      // One room refusing (e.g. power levels forbidding member changes) must not stop the others.
      log.warn({ err, roomId }, 'profile change not propagated to room');
    }
  }
}
