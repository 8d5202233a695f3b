// https://spec.matrix.org/v1.19/client-server-api/#presence
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export const presenceStates = ['online', 'offline', 'unavailable'] as const;

export const setPresence = defineEndpoint({
  operationId: 'setPresence',
  method: 'PUT',
  path: '/_matrix/client/v3/presence/{userId}/status',
  auth: 'user',
  rateLimited: true,
  summary: "Update this user's presence state.",
  section: 'Presence',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#put_matrixclientv3presenceuseridstatus',
  schemas: () => ({
    params: z.object({ userId: z.string() }),
    body: z.object({ presence: z.enum(presenceStates), status_msg: z.string().nullable().optional() }),
    response: z.object({}),
  }),
});

export const getPresence = defineEndpoint({
  operationId: 'getPresence',
  method: 'GET',
  path: '/_matrix/client/v3/presence/{userId}/status',
  auth: 'user',
  rateLimited: false,
  summary: "Get this user's presence state.",
  section: 'Presence',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3presenceuseridstatus',
  schemas: () => ({
    params: z.object({ userId: z.string() }),
    response: z.object({
      presence: z.enum(presenceStates),
      last_active_ago: z.number().int().optional(),
      status_msg: z.string().nullable().optional(),
      currently_active: z.boolean().optional(),
    }),
  }),
});
