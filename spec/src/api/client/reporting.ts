// https://spec.matrix.org/v1.19/client-server-api/#reporting-content
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';
import { SPEC, empty, roomEventParams, roomIdParams, reasonBody } from './room-common.js';

const section = 'Reporting content';

export const reportEvent = defineEndpoint({
  operationId: 'reportEvent', method: 'POST', path: '/_matrix/client/v3/rooms/{roomId}/report/{eventId}', auth: 'user', rateLimited: false,
  summary: 'Report an event as inappropriate.', section, specUrl: `${SPEC}#post_matrixclientv3roomsroomidreporteventid`,
  schemas: () => ({
    params: roomEventParams(),
    body: z.looseObject({ reason: z.string().optional(), score: z.number().int().min(-100).max(0).optional() }),
    response: empty(),
  }),
});

export const reportRoom = defineEndpoint({
  operationId: 'reportRoom', method: 'POST', path: '/_matrix/client/v3/rooms/{roomId}/report', auth: 'user', rateLimited: true,
  summary: 'Report a room as inappropriate.', section, specUrl: `${SPEC}#post_matrixclientv3roomsroomidreport`,
  schemas: () => ({ params: roomIdParams(), body: reasonBody(), response: empty() }),
});

export const reportUser = defineEndpoint({
  operationId: 'reportUser', method: 'POST', path: '/_matrix/client/v3/users/{userId}/report', auth: 'user', rateLimited: true,
  summary: 'Report a user as inappropriate.', section, specUrl: `${SPEC}#post_matrixclientv3usersuseridreport`,
  schemas: () => ({ params: z.object({ userId: z.string() }), body: reasonBody(), response: empty() }),
});
