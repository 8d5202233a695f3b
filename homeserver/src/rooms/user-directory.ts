// The user directory: users who share a room with the searcher plus members of public rooms,
// or every local user when `user_directory.search_all_users` is set.
// https://spec.matrix.org/v1.19/client-server-api/#user-directory
import type { Knex } from 'knex';

const MAX_LIMIT = 100;

export type DirectoryUser = {
  user_id: string;
  display_name?: string;
  avatar_url?: string;
};

/** `%` and `_` are LIKE wildcards: match them literally. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class UserDirectory {
  constructor(
    private readonly db: Knex,
    private readonly searchAllUsers: boolean,
  ) {}

  async search(searcher: string, term: string, limit = 10): Promise<{ results: DirectoryUser[]; limited: boolean }> {
    limit = Math.min(Math.max(limit, 0), MAX_LIMIT);
    const words = term.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0 || limit === 0) return { results: [], limited: false };
    // Users sharing a joined room with the searcher rank first.
    const shared = this.db('current_memberships as me')
      .join('current_memberships as o', 'o.room_nid', 'me.room_nid')
      .where({ 'me.user_id': searcher, 'me.membership': 'join', 'o.membership': 'join' })
      .select('o.user_id', this.db.raw('1 as shared'));
    const inPublicRooms = this.db('current_memberships as o')
      .join('current_state as cs', (j) => j.on('cs.room_nid', 'o.room_nid').andOnVal('cs.type', 'm.room.join_rules').andOnVal('cs.state_key', ''))
      .join('events as e', 'e.stream_ordering', 'cs.event_nid')
      .where('o.membership', 'join')
      .whereRaw(`(e.json::jsonb)->'content'->>'join_rule' = 'public'`)
      .select('o.user_id', this.db.raw('0 as shared'));
    const q = this.db('users as u').where({ 'u.deactivated': false, 'u.is_guest': false });
    if (this.searchAllUsers) {
      q.leftJoin(shared.unionAll(inPublicRooms).as('v'), 'v.user_id', 'u.user_id');
    } else {
      q.join(shared.unionAll(inPublicRooms).as('v'), 'v.user_id', 'u.user_id');
    }
    for (const w of words) {
      const pattern = `%${likeEscape(w)}%`;
      q.where((x) => x.whereRaw('lower(u.user_id) like ?', [pattern]).orWhereRaw("lower(coalesce(u.displayname, '')) like ?", [pattern]));
    }
    const first = `${likeEscape(words[0])}%`;
    const rows = await q
      .groupBy('u.user_id', 'u.displayname', 'u.avatar_url')
      .select('u.user_id', 'u.displayname', 'u.avatar_url', this.db.raw('coalesce(max(v.shared), 0) as shared'))
      .orderByRaw(`coalesce(max(v.shared), 0) desc,
        (lower(coalesce(u.displayname, '')) like ? or lower(u.user_id) like ?) desc, u.user_id`, [first, `@${first}`])
      .limit(limit + 1);
    const results = rows.slice(0, limit).map((r) => {
      const user: DirectoryUser = { user_id: r.user_id };
      if (r.displayname) user.display_name = r.displayname;
      if (r.avatar_url) user.avatar_url = r.avatar_url;
      return user;
    });
    return { results, limited: rows.length > limit };
  }
}
