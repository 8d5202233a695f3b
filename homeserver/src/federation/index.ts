// Builds federation/'s services on the homeserver's ports (Postgres, node:http/https, node:dns).
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { MatrixError } from '@parley/spec';
import { nodeCrypto } from '@parley/spec/crypto-node';
import {
  authenticateRequest,
  FederationClient,
  KeyNotary,
  KeyRing,
  OwnServerKeys,
  ServerDiscovery,
  type DnsResolver,
  type HttpTransport,
} from '@parley/federation';
import type { ResolvedConfig } from '../config/load.js';
import type { Database } from '../db/database.js';
import type { ServerAuthenticator } from '../http/router.js';
import type { SigningKey } from '../keys/signing-key.js';
import { AddressPolicy } from '../media/url-preview/address-policy.js';
import { nodeDns } from './dns.js';
import { PgKeyStore } from './key-store.js';
import { NodeHttpTransport } from './transport.js';

export interface FederationServices {
  discovery: ServerDiscovery;
  client: FederationClient;
  keys: KeyRing;
  ownKeys: OwnServerKeys;
  notary: KeyNotary;
  /** X-Matrix verification for `auth: 'server'` endpoints. */
  authenticator: ServerAuthenticator;
  close(): void;
}

export function createFederationServices(deps: {
  config: ResolvedConfig;
  db: Database;
  signingKey: SigningKey;
  log: Logger;
  /** Tests replace DNS and HTTP. */
  dns?: DnsResolver;
  http?: HttpTransport;
}): FederationServices {
  const { config, signingKey } = deps;
  const fed = config.federation;
  const log = deps.log.child({ module: 'federation' });
  const nodeTransport = deps.http
    ? undefined
    : new NodeHttpTransport({
        extraCa: fed.trusted_ca_file ? readFileSync(fed.trusted_ca_file, 'utf8') : undefined,
        policy: new AddressPolicy({ allow: fed.ip_range_allowlist }),
      });
  const http = deps.http ?? nodeTransport!;
  const discovery = new ServerDiscovery({
    dns: deps.dns ?? nodeDns,
    http,
    // media.remote.base_urls is the older name of the same map.
    overrides: { ...config.media.remote.base_urls, ...fed.resolve_overrides },
    wellKnownTimeoutMs: fed.request_timeout_ms,
  });
  const key = { keyId: signingKey.keyId, seed: signingKey.seed };
  const client = new FederationClient({ serverName: config.server_name, key, discovery, http, crypto: nodeCrypto });
  const ownKeys = new OwnServerKeys({ serverName: config.server_name, key, crypto: nodeCrypto });
  const keys = new KeyRing({
    store: new PgKeyStore(deps.db),
    own: ownKeys,
    pinned: { ...config.media.remote.trusted_keys, ...fed.trusted_keys },
    minRefetchIntervalMs: fed.key_refetch_interval_ms,
    crypto: nodeCrypto,
    fetchKeys: (serverName) =>
      client.requestJson(serverName, 'GET', '/_matrix/key/v2/server', { signed: false, timeoutMs: fed.request_timeout_ms, maxBytes: 256 * 1024 }),
    onFetchFailed: (serverName, reason) => log.warn({ serverName, reason }, 'could not fetch server keys'),
  });
  const authenticator: ServerAuthenticator = {
    async authenticate(request) {
      const result = await authenticateRequest(
        { ...request, content: request.content as never },
        { serverName: config.server_name, keys, crypto: nodeCrypto },
      );
      if (!result.ok) {
        log.info({ reason: result.reason }, 'refused a federation request');
        throw new MatrixError(401, 'M_UNAUTHORIZED', result.reason);
      }
      return { origin: result.origin };
    },
  };
  return {
    discovery,
    client,
    keys,
    ownKeys,
    notary: new KeyNotary(keys, ownKeys),
    authenticator,
    close: () => nodeTransport?.close(),
  };
}
