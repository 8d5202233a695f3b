// User directory: https://spec.matrix.org/v1.19/client-server-api/#user-directory
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';
import { SPEC } from './room-common.js';

export const searchUserDirectory = defineEndpoint({
  operationId: 'searchUserDirectory', method: 'POST', path: '/_matrix/client/v3/user_directory/search', auth: 'user', rateLimited: true,
  summary: 'Searches the user directory.', section: 'User directory', specUrl: `${SPEC}#post_matrixclientv3user_directorysearch`,
  schemas: () => ({
    body: z.looseObject({ search_term: z.string(), limit: z.number().int().min(0).optional() }),
    response: z.object({
      results: z.array(z.looseObject({ user_id: z.string(), display_name: z.string().optional(), avatar_url: z.string().optional() })),
      limited: z.boolean(),
    }),
  }),
});
