// Membership questions the sync, receipt and presence code asks of the rooms tables.
import type { Knex } from 'knex';
import { Errors } from '@parley/spec';

export async function membershipOf(db: Knex, userId: string, roomId: string): Promise<string> {
  const row = await db('current_memberships as m')
    .join('rooms as r', 'r.room_nid', 'm.room_nid')
    .where({ 'r.room_id': roomId, 'm.user_id': userId })
    .first('m.membership');
  return row?.membership ?? 'leave';
}

export async function requireJoined(db: Knex, userId: string, roomId: string): Promise<void> {
  if ((await membershipOf(db, userId, roomId)) !== 'join') throw Errors.forbidden('You are not joined to this room');
}

/** Users who share at least one joined room with `userId` (the user included). */
export async function usersSharingRoomWith(db: Knex, userId: string): Promise<Set<string>> {
  const rows: Array<{ user_id: string }> = await db('current_memberships as mine')
    .join('current_memberships as other', 'other.room_nid', 'mine.room_nid')
    .where({ 'mine.user_id': userId, 'mine.membership': 'join', 'other.membership': 'join' })
    .distinct('other.user_id');
  const out = new Set(rows.map((r) => r.user_id));
  out.add(userId);
  return out;
}

/**
 * Users who share a joined room with `userId` through a join in (since, upTo] (theirs or
 * `userId`'s), `userId` excluded. Some may have shared another room before.
 */
export async function usersNewlySharingRoomWith(db: Knex, userId: string, since: number, upTo: number): Promise<string[]> {
  const rows: Array<{ user_id: string }> = await db('current_memberships as mine')
    .join('current_memberships as other', 'other.room_nid', 'mine.room_nid')
    .where({ 'mine.user_id': userId, 'mine.membership': 'join', 'other.membership': 'join' })
    .whereNot('other.user_id', userId)
    .where('mine.event_nid', '<=', upTo)
    .where('other.event_nid', '<=', upTo)
    .where((q) => q.where('mine.event_nid', '>', since).orWhere('other.event_nid', '>', since))
    .distinct('other.user_id');
  return rows.map((r) => r.user_id);
}

export async function sharesRoom(db: Knex, a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const row = await db('current_memberships as x')
    .join('current_memberships as y', 'y.room_nid', 'x.room_nid')
    .where({ 'x.user_id': a, 'x.membership': 'join', 'y.user_id': b, 'y.membership': 'join' })
    .first(db.raw('1 as one'));
  return !!row;
}
