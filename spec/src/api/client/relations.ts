// Relationships API: https://spec.matrix.org/v1.19/client-server-api/#relationships-api
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';
import { SPEC, clientEvent } from './room-common.js';

const section = 'Relationships';
const query = lazy(() => z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  limit: z.coerce.number().int().min(0).optional(),
  dir: z.enum(['b', 'f']).optional(),
  recurse: z.enum(['true', 'false']).optional(),
}));
const response = lazy(() => z.object({
  chunk: z.array(clientEvent()),
  next_batch: z.string().optional(),
  prev_batch: z.string().optional(),
  recursion_depth: z.number().int().optional(),
}));

export const getRelatingEvents = defineEndpoint({
  operationId: 'getRelatingEvents', method: 'GET', path: '/_matrix/client/v1/rooms/{roomId}/relations/{eventId}', auth: 'user', rateLimited: false,
  summary: 'Get the child events for a given parent event.', section, specUrl: `${SPEC}#get_matrixclientv1roomsroomidrelationseventid`,
  schemas: () => ({ params: z.object({ roomId: z.string(), eventId: z.string() }), query: query(), response: response() }),
});

export const getRelatingEventsWithRelType = defineEndpoint({
  operationId: 'getRelatingEventsWithRelType', method: 'GET', path: '/_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}', auth: 'user', rateLimited: false,
  summary: 'Get the child events for a given parent event, with a given relType.', section, specUrl: `${SPEC}#get_matrixclientv1roomsroomidrelationseventidreltype`,
  schemas: () => ({ params: z.object({ roomId: z.string(), eventId: z.string(), relType: z.string() }), query: query(), response: response() }),
});

export const getRelatingEventsWithRelTypeAndEventType = defineEndpoint({
  operationId: 'getRelatingEventsWithRelTypeAndEventType', method: 'GET', path: '/_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}/{eventType}', auth: 'user', rateLimited: false,
  summary: 'Get the child events for a given parent event, with a given relType and eventType.', section, specUrl: `${SPEC}#get_matrixclientv1roomsroomidrelationseventidreltypeeventtype`,
  schemas: () => ({
    params: z.object({ roomId: z.string(), eventId: z.string(), relType: z.string(), eventType: z.string() }),
    query: query(),
    response: response(),
  }),
});
