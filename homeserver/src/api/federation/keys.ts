// https://spec.matrix.org/v1.19/server-server-api/#retrieving-server-keys
import { federationKeys } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';

export function registerServerKeys(router: ApiRouter, s: ServerContext): void {
  const { ownKeys, notary } = s.federation;
  router.bind(federationKeys.getServerKey, async () => ownKeys.response());
  router.bind(federationKeys.queryKeys, ({ params, query }) => notary.queryServer(params.serverName, query.minimum_valid_until_ts));
  router.bind(federationKeys.bulkQueryKeys, ({ body }) => notary.query(body.server_keys));
}
