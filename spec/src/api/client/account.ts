// https://spec.matrix.org/v1.19/client-server-api/#account-management
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';
import { authenticationData } from './uia.js';

export const changePassword = defineEndpoint({
  operationId: 'changePassword',
  method: 'POST',
  path: '/_matrix/client/v3/account/password',
  auth: 'optional',
  rateLimited: true,
  summary: "Changes a user's password (user-interactive authentication).",
  section: 'Password management',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3accountpassword',
  schemas: () => ({
    body: z.looseObject({
      new_password: z.string(),
      logout_devices: z.boolean().default(true),
      auth: authenticationData().optional(),
    }),
    response: z.object({}),
  }),
});

export const deactivateAccount = defineEndpoint({
  operationId: 'deactivateAccount',
  method: 'POST',
  path: '/_matrix/client/v3/account/deactivate',
  auth: 'optional',
  rateLimited: true,
  summary: "Deactivates a user's account (user-interactive authentication).",
  section: 'Account deactivation',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3accountdeactivate',
  schemas: () => ({
    body: z.looseObject({
      auth: authenticationData().optional(),
      id_server: z.string().optional(),
      erase: z.boolean().default(false),
    }),
    response: z.object({ id_server_unbind_result: z.enum(['success', 'no-support']) }),
  }),
});
