// https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3logout
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export const logout = defineEndpoint({
  operationId: 'logout',
  method: 'POST',
  path: '/_matrix/client/v3/logout',
  auth: 'user',
  rateLimited: false,
  summary: 'Invalidates the access token and deletes its device.',
  section: 'Login',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3logout',
  schemas: () => ({ response: z.object({}) }),
});

export const logoutAll = defineEndpoint({
  operationId: 'logout_all',
  method: 'POST',
  path: '/_matrix/client/v3/logout/all',
  auth: 'user',
  rateLimited: false,
  summary: 'Invalidates all access tokens of the user and deletes all their devices.',
  section: 'Login',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3logoutall',
  schemas: () => ({ response: z.object({}) }),
});
