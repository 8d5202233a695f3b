// Writes of account data made by this module (m.fully_read). The account_data table belongs to
// rooms (docs/storage.md): stream ids from account_data_stream_seq, taken under an advisory lock
// held until commit so committed ids are a prefix; the change is announced on `account_data`.
import type { Knex } from 'knex';
import type { EventBus } from '../bus/bus.js';
import { CHANNEL } from './channels.js';

/** The lock rooms takes around account_data_stream_seq (see homeserver/src/rooms). */
export const ACCOUNT_DATA_LOCK = "hashtextextended('account_data_stream_seq', 0)";

export async function setRoomAccountData(
  db: Knex,
  bus: EventBus,
  userId: string,
  roomId: string,
  type: string,
  content: Record<string, unknown>,
): Promise<number> {
  const streamId = await db.transaction(async (trx) => {
    await trx.raw(`SELECT pg_advisory_xact_lock(${ACCOUNT_DATA_LOCK})`);
    const [row] = await trx('account_data')
      .insert({ user_id: userId, room_id: roomId, type, content, stream_id: trx.raw("nextval('account_data_stream_seq')") })
      .onConflict(['user_id', 'room_id', 'type'])
      .merge({ content, stream_id: trx.raw("nextval('account_data_stream_seq')") })
      .returning('stream_id');
    return Number(row.stream_id);
  });
  await bus.publish(CHANNEL.accountData, { userId, roomId, type, streamId });
  return streamId;
}
