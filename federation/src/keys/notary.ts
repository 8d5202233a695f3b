// Answering key queries as a notary: https://spec.matrix.org/v1.19/server-server-api/#querying-keys-through-another-server
// Responses come from the cache (fetched when missing or stale) and carry this server's signature too.
import type { federationKeys, JsonObject } from '@parley/spec';
import type { KeyRing } from './key-ring.js';
import type { OwnServerKeys } from './own-keys.js';

/** Servers answered per query; the rest are left out (a query must not turn into a flood of fetches). */
export const MAX_SERVERS_PER_QUERY = 100;

export type KeyQuery = Record<string, Record<string, federationKeys.KeyQueryCriteria>>;

export class KeyNotary {
  constructor(
    private readonly ring: KeyRing,
    private readonly own: OwnServerKeys,
    private readonly now: () => number = Date.now,
  ) {}

  /** POST /_matrix/key/v2/query */
  async query(servers: KeyQuery): Promise<{ server_keys: federationKeys.ServerKeysJson[] }> {
    const names = Object.keys(servers).slice(0, MAX_SERVERS_PER_QUERY);
    const answers = await Promise.all(
      names.map((name) => {
        const criteria = servers[name];
        const keyIds = Object.keys(criteria);
        const minimum = Math.max(0, ...keyIds.map((id) => criteria[id].minimum_valid_until_ts ?? 0));
        return this.forServer(name, keyIds, minimum);
      }),
    );
    return { server_keys: answers.flat() };
  }

  /** GET /_matrix/key/v2/query/{serverName} */
  async queryServer(serverName: string, minimumValidUntilTs?: number): Promise<{ server_keys: federationKeys.ServerKeysJson[] }> {
    return { server_keys: await this.forServer(serverName, [], minimumValidUntilTs ?? 0) };
  }

  private async forServer(serverName: string, keyIds: string[], minimum: number): Promise<federationKeys.ServerKeysJson[]> {
    if (serverName === this.own.serverName) return [this.own.response()];
    // "If not supplied, the notary server MUST use the current time."
    const responses = await this.ring.responses(serverName, { minimumValidUntilTs: Math.max(minimum, this.now()), keyIds });
    return responses.map((r) => this.own.sign(r as JsonObject) as federationKeys.ServerKeysJson);
  }
}
