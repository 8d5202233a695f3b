// State snapshots stored as deltas against a parent, with a bounded chain (docs/storage.md).
import type { Knex } from 'knex';
import { stateKey, type StateKey } from '@parley/spec';

/** Past this many deltas a full snapshot is written, so reading a state walks at most this many rows. */
export const MAX_STATE_CHAIN = 100;

/** Room state as `stateKey(type, state_key)` → event nid. */
export type NidStateMap = Map<StateKey, number>;

interface GroupRow {
  id: number;
  parent_id: number | null;
  chain_length: number;
  added: number[];
  removed_types: string[] | null;
  removed_state_keys: string[] | null;
}

/**
 * Writes a group for `after`, as a delta against `parent` (whose full state is `parentState`),
 * or as a full snapshot when there is no parent or the chain is at its bound.
 */
export async function createStateGroup(
  db: Knex,
  roomNid: number,
  parent: { id: number; chainLength: number; state: NidStateMap } | undefined,
  after: NidStateMap,
): Promise<number> {
  let row: Omit<GroupRow, 'id'>;
  if (!parent || parent.chainLength + 1 >= MAX_STATE_CHAIN) {
    row = { parent_id: null, chain_length: 0, added: [...after.values()], removed_types: null, removed_state_keys: null };
  } else {
    const added: number[] = [];
    for (const [key, nid] of after) if (parent.state.get(key) !== nid) added.push(nid);
    const removedTypes: string[] = [];
    const removedKeys: string[] = [];
    for (const key of parent.state.keys()) {
      if (after.has(key)) continue;
      const i = key.indexOf('\u0000');
      removedTypes.push(key.slice(0, i));
      removedKeys.push(key.slice(i + 1));
    }
    row = {
      parent_id: parent.id,
      chain_length: parent.chainLength + 1,
      added,
      removed_types: removedTypes.length ? removedTypes : null,
      removed_state_keys: removedKeys.length ? removedKeys : null,
    };
  }
  const [{ id }] = await db('state_groups')
    .insert({ room_nid: roomNid, ...row })
    .returning('id');
  return Number(id);
}

export async function stateGroupChainLength(db: Knex, id: number): Promise<number> {
  const row = await db('state_groups').where({ id }).first('chain_length');
  return row ? row.chain_length : 0;
}

/** The full state of a group: walks the chain (≤ MAX_STATE_CHAIN rows) and applies the deltas oldest first. */
export async function loadStateGroup(db: Knex, id: number): Promise<NidStateMap> {
  const { rows } = (await db.raw(
    `WITH RECURSIVE chain AS (
       SELECT id, parent_id, chain_length, added, removed_types, removed_state_keys FROM state_groups WHERE id = ?
       UNION ALL
       SELECT g.id, g.parent_id, g.chain_length, g.added, g.removed_types, g.removed_state_keys
         FROM state_groups g JOIN chain c ON g.id = c.parent_id
     )
     SELECT * FROM chain ORDER BY chain_length`,
    [id],
  )) as { rows: GroupRow[] };
  const allNids = new Set<number>();
  for (const r of rows) for (const n of r.added) allNids.add(Number(n));
  const keyOf = new Map<number, StateKey>();
  if (allNids.size) {
    const found = await db('events')
      .whereIn('stream_ordering', [...allNids])
      .select('stream_ordering', 'type', 'state_key');
    for (const e of found) keyOf.set(Number(e.stream_ordering), stateKey(e.type, e.state_key ?? ''));
  }
  const state: NidStateMap = new Map();
  for (const r of rows) {
    if (r.removed_types) r.removed_types.forEach((t, i) => state.delete(stateKey(t, r.removed_state_keys![i])));
    for (const n of r.added) {
      const key = keyOf.get(Number(n));
      if (key !== undefined) state.set(key, Number(n));
    }
  }
  return state;
}

/**
 * The common case of one state event on top of a known group: a one-entry delta, or a full
 * snapshot (`fullState()`, the nids of the whole new state) when the chain is at its bound.
 */
export async function appendStateGroup(
  db: Knex,
  roomNid: number,
  parent: { id: number; chainLength: number } | undefined,
  added: number[],
  fullState: () => Promise<number[]>,
): Promise<{ id: number; chainLength: number }> {
  const full = !parent || parent.chainLength + 1 >= MAX_STATE_CHAIN;
  const row = full
    ? { room_nid: roomNid, parent_id: null, chain_length: 0, added: await fullState() }
    : { room_nid: roomNid, parent_id: parent.id, chain_length: parent.chainLength + 1, added };
  const [{ id }] = await db('state_groups').insert(row).returning('id');
  return { id: Number(id), chainLength: row.chain_length };
}
