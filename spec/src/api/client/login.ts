// https://spec.matrix.org/v1.19/client-server-api/#login
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';
import { userIdentifier } from './uia.js';

const section = 'Login';

export const getLoginFlows = defineEndpoint({
  operationId: 'getLoginFlows',
  method: 'GET',
  path: '/_matrix/client/v3/login',
  auth: 'none',
  rateLimited: true,
  summary: 'Get the supported login types to authenticate users.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3login',
  schemas: () => ({ response: z.object({ flows: z.array(z.looseObject({ type: z.string(), get_login_token: z.boolean().optional() })) }) }),
});

export const login = defineEndpoint({
  operationId: 'login',
  method: 'POST',
  path: '/_matrix/client/v3/login',
  auth: 'none',
  rateLimited: true,
  summary: 'Authenticates the user and issues an access token.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3login',
  schemas: () => ({
    body: z.looseObject({
      type: z.string(),
      identifier: userIdentifier().optional(),
      /** Deprecated in favour of `identifier`, still sent by older clients. */
      user: z.string().optional(),
      password: z.string().optional(),
      token: z.string().optional(),
      device_id: z.string().min(1).optional(),
      initial_device_display_name: z.string().optional(),
      refresh_token: z.boolean().default(false),
    }),
    response: z.object({
      user_id: z.string(),
      access_token: z.string(),
      device_id: z.string(),
      refresh_token: z.string().optional(),
      expires_in_ms: z.number().int().optional(),
      home_server: z.string().optional(),
      well_known: z.looseObject({}).optional(),
    }),
  }),
});
