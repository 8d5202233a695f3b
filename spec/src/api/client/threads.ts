// Threading: https://spec.matrix.org/v1.19/client-server-api/#querying-threads-in-a-room
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';
import { SPEC, clientEvent, roomIdParams } from './room-common.js';

export const getThreadRoots = defineEndpoint({
  operationId: 'getThreadRoots', method: 'GET', path: '/_matrix/client/v1/rooms/{roomId}/threads', auth: 'user', rateLimited: true,
  summary: 'Retrieve a list of threads in a room, with optional filters.', section: 'Threading', specUrl: `${SPEC}#get_matrixclientv1roomsroomidthreads`,
  schemas: () => ({
    params: roomIdParams(),
    query: z.object({
      include: z.enum(['all', 'participated']).optional(),
      limit: z.coerce.number().int().min(1).optional(),
      from: z.string().optional(),
    }),
    response: z.object({ chunk: z.array(clientEvent()), next_batch: z.string().optional() }),
  }),
});
