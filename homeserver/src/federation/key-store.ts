// federation/'s KeyStore in Postgres (table server_keys).
import type { KeyStore, StoredServerKey } from '@parley/federation';
import type { Database } from '../db/database.js';

interface Row {
  server_name: string;
  key_id: string;
  public_key: string;
  valid_until_ts: number;
  expired_ts: number | null;
  fetched_ts: number;
  response: string;
}

export class PgKeyStore implements KeyStore {
  constructor(private readonly db: Database) {}

  async load(serverName: string): Promise<StoredServerKey[]> {
    const rows = await this.db<Row>('server_keys').where({ server_name: serverName });
    return rows.map((r) => ({
      serverName: r.server_name,
      keyId: r.key_id,
      publicKey: r.public_key,
      validUntilTs: Number(r.valid_until_ts),
      expiredTs: r.expired_ts === null ? null : Number(r.expired_ts),
      fetchedTs: Number(r.fetched_ts),
      response: r.response,
    }));
  }

  async save(keys: StoredServerKey[]): Promise<void> {
    if (keys.length === 0) return;
    const rows: Row[] = keys.map((k) => ({
      server_name: k.serverName,
      key_id: k.keyId,
      public_key: k.publicKey,
      valid_until_ts: k.validUntilTs,
      expired_ts: k.expiredTs,
      fetched_ts: k.fetchedTs,
      response: k.response,
    }));
    await this.db('server_keys').insert(rows).onConflict(['server_name', 'key_id']).merge();
  }
}
