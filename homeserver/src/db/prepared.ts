// Named prepared statements for the hottest queries (every login runs two). They go to
// node-postgres directly on a connection of knex's pool, without knex's query builder, SQL
// compiler and runner, and Postgres parses and plans each one once per connection.
import type pg from 'pg';
import type { Database } from './database.js';

export interface PreparedStatement {
  /** Unique per statement text: node-postgres refuses one name for two texts. */
  readonly name: string;
  readonly text: string;
}

/** The part of knex's client that hands out pooled connections. */
interface ConnectionPool {
  acquireConnection(): Promise<pg.Client>;
  releaseConnection(connection: pg.Client): Promise<void>;
}

let queryUid = 0;

export async function runPrepared<Row extends pg.QueryResultRow>(db: Database, statement: PreparedStatement, values: unknown[]): Promise<Row[]> {
  const pool = db.client as unknown as ConnectionPool;
  const connection = await pool.acquireConnection();
  // Watchers of knex's query events (query logging, the benchmarks' statement lists) see these too.
  const watched = db.listenerCount('query') > 0 || db.listenerCount('query-response') > 0;
  const event = watched ? { __knexQueryUid: `prepared-${++queryUid}`, sql: statement.text, bindings: values, method: 'raw' } : undefined;
  if (event) db.emit('query', event);
  try {
    const result = await connection.query<Row>({ name: statement.name, text: statement.text, values });
    if (event) db.emit('query-response', result.rows, event);
    return result.rows;
  } finally {
    void pool.releaseConnection(connection);
  }
}
