// https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3accountwhoami
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export const getTokenOwner = defineEndpoint({
  operationId: 'getTokenOwner',
  method: 'GET',
  path: '/_matrix/client/v3/account/whoami',
  auth: 'user',
  rateLimited: true,
  summary: 'Gets information about the owner of an access token.',
  section: 'Current account information',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3accountwhoami',
  schemas: () => ({ response: z.object({ user_id: z.string(), device_id: z.string().optional(), is_guest: z.boolean().optional() }) }),
});
