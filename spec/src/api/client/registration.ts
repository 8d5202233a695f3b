// https://spec.matrix.org/v1.19/client-server-api/#account-registration
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';
import { authenticationData } from './uia.js';

const section = 'Account registration';

export const register = defineEndpoint({
  operationId: 'register',
  method: 'POST',
  path: '/_matrix/client/v3/register',
  auth: 'none',
  rateLimited: true,
  summary: 'Register for an account on this homeserver.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3register',
  schemas: () => ({
    query: z.object({ kind: z.enum(['guest', 'user']).default('user') }),
    body: z.looseObject({
      auth: authenticationData().optional(),
      username: z.string().optional(),
      password: z.string().optional(),
      device_id: z.string().min(1).optional(),
      initial_device_display_name: z.string().optional(),
      inhibit_login: z.boolean().default(false),
      refresh_token: z.boolean().default(false),
    }),
    response: z.object({
      user_id: z.string(),
      access_token: z.string().optional(),
      device_id: z.string().optional(),
      refresh_token: z.string().optional(),
      expires_in_ms: z.number().int().optional(),
      home_server: z.string().optional(),
    }),
  }),
});

export const checkUsernameAvailability = defineEndpoint({
  operationId: 'checkUsernameAvailability',
  method: 'GET',
  path: '/_matrix/client/v3/register/available',
  auth: 'none',
  rateLimited: true,
  summary: 'Checks to see if a username is available on the server.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3registeravailable',
  schemas: () => ({ query: z.object({ username: z.string() }), response: z.object({ available: z.boolean() }) }),
});

export const registrationTokenValidity = defineEndpoint({
  operationId: 'registrationTokenValidity',
  method: 'GET',
  path: '/_matrix/client/v1/register/m.login.registration_token/validity',
  auth: 'none',
  rateLimited: true,
  summary: 'Query if a given registration token is still valid.',
  section: 'Token-authenticated registration',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv1registermloginregistration_tokenvalidity',
  schemas: () => ({ query: z.object({ token: z.string() }), response: z.object({ valid: z.boolean() }) }),
});

// Synapse's shared-secret registration, so `register_new_matrix_user` and other admin tools work:
// https://element-hq.github.io/synapse/latest/admin_api/register_api.html
export const adminRegisterNonce = defineEndpoint({
  operationId: 'parleySynapseAdminRegisterNonce',
  method: 'GET',
  path: '/_synapse/admin/v1/register',
  auth: 'none',
  rateLimited: false,
  summary: 'Gets a single-use nonce for shared-secret registration (Synapse admin API).',
  section: 'Admin',
  extension: true,
  schemas: () => ({ response: z.object({ nonce: z.string() }) }),
});

export const adminRegister = defineEndpoint({
  operationId: 'parleySynapseAdminRegister',
  method: 'POST',
  path: '/_synapse/admin/v1/register',
  auth: 'none',
  rateLimited: true,
  summary: 'Creates a user with the shared secret: mac = HMAC-SHA1(nonce NUL user NUL password NUL admin|notadmin).',
  section: 'Admin',
  extension: true,
  schemas: () => ({
    body: z.looseObject({
      nonce: z.string(),
      username: z.string(),
      password: z.string(),
      displayname: z.string().optional(),
      admin: z.boolean().default(false),
      user_type: z.string().nullable().optional(),
      mac: z.string(),
    }),
    response: z.object({ user_id: z.string(), access_token: z.string(), device_id: z.string(), home_server: z.string() }),
  }),
});
