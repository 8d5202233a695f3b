// Stored sync filters: https://spec.matrix.org/v1.19/client-server-api/#filtering
import type { Knex } from 'knex';
import { Errors, type filters } from '@parley/spec';

export type SyncFilter = filters.SyncFilter;

export class FilterStore {
  constructor(private readonly db: Knex) {}

  async create(userId: string, filter: SyncFilter): Promise<string> {
    return this.db.transaction(async (trx) => {
      // Filters are immutable: the same JSON gets the same id back.
      const same = await trx('sync_filters').where({ user_id: userId }).whereRaw('filter = ?::jsonb', [JSON.stringify(filter)]).first('filter_id');
      if (same) return String(same.filter_id);
      await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`filter:${userId}`]);
      const row = await trx('sync_filters').where({ user_id: userId }).max('filter_id as max').first();
      const id = Number(row?.max ?? -1) + 1;
      await trx('sync_filters').insert({ user_id: userId, filter_id: id, filter: JSON.stringify(filter) });
      return String(id);
    });
  }

  async get(userId: string, filterId: string): Promise<SyncFilter | undefined> {
    if (!/^\d{1,15}$/.test(filterId)) return undefined;
    const row = await this.db('sync_filters').where({ user_id: userId, filter_id: Number(filterId) }).first('filter');
    return row?.filter;
  }

  /** The `filter` query parameter of /sync: a filter id or inline JSON. */
  async resolve(userId: string, param: string | undefined): Promise<SyncFilter> {
    if (param === undefined || param === '') return {};
    if (param.trimStart().startsWith('{')) {
      try {
        return JSON.parse(param) as SyncFilter;
      } catch {
        throw Errors.invalidParam('filter is neither a filter id nor valid JSON');
      }
    }
    const filter = await this.get(userId, param);
    if (!filter) throw Errors.invalidParam('Unknown filter');
    return filter;
  }
}
