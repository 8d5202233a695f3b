// `device_lists.changed` / `left` of a sync (and /keys/changes):
// https://spec.matrix.org/v1.19/client-server-api/#tracking-the-device-list-for-a-user
import type { Knex } from 'knex';
import type { DeviceLists } from '../e2ee/device-lists.js';
import { usersSharingRoomWith } from './membership.js';

export interface Range {
  events: [number, number];
  deviceLists: [number, number];
}

/**
 * changed: users sharing a room with `userId` whose devices changed, who joined a room with them,
 * or who are in a room they joined. left: users they no longer share any room with after a leave.
 */
export async function deviceListChanges(db: Knex, deviceLists: DeviceLists, userId: string, range: Range): Promise<{ changed: string[]; left: string[] }> {
  const [from, to] = range.events;
  const moves: Array<{ user_id: string; membership: string; room_nid: number }> =
    from < to
      ? await db('room_memberships')
          .whereIn('room_nid', db('current_memberships').where({ user_id: userId }).select('room_nid'))
          .where('event_nid', '>', from)
          .where('event_nid', '<=', to)
          .orderBy('event_nid')
          .select('user_id', 'membership', 'room_nid')
      : [];
  if (moves.length === 0 && range.deviceLists[0] >= range.deviceLists[1]) return { changed: [], left: [] };
  const sharing = await usersSharingRoomWith(db, userId);
  const changed = await deviceLists.changedAmong(sharing, range.deviceLists[0], range.deviceLists[1]);
  const left = new Set<string>();
  {
    for (const m of moves) {
      if (m.user_id === userId) {
        const members = (await db('current_memberships').where({ room_nid: m.room_nid, membership: 'join' }).select('user_id')).map((r: { user_id: string }) => r.user_id);
        for (const u of members) {
          if (u === userId) continue;
          if (m.membership === 'join') changed.add(u);
          else if (!sharing.has(u)) left.add(u);
        }
      } else if (m.membership === 'join') {
        if (sharing.has(m.user_id)) changed.add(m.user_id);
      } else if (!sharing.has(m.user_id)) {
        left.add(m.user_id);
      }
    }
  }
  for (const u of left) changed.delete(u);
  for (const u of changed) left.delete(u);
  return { changed: [...changed], left: [...left] };
}
