// Account data, global and per room (docs/storage.md, `account_data`): stream ids from
// account_data_stream_seq under an advisory lock held until commit, so committed ids are always
// a prefix; each change is announced on the bus channel `account_data` for /sync.
// https://spec.matrix.org/v1.19/client-server-api/#client-config
import { Errors, MatrixError } from '@parley/spec';
import type { Knex } from 'knex';
import type { EventBus } from '../bus/bus.js';
import { perContext } from './per-context.js';

export const ACCOUNT_DATA_CHANNEL = 'account_data';
/** Shared with every other writer of account_data (sync's m.fully_read). */
const ACCOUNT_DATA_LOCK = "hashtextextended('account_data_stream_seq', 0)";
/** Types the server manages; clients may not set them here (spec: 405 M_BAD_JSON). */
const SERVER_MANAGED = new Set(['m.fully_read', 'm.push_rules']);

export interface AccountDataNotification {
  userId: string;
  roomId?: string;
  type: string;
  streamId: number;
}

export type AccountDataContent = Record<string, unknown>;

export class AccountDataService {
  constructor(
    private readonly db: Knex,
    private readonly bus: EventBus,
  ) {}

  /** Refuses types the server manages. */
  checkClientWritable(type: string): void {
    if (SERVER_MANAGED.has(type)) throw new MatrixError(405, 'M_BAD_JSON', `Cannot set ${type} through this API`);
  }

  async get(userId: string, roomId: string, type: string): Promise<AccountDataContent | undefined> {
    const row = await this.db('account_data').where({ user_id: userId, room_id: roomId, type }).first('content');
    return row?.content as AccountDataContent | undefined;
  }

  /** Writes (roomId '' = global) and announces the change. */
  async set(userId: string, roomId: string, type: string, content: AccountDataContent): Promise<number> {
    return this.update(userId, roomId, type, () => content);
  }

  /** Read-modify-write of one entry in the same locked transaction (tags). */
  async update(userId: string, roomId: string, type: string, change: (current: AccountDataContent | undefined) => AccountDataContent): Promise<number> {
    const streamId = await this.db.transaction(async (trx) => {
      await trx.raw(`SELECT pg_advisory_xact_lock(${ACCOUNT_DATA_LOCK})`);
      const current = await trx('account_data').where({ user_id: userId, room_id: roomId, type }).first('content');
      const content = change(current?.content as AccountDataContent | undefined);
      const [row] = await trx('account_data')
        .insert({ user_id: userId, room_id: roomId, type, content, stream_id: trx.raw("nextval('account_data_stream_seq')") })
        .onConflict(['user_id', 'room_id', 'type'])
        .merge({ content, stream_id: trx.raw("nextval('account_data_stream_seq')") })
        .returning('stream_id');
      return Number(row.stream_id);
    });
    const message: AccountDataNotification = { userId, type, streamId };
    if (roomId) message.roomId = roomId;
    await this.bus.publish(ACCOUNT_DATA_CHANNEL, message);
    return streamId;
  }

  /** The spec's checks on content the server interprets. */
  static validate(type: string, content: AccountDataContent): void {
    if (type === 'm.ignored_user_list') {
      const users = content.ignored_users;
      if (!users || typeof users !== 'object' || Array.isArray(users)) throw Errors.badJson('ignored_users must be an object');
    }
    if (type === 'm.direct') {
      for (const [user, rooms] of Object.entries(content)) {
        if (!Array.isArray(rooms) || rooms.some((r) => typeof r !== 'string')) throw Errors.badJson(`m.direct: ${user} must map to a list of room ids`);
      }
    }
  }
}

export const accountDataOf = perContext((ctx) => new AccountDataService(ctx.db, ctx.bus));
