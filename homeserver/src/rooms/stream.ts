// Stream positions for events (docs/storage.md, "Stream positions"). A position is recorded in
// `stream_in_flight` and committed before the event's transaction writes it, so readers can tell
// how far every position is settled without serializing the commits of different rooms.
import pg from 'pg';
import type { Knex } from 'knex';

/** Advisory lock key (two-int form, first int) taken while positions are allocated. */
const ALLOCATION_LOCK = 0x7061726c; // 'parl'

interface Waiter {
  resolve(pos: number): void;
  reject(err: unknown): void;
}

/**
 * Hands out event stream positions on a dedicated connection (not from the pool: the caller
 * holds a pooled connection in its transaction). Concurrent requests are batched into one
 * round trip. Allocation is serialized across processes by an advisory lock held until the
 * in-flight rows commit, so in-flight rows become visible in position order.
 */
/** A connection outside knex's pool, with knex's connection settings. */
export function rawConnectionOf(db: Knex): () => Promise<pg.Client> {
  return () => (db.client as { acquireRawConnection(): Promise<pg.Client> }).acquireRawConnection();
}

export class StreamAllocator {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private queue: Waiter[] = [];
  private running = false;

  /** `connect`: a new connection outside the pool (e.g. knex's `client.acquireRawConnection()`). */
  constructor(private readonly connect: () => Promise<pg.Client>) {}

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const client = await this.connect();
      client.on('error', () => {
        if (this.client === client) this.client = undefined;
      });
      // In-flight rows only matter while this backend lives: no need to wait for the disk.
      await client.query(`SET synchronous_commit = off`);
      await client.query(`DELETE FROM stream_in_flight WHERE owner_pid NOT IN (SELECT pid FROM pg_stat_activity)`);
      this.client = client;
      return client;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** `n` positions at once, ascending. */
  async allocateMany(n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i += 100) out.push(...(await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => this.allocate()))));
    return out;
  }

  allocate(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 100);
        try {
          const client = await this.connection();
          // Simple-protocol multi-statement (integers only, no user input): one round trip.
          const results = (await client.query(
            `BEGIN; SELECT pg_advisory_xact_lock(${ALLOCATION_LOCK}, 0);
             INSERT INTO stream_in_flight (stream_ordering, owner_pid, started_ts)
               SELECT nextval('events_stream_seq'), pg_backend_pid(), ${Date.now()} FROM generate_series(1, ${batch.length})
               RETURNING stream_ordering;
             COMMIT;`,
          )) as unknown as pg.QueryResult[];
          const positions = results[2].rows.map((r) => Number(r.stream_ordering)).sort((a, b) => a - b);
          batch.forEach((w, i) => w.resolve(positions[i]));
        } catch (err) {
          this.client?.end().catch(() => {});
          this.client = undefined;
          batch.forEach((w) => w.reject(err));
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Forgets a position whose event was not written (the transaction failed). */
  async abandon(db: Knex, pos: number): Promise<void> {
    await db('stream_in_flight').where('stream_ordering', pos).delete();
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }
}

/** Deletes the in-flight row inside the event's transaction (its commit settles the position). */
export async function settlePosition(trx: Knex.Transaction, pos: number): Promise<void> {
  await trx('stream_in_flight').where('stream_ordering', pos).delete();
}

/**
 * The highest event stream position below which everything is settled: every event with
 * `stream_ordering <= result` is committed or will never exist. Sync reads up to this.
 */
export async function maxSafeStreamOrdering(db: Knex): Promise<number> {
  const { rows } = await db.raw(`
    SELECT coalesce(
      (SELECT min(stream_ordering) - 1 FROM stream_in_flight WHERE owner_pid IN (SELECT pid FROM pg_stat_activity)),
      (SELECT max(stream_ordering) FROM events),
      0) AS pos`);
  return Number(rows[0].pos);
}
