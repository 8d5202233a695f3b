// https://spec.matrix.org/v1.19/client-server-api/#filtering
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';

const eventFilter = lazy(() => z.looseObject({
  limit: z.number().int().optional(),
  types: z.array(z.string()).optional(),
  not_types: z.array(z.string()).optional(),
  senders: z.array(z.string()).optional(),
  not_senders: z.array(z.string()).optional(),
}));
const roomEventFilter = lazy(() => eventFilter().extend({
  rooms: z.array(z.string()).optional(),
  not_rooms: z.array(z.string()).optional(),
  contains_url: z.boolean().optional(),
  lazy_load_members: z.boolean().optional(),
  include_redundant_members: z.boolean().optional(),
  unread_thread_notifications: z.boolean().optional(),
}));

/** The Filter object as stored and returned; its meaning is applied by homeserver/src/sync. */
export const syncFilterSchema = lazy(() => z.looseObject({
  event_fields: z.array(z.string()).optional(),
  event_format: z.enum(['client', 'federation']).optional(),
  presence: eventFilter().optional(),
  account_data: eventFilter().optional(),
  room: z
    .looseObject({
      rooms: z.array(z.string()).optional(),
      not_rooms: z.array(z.string()).optional(),
      include_leave: z.boolean().optional(),
      ephemeral: roomEventFilter().optional(),
      state: roomEventFilter().optional(),
      timeline: roomEventFilter().optional(),
      account_data: roomEventFilter().optional(),
    })
    .optional(),
}));
export type SyncFilter = z.output<ReturnType<typeof syncFilterSchema>>;

const section = 'Filtering';

export const defineFilter = defineEndpoint({
  operationId: 'defineFilter',
  method: 'POST',
  path: '/_matrix/client/v3/user/{userId}/filter',
  auth: 'user',
  rateLimited: false,
  summary: 'Upload a new filter.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3useruseridfilter',
  schemas: () => ({ params: z.object({ userId: z.string() }), body: syncFilterSchema(), response: z.object({ filter_id: z.string() }) }),
});

export const getFilter = defineEndpoint({
  operationId: 'getFilter',
  method: 'GET',
  path: '/_matrix/client/v3/user/{userId}/filter/{filterId}',
  auth: 'user',
  rateLimited: false,
  summary: 'Download a filter.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3useruseridfilterfilterid',
  schemas: () => ({ params: z.object({ userId: z.string(), filterId: z.string() }), response: syncFilterSchema() }),
});
