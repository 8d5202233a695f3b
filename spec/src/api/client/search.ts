// Server side search: https://spec.matrix.org/v1.19/client-server-api/#server-side-search
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';
import { roomEventFilterSchema } from '../../filter.js';
import { SPEC, clientEvent } from './room-common.js';

const roomEventsCriteria = lazy(() => z.looseObject({
  search_term: z.string(),
  keys: z.array(z.enum(['content.body', 'content.name', 'content.topic'])).optional(),
  filter: roomEventFilterSchema().optional(),
  order_by: z.enum(['recent', 'rank']).optional(),
  event_context: z
    .looseObject({
      before_limit: z.number().int().min(0).optional(),
      after_limit: z.number().int().min(0).optional(),
      include_profile: z.boolean().optional(),
    })
    .optional(),
  include_state: z.boolean().optional(),
  groupings: z.looseObject({ group_by: z.array(z.looseObject({ key: z.enum(['room_id', 'sender']).optional() })).optional() }).optional(),
}));

const result = lazy(() => z.looseObject({
  rank: z.number().optional(),
  result: clientEvent().optional(),
  context: z
    .looseObject({
      start: z.string().optional(),
      end: z.string().optional(),
      events_before: z.array(clientEvent()).optional(),
      events_after: z.array(clientEvent()).optional(),
      profile_info: z.record(z.string(), z.looseObject({ displayname: z.string().optional(), avatar_url: z.string().optional() })).optional(),
    })
    .optional(),
}));

export const search = defineEndpoint({
  operationId: 'search', method: 'POST', path: '/_matrix/client/v3/search', auth: 'user', rateLimited: true,
  summary: 'Perform a server-side search.', section: 'Server side search', specUrl: `${SPEC}#post_matrixclientv3search`,
  schemas: () => ({
    query: z.object({ next_batch: z.string().optional() }),
    body: z.looseObject({ search_categories: z.looseObject({ room_events: roomEventsCriteria().optional() }) }),
    response: z.object({
      search_categories: z.object({
        room_events: z
          .looseObject({
            count: z.number().int().optional(),
            highlights: z.array(z.string()).optional(),
            next_batch: z.string().optional(),
            results: z.array(result()).optional(),
            state: z.record(z.string(), z.array(clientEvent())).optional(),
            groups: z.record(z.string(), z.record(z.string(), z.looseObject({ next_batch: z.string().optional(), order: z.number().int().optional(), results: z.array(z.string()).optional() }))).optional(),
          })
          .optional(),
      }),
    }),
  }),
});
