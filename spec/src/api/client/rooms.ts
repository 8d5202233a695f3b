// https://spec.matrix.org/v1.19/client-server-api/#creation
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';
import { SPEC } from './room-common.js';

const section = 'Room creation';

const stateEventInput = lazy(() => z.looseObject({ type: z.string(), state_key: z.string().default(''), content: z.record(z.string(), z.unknown()) }));

export const createRoom = defineEndpoint({
  operationId: 'createRoom',
  method: 'POST',
  path: '/_matrix/client/v3/createRoom',
  auth: 'user',
  rateLimited: false,
  summary: 'Create a new room.',
  section,
  specUrl: `${SPEC}#post_matrixclientv3createroom`,
  schemas: () => ({
    body: z.looseObject({
      creation_content: z.record(z.string(), z.unknown()).optional(),
      initial_state: z.array(stateEventInput()).optional(),
      invite: z.array(z.string()).optional(),
      invite_3pid: z.array(z.looseObject({})).optional(),
      is_direct: z.boolean().optional(),
      name: z.string().optional(),
      power_level_content_override: z.record(z.string(), z.unknown()).optional(),
      preset: z.enum(['private_chat', 'public_chat', 'trusted_private_chat']).optional(),
      room_alias_name: z.string().optional(),
      room_version: z.string().optional(),
      topic: z.string().optional(),
      visibility: z.enum(['public', 'private']).optional(),
    }),
    response: z.object({ room_id: z.string() }),
  }),
});
