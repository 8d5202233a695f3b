// Positions of the sync streams kept in `stream_positions` (one row each). A writer advances its
// stream inside its own transaction: the row lock holds other writers until commit, so committed
// positions are always a prefix and `currentPositions` never hides a later-committing smaller one.
import type { Knex } from 'knex';

export type CountedStream = 'receipts' | 'presence' | 'to_device' | 'device_lists' | 'push_rules';

/**
 * Takes the next `count` positions of `stream` (returns the last; the first is `last - count + 1`).
 * Call inside the transaction that writes the rows.
 */
export async function advanceStream(trx: Knex.Transaction, stream: CountedStream, count = 1): Promise<number> {
  const [row] = await trx('stream_positions').where({ stream }).increment('position', count).returning('position');
  return Number(row.position);
}

export async function countedStreamPositions(db: Knex): Promise<Record<CountedStream, number>> {
  const rows: Array<{ stream: CountedStream; position: number }> = await db('stream_positions').select('stream', 'position');
  const out = { receipts: 0, presence: 0, to_device: 0, device_lists: 0, push_rules: 0 };
  for (const r of rows) out[r.stream] = Number(r.position);
  return out;
}
