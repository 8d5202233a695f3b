// https://spec.matrix.org/v1.19/client-server-api/#send-to-device-messaging
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export const sendToDevice = defineEndpoint({
  operationId: 'sendToDevice',
  method: 'PUT',
  path: '/_matrix/client/v3/sendToDevice/{eventType}/{txnId}',
  auth: 'user',
  rateLimited: false,
  summary: 'Send an event to a given set of devices.',
  section: 'Send-to-Device messaging',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#put_matrixclientv3sendtodeviceeventtypetxnid',
  schemas: () => ({
    params: z.object({ eventType: z.string(), txnId: z.string() }),
    body: z.object({ messages: z.record(z.string(), z.record(z.string(), z.looseObject({}))) }),
    response: z.object({}),
  }),
});
