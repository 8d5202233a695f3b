// Spaces: https://spec.matrix.org/v1.19/client-server-api/#spaces
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';
import { SPEC, roomIdParams } from './room-common.js';
import { roomSummary } from './room-summary.js';

const strippedChildState = lazy(() => z.looseObject({
  content: z.record(z.string(), z.unknown()),
  origin_server_ts: z.number().int(),
  sender: z.string(),
  state_key: z.string(),
  type: z.string(),
}));

export const getSpaceHierarchy = defineEndpoint({
  operationId: 'getSpaceHierarchy', method: 'GET', path: '/_matrix/client/v1/rooms/{roomId}/hierarchy', auth: 'user', rateLimited: true,
  summary: 'Retrieve a portion of a space tree.', section: 'Spaces', specUrl: `${SPEC}#get_matrixclientv1roomsroomidhierarchy`,
  schemas: () => ({
    params: roomIdParams(),
    query: z.object({
      suggested_only: z.enum(['true', 'false']).optional(),
      limit: z.coerce.number().int().min(1).optional(),
      max_depth: z.coerce.number().int().min(0).optional(),
      from: z.string().optional(),
    }),
    response: z.object({
      rooms: z.array(roomSummary().extend({ children_state: z.array(strippedChildState()) })),
      next_batch: z.string().optional(),
    }),
  }),
});
