// https://spec.matrix.org/v1.19/client-server-api/#key-management-api
// https://spec.matrix.org/v1.19/client-server-api/#cross-signing
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';

const section = 'End-to-End Encryption';
const spec = (anchor: string) => `https://spec.matrix.org/v1.19/client-server-api/#${anchor}`;

const signatures = z.record(z.string(), z.record(z.string(), z.string()));

export const deviceKeysSchema = z.looseObject({
  user_id: z.string(),
  device_id: z.string(),
  algorithms: z.array(z.string()),
  keys: z.record(z.string(), z.string()),
  signatures: signatures.optional(),
});

export const crossSigningKeySchema = lazy(() => z.looseObject({
  user_id: z.string(),
  usage: z.array(z.string()).min(1),
  keys: z.record(z.string(), z.string()),
  signatures: signatures.optional(),
}));

/** A one-time or fallback key: a bare curve25519 string or a signed key object. */
const oneTimeKey = lazy(() => z.union([z.string(), z.looseObject({ key: z.string(), signatures: signatures.optional() })]));
const keyCounts = lazy(() => z.record(z.string(), z.number().int()));

export const uploadKeys = defineEndpoint({
  operationId: 'uploadKeys',
  method: 'POST',
  path: '/_matrix/client/v3/keys/upload',
  auth: 'user',
  rateLimited: false,
  summary: 'Upload end-to-end encryption keys.',
  section,
  specUrl: spec('post_matrixclientv3keysupload'),
  schemas: () => ({
    body: z.object({
      device_keys: deviceKeysSchema.optional(),
      one_time_keys: z.record(z.string(), oneTimeKey()).optional(),
      fallback_keys: z.record(z.string(), oneTimeKey()).optional(),
    }),
    response: z.object({ one_time_key_counts: keyCounts() }),
  }),
});

export const queryKeys = defineEndpoint({
  operationId: 'queryKeys',
  method: 'POST',
  path: '/_matrix/client/v3/keys/query',
  auth: 'user',
  rateLimited: false,
  summary: 'Download device identity keys.',
  section,
  specUrl: spec('post_matrixclientv3keysquery'),
  schemas: () => ({
    body: z.object({
      device_keys: z.record(z.string(), z.array(z.string())),
      timeout: z.number().int().optional(),
      token: z.string().optional(),
    }),
    response: z.object({
      device_keys: z.record(z.string(), z.record(z.string(), z.looseObject({}))),
      failures: z.record(z.string(), z.looseObject({})),
      master_keys: z.record(z.string(), crossSigningKeySchema()).optional(),
      self_signing_keys: z.record(z.string(), crossSigningKeySchema()).optional(),
      user_signing_keys: z.record(z.string(), crossSigningKeySchema()).optional(),
    }),
  }),
});

export const claimKeys = defineEndpoint({
  operationId: 'claimKeys',
  method: 'POST',
  path: '/_matrix/client/v3/keys/claim',
  auth: 'user',
  rateLimited: false,
  summary: 'Claim one-time encryption keys.',
  section,
  specUrl: spec('post_matrixclientv3keysclaim'),
  schemas: () => ({
    body: z.object({
      one_time_keys: z.record(z.string(), z.record(z.string(), z.string())),
      timeout: z.number().int().optional(),
    }),
    response: z.object({
      one_time_keys: z.record(z.string(), z.record(z.string(), z.record(z.string(), oneTimeKey()))),
      failures: z.record(z.string(), z.looseObject({})),
    }),
  }),
});

export const getKeysChanges = defineEndpoint({
  operationId: 'getKeysChanges',
  method: 'GET',
  path: '/_matrix/client/v3/keys/changes',
  auth: 'user',
  rateLimited: false,
  summary: 'Query users with recent device key updates.',
  section,
  specUrl: spec('get_matrixclientv3keyschanges'),
  schemas: () => ({
    query: z.object({ from: z.string(), to: z.string() }),
    response: z.object({ changed: z.array(z.string()), left: z.array(z.string()) }),
  }),
});

export const uploadCrossSigningKeys = defineEndpoint({
  operationId: 'uploadCrossSigningKeys',
  method: 'POST',
  path: '/_matrix/client/v3/keys/device_signing/upload',
  auth: 'user',
  rateLimited: false,
  summary: 'Upload cross-signing keys.',
  section,
  specUrl: spec('post_matrixclientv3keysdevice_signingupload'),
  schemas: () => ({
    body: z.object({
      master_key: crossSigningKeySchema().optional(),
      self_signing_key: crossSigningKeySchema().optional(),
      user_signing_key: crossSigningKeySchema().optional(),
      auth: z.looseObject({ type: z.string().optional(), session: z.string().optional() }).optional(),
    }),
    response: z.object({}),
  }),
});

export const uploadCrossSigningSignatures = defineEndpoint({
  operationId: 'uploadCrossSigningSignatures',
  method: 'POST',
  path: '/_matrix/client/v3/keys/signatures/upload',
  auth: 'user',
  rateLimited: false,
  summary: 'Upload cross-signing signatures.',
  section,
  specUrl: spec('post_matrixclientv3keyssignaturesupload'),
  schemas: () => ({
    body: z.record(z.string(), z.record(z.string(), z.looseObject({}))),
    response: z.object({ failures: z.record(z.string(), z.record(z.string(), z.looseObject({}))).optional() }),
  }),
});
