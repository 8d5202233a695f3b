// Room tagging: https://spec.matrix.org/v1.19/client-server-api/#room-tagging
// Tags are stored as the per-room account data `m.tag`.
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';
import { SPEC, empty } from './room-common.js';

const section = 'Room tagging';
const tagParams = lazy(() => z.object({ userId: z.string(), roomId: z.string(), tag: z.string().max(255) }));

export const getRoomTags = defineEndpoint({
  operationId: 'getRoomTags', method: 'GET', path: '/_matrix/client/v3/user/{userId}/rooms/{roomId}/tags', auth: 'user', rateLimited: false,
  summary: 'List the tags for a room.', section, specUrl: `${SPEC}#get_matrixclientv3useruseridroomsroomidtags`,
  schemas: () => ({
    params: z.object({ userId: z.string(), roomId: z.string() }),
    response: z.object({ tags: z.record(z.string(), z.looseObject({ order: z.number().optional() })) }),
  }),
});

export const setRoomTag = defineEndpoint({
  operationId: 'setRoomTag', method: 'PUT', path: '/_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag}', auth: 'user', rateLimited: false,
  summary: 'Add a tag to a room.', section, specUrl: `${SPEC}#put_matrixclientv3useruseridroomsroomidtagstag`,
  schemas: () => ({ params: tagParams(), body: z.looseObject({ order: z.number().min(0).max(1).optional() }), response: empty() }),
});

export const deleteRoomTag = defineEndpoint({
  operationId: 'deleteRoomTag', method: 'DELETE', path: '/_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag}', auth: 'user', rateLimited: false,
  summary: 'Remove a tag from the room.', section, specUrl: `${SPEC}#delete_matrixclientv3useruseridroomsroomidtagstag`,
  schemas: () => ({ params: tagParams(), response: empty() }),
});
