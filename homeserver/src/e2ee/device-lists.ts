// Device-list changes: https://spec.matrix.org/v1.19/client-server-api/#tracking-the-device-list-for-a-user
// Every change of a user's devices or cross-signing keys appends a row at a new `device_lists`
// position; users who share a room with them see the user in `device_lists.changed`.
import type { Knex } from 'knex';
import type { EventBus } from '../bus/bus.js';
import { CHANNEL } from '../sync/channels.js';
import { advanceStream } from '../sync/streams.js';

export class DeviceLists {
  constructor(
    private readonly db: Knex,
    private readonly bus: EventBus,
  ) {}

  /** Records a change inside the caller's transaction; call `announce` after commit. */
  async recordChange(trx: Knex.Transaction, userId: string): Promise<void> {
    const streamId = await advanceStream(trx, 'device_lists');
    await trx('device_list_changes').insert({ stream_id: streamId, user_id: userId });
  }

  async announce(userId: string): Promise<void> {
    await this.bus.publish(CHANNEL.deviceList, { userId });
  }

  async changeNow(userId: string): Promise<void> {
    await this.db.transaction((trx) => this.recordChange(trx, userId));
    await this.announce(userId);
  }

  /** Users among `candidates` whose device lists changed in (since, upTo]. */
  async changedAmong(candidates: ReadonlySet<string>, since: number, upTo: number): Promise<Set<string>> {
    if (since >= upTo || candidates.size === 0) return new Set();
    const rows: Array<{ user_id: string }> = await this.db('device_list_changes')
      .where('stream_id', '>', since)
      .andWhere('stream_id', '<=', upTo)
      .distinct('user_id');
    return new Set(rows.map((r) => r.user_id).filter((u) => candidates.has(u)));
  }
}
