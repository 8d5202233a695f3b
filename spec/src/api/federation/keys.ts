// Server keys: publishing them and querying them through a notary.
// https://spec.matrix.org/v1.19/server-server-api/#retrieving-server-keys
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';

const section = 'Retrieving server keys';
const timestamp = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const keyId = z.string().regex(/^[a-z0-9_.-]+:[a-zA-Z0-9_]+$/, 'key ids are algorithm:version');

/** https://spec.matrix.org/v1.19/server-server-api/#publishing-keys (definitions/keys.yaml) */
export const ServerKeys = z.looseObject({
  server_name: z.string().min(1),
  verify_keys: z.record(keyId, z.looseObject({ key: z.string() })),
  old_verify_keys: z.record(keyId, z.looseObject({ key: z.string(), expired_ts: timestamp })).optional(),
  signatures: z.record(z.string(), z.record(z.string(), z.string())),
  valid_until_ts: timestamp,
});
export type ServerKeysJson = z.output<typeof ServerKeys>;

const QueryCriteria = lazy(() => z.looseObject({ minimum_valid_until_ts: timestamp.optional() }));
export type KeyQueryCriteria = z.output<ReturnType<typeof QueryCriteria>>;

const queryResponse = lazy(() => z.object({ server_keys: z.array(ServerKeys) }));

export const getServerKey = defineEndpoint({
  operationId: 'getServerKey',
  method: 'GET',
  path: '/_matrix/key/v2/server',
  auth: 'none',
  rateLimited: false,
  summary: "Get the homeserver's public key(s)",
  section,
  specUrl: 'https://spec.matrix.org/v1.19/server-server-api/#get_matrixkeyv2server',
  schemas: () => ({ response: ServerKeys }),
});

export const queryKeys = defineEndpoint({
  operationId: 'perspectivesKeyQuery',
  method: 'GET',
  path: '/_matrix/key/v2/query/{serverName}',
  auth: 'none',
  rateLimited: false,
  summary: "Query for another server's keys",
  section,
  specUrl: 'https://spec.matrix.org/v1.19/server-server-api/#get_matrixkeyv2queryservername',
  schemas: () => ({
    params: z.object({ serverName: z.string().min(1) }),
    query: z.object({ minimum_valid_until_ts: z.coerce.number().int().min(0).optional() }),
    response: queryResponse(),
  }),
});

export const bulkQueryKeys = defineEndpoint({
  operationId: 'bulkPerspectivesKeyQuery',
  method: 'POST',
  path: '/_matrix/key/v2/query',
  auth: 'none',
  rateLimited: false,
  summary: "Query for several servers' keys",
  section,
  specUrl: 'https://spec.matrix.org/v1.19/server-server-api/#post_matrixkeyv2query',
  schemas: () => ({ body: z.object({ server_keys: z.record(z.string(), z.record(z.string(), QueryCriteria())) }), response: queryResponse() }),
});
