// https://spec.matrix.org/v1.19/client-server-api/#typing-notifications
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export const typingBody = z.object({
  typing: z.boolean(),
  timeout: z.number().int().min(0).optional(),
});

export const setTyping = defineEndpoint({
  operationId: 'setTyping',
  method: 'PUT',
  path: '/_matrix/client/v3/rooms/{roomId}/typing/{userId}',
  auth: 'user',
  rateLimited: true,
  summary: 'Informs the server that the user has started or stopped typing.',
  section: 'Typing Notifications',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#put_matrixclientv3roomsroomidtypinguserid',
  schemas: () => ({ params: z.object({ roomId: z.string(), userId: z.string() }), body: typingBody, response: z.object({}) }),
});
