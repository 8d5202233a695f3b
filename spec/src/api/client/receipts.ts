// https://spec.matrix.org/v1.19/client-server-api/#receipts
// https://spec.matrix.org/v1.19/client-server-api/#fully-read-markers
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export const receiptTypes = ['m.read', 'm.read.private', 'm.fully_read'] as const;

export const receiptBody = z.object({ thread_id: z.string().min(1).optional() });

export const postReceipt = defineEndpoint({
  operationId: 'postReceipt',
  method: 'POST',
  path: '/_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId}',
  auth: 'user',
  rateLimited: true,
  summary: 'Send a receipt for the given event ID.',
  section: 'Receipts',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3roomsroomidreceiptreceipttypeeventid',
  schemas: () => ({
    params: z.object({ roomId: z.string(), receiptType: z.enum(receiptTypes), eventId: z.string() }),
    body: receiptBody,
    response: z.object({}),
  }),
});

export const setReadMarker = defineEndpoint({
  operationId: 'setReadMarker',
  method: 'POST',
  path: '/_matrix/client/v3/rooms/{roomId}/read_markers',
  auth: 'user',
  rateLimited: true,
  summary: 'Set the position of the read marker for a room.',
  section: 'Read and unread markers',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3roomsroomidread_markers',
  schemas: () => ({
    params: z.object({ roomId: z.string() }),
    body: z.object({
      'm.fully_read': z.string().optional(),
      'm.read': z.string().optional(),
      'm.read.private': z.string().optional(),
    }),
    response: z.object({}),
  }),
});
