// https://spec.matrix.org/v1.19/client-server-api/#server-discovery
// https://spec.matrix.org/v1.19/client-server-api/#api-versions
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

const section = 'Server discovery';

export const getVersions = defineEndpoint({
  operationId: 'getVersions',
  method: 'GET',
  path: '/_matrix/client/versions',
  auth: 'optional',
  rateLimited: false,
  summary: 'Gets the versions of the specification supported by the server.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientversions',
  schemas: () => ({
    response: z.object({
      versions: z.array(z.string()),
      unstable_features: z.record(z.string(), z.boolean()).optional(),
    }),
  }),
});

export const getWellKnownClient = defineEndpoint({
  operationId: 'getWellknown',
  method: 'GET',
  path: '/.well-known/matrix/client',
  auth: 'none',
  rateLimited: false,
  summary: 'Gets Matrix server discovery information about the domain.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#getwell-knownmatrixclient',
  schemas: () => ({
    response: z.looseObject({
      'm.homeserver': z.object({ base_url: z.string() }),
      'm.identity_server': z.object({ base_url: z.string() }).optional(),
    }),
  }),
});

export const getWellKnownServer = defineEndpoint({
  operationId: 'getWellKnown',
  method: 'GET',
  path: '/.well-known/matrix/server',
  auth: 'none',
  rateLimited: false,
  summary: 'Gets information about the delegated server for server-server communication.',
  section: 'Server discovery (federation)',
  specUrl: 'https://spec.matrix.org/v1.19/server-server-api/#getwell-knownmatrixserver',
  schemas: () => ({ response: z.object({ 'm.server': z.string() }) }),
});

export const getCapabilities = defineEndpoint({
  operationId: 'getCapabilities',
  method: 'GET',
  path: '/_matrix/client/v3/capabilities',
  auth: 'user',
  rateLimited: true,
  summary: "Gets information about the server's capabilities.",
  section: 'Capabilities negotiation',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3capabilities',
  schemas: () => ({ response: z.object({ capabilities: z.record(z.string(), z.unknown()) }) }),
});
