// Room aliases and the published room directory.
// https://spec.matrix.org/v1.19/client-server-api/#room-aliases
// https://spec.matrix.org/v1.19/client-server-api/#published-room-directory
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';
import { SPEC, empty, roomIdParams } from './room-common.js';

const aliases = 'Room aliases';
const directory = 'Published room directory';
const aliasParams = lazy(() => z.object({ roomAlias: z.string() }));

/** `PublishedRoomsChunk`, shared with the room summary and the space hierarchy. */
export const publishedRoomsChunk = lazy(() => z.looseObject({
  room_id: z.string(),
  num_joined_members: z.number().int(),
  world_readable: z.boolean(),
  guest_can_join: z.boolean(),
  name: z.string().optional(),
  topic: z.string().optional(),
  avatar_url: z.string().optional(),
  canonical_alias: z.string().optional(),
  join_rule: z.string().optional(),
  room_type: z.string().optional(),
}));

export const setRoomAlias = defineEndpoint({
  operationId: 'setRoomAlias', method: 'PUT', path: '/_matrix/client/v3/directory/room/{roomAlias}', auth: 'user', rateLimited: false,
  summary: 'Create a new mapping from room alias to room ID.', section: aliases, specUrl: `${SPEC}#put_matrixclientv3directoryroomroomalias`,
  schemas: () => ({ params: aliasParams(), body: z.looseObject({ room_id: z.string() }), response: empty() }),
});

export const getRoomIdByAlias = defineEndpoint({
  operationId: 'getRoomIdByAlias', method: 'GET', path: '/_matrix/client/v3/directory/room/{roomAlias}', auth: 'none', rateLimited: false,
  summary: 'Get the room ID corresponding to this room alias.', section: aliases, specUrl: `${SPEC}#get_matrixclientv3directoryroomroomalias`,
  schemas: () => ({ params: aliasParams(), response: z.object({ room_id: z.string(), servers: z.array(z.string()) }) }),
});

export const deleteRoomAlias = defineEndpoint({
  operationId: 'deleteRoomAlias', method: 'DELETE', path: '/_matrix/client/v3/directory/room/{roomAlias}', auth: 'user', rateLimited: false,
  summary: 'Remove a mapping of room alias to room ID.', section: aliases, specUrl: `${SPEC}#delete_matrixclientv3directoryroomroomalias`,
  schemas: () => ({ params: aliasParams(), response: empty() }),
});

export const getLocalAliases = defineEndpoint({
  operationId: 'getLocalAliases', method: 'GET', path: '/_matrix/client/v3/rooms/{roomId}/aliases', auth: 'user', rateLimited: true,
  summary: 'Get a list of local aliases on a given room.', section: aliases, specUrl: `${SPEC}#get_matrixclientv3roomsroomidaliases`,
  schemas: () => ({ params: roomIdParams(), response: z.object({ aliases: z.array(z.string()) }) }),
});

const visibility = lazy(() => z.object({ visibility: z.enum(['public', 'private']) }));

export const getRoomVisibilityOnDirectory = defineEndpoint({
  operationId: 'getRoomVisibilityOnDirectory', method: 'GET', path: '/_matrix/client/v3/directory/list/room/{roomId}', auth: 'none', rateLimited: false,
  summary: 'Gets the visibility of a room in the directory.', section: directory, specUrl: `${SPEC}#get_matrixclientv3directorylistroomroomid`,
  schemas: () => ({ params: roomIdParams(), response: visibility() }),
});

export const setRoomVisibilityOnDirectory = defineEndpoint({
  operationId: 'setRoomVisibilityOnDirectory', method: 'PUT', path: '/_matrix/client/v3/directory/list/room/{roomId}', auth: 'user', rateLimited: false,
  summary: 'Sets the visibility of a room in the directory.', section: directory, specUrl: `${SPEC}#put_matrixclientv3directorylistroomroomid`,
  schemas: () => ({ params: roomIdParams(), body: z.looseObject({ visibility: z.enum(['public', 'private']).optional() }), response: empty() }),
});

const publicRoomsResponse = lazy(() => z.object({
  chunk: z.array(publishedRoomsChunk()),
  next_batch: z.string().optional(),
  prev_batch: z.string().optional(),
  total_room_count_estimate: z.number().int().optional(),
}));

export const getPublicRooms = defineEndpoint({
  operationId: 'getPublicRooms', method: 'GET', path: '/_matrix/client/v3/publicRooms', auth: 'none', rateLimited: false,
  summary: 'Lists the published rooms on the server.', section: directory, specUrl: `${SPEC}#get_matrixclientv3publicrooms`,
  schemas: () => ({
    query: z.object({ limit: z.coerce.number().int().min(0).optional(), since: z.string().optional(), server: z.string().optional() }),
    response: publicRoomsResponse(),
  }),
});

export const queryPublicRooms = defineEndpoint({
  operationId: 'queryPublicRooms', method: 'POST', path: '/_matrix/client/v3/publicRooms', auth: 'user', rateLimited: false,
  summary: 'Lists the published rooms on the server with an optional filter.', section: directory, specUrl: `${SPEC}#post_matrixclientv3publicrooms`,
  schemas: () => ({
    query: z.object({ server: z.string().optional() }),
    body: z.looseObject({
      filter: z.looseObject({ generic_search_term: z.string().optional(), room_types: z.array(z.string().nullable()).optional() }).optional(),
      include_all_networks: z.boolean().optional(),
      limit: z.number().int().min(0).optional(),
      since: z.string().optional(),
      third_party_instance_id: z.string().optional(),
    }),
    response: publicRoomsResponse(),
  }),
});
