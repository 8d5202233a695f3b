// https://spec.matrix.org/v1.19/client-server-api/#profiles
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';

const section = 'Profiles';

/** `avatar_url`, `displayname`, `m.tz` or a custom namespaced key (the spec's pattern). */
export const PROFILE_KEY_PATTERN = /^(avatar_url|displayname|m\.tz|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$/;

const userParams = lazy(() => z.object({ userId: z.string().startsWith('@') }));
const fieldParams = lazy(() => z.object({
  userId: z.string().startsWith('@'),
  keyName: z.string().max(255).regex(PROFILE_KEY_PATTERN, 'not a valid profile key'),
}));

export const getUserProfile = defineEndpoint({
  operationId: 'getUserProfile',
  method: 'GET',
  path: '/_matrix/client/v3/profile/{userId}',
  auth: 'optional',
  rateLimited: false,
  summary: 'Get all profile information for a user.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3profileuserid',
  schemas: () => ({ params: userParams(), response: z.looseObject({ displayname: z.string().optional(), avatar_url: z.string().optional() }) }),
});

export const getProfileField = defineEndpoint({
  operationId: 'getProfileField',
  method: 'GET',
  path: '/_matrix/client/v3/profile/{userId}/{keyName}',
  auth: 'optional',
  rateLimited: false,
  summary: 'Get a profile field for a user.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3profileuseridkeyname',
  schemas: () => ({ params: fieldParams(), response: z.record(z.string(), z.unknown()) }),
});

export const setProfileField = defineEndpoint({
  operationId: 'setProfileField',
  method: 'PUT',
  path: '/_matrix/client/v3/profile/{userId}/{keyName}',
  auth: 'user',
  rateLimited: true,
  summary: 'Set a profile field for a user.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#put_matrixclientv3profileuseridkeyname',
  schemas: () => ({ params: fieldParams(), body: z.record(z.string(), z.unknown()), response: z.object({}) }),
});

export const deleteProfileField = defineEndpoint({
  operationId: 'deleteProfileField',
  method: 'DELETE',
  path: '/_matrix/client/v3/profile/{userId}/{keyName}',
  auth: 'user',
  rateLimited: true,
  summary: 'Remove a profile field from a user.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#delete_matrixclientv3profileuseridkeyname',
  schemas: () => ({ params: fieldParams(), response: z.object({}) }),
});
