// https://spec.matrix.org/v1.19/client-server-api/#refreshing-access-tokens
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export const refresh = defineEndpoint({
  operationId: 'refresh',
  method: 'POST',
  path: '/_matrix/client/v3/refresh',
  auth: 'none',
  rateLimited: true,
  summary: 'Refresh an access token.',
  section: 'Login',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3refresh',
  schemas: () => ({
    body: z.object({ refresh_token: z.string() }),
    response: z.object({
      access_token: z.string(),
      refresh_token: z.string().optional(),
      expires_in_ms: z.number().int().optional(),
    }),
  }),
});
