// https://spec.matrix.org/v1.19/client-server-api/#room-membership
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';
import { SPEC, empty, roomIdParams, userIdReason, reasonBody } from './room-common.js';

const section = 'Room membership';
const joinBody = lazy(() => z.looseObject({ reason: z.string().optional(), third_party_signed: z.looseObject({}).optional() }));
const roomIdResponse = lazy(() => z.object({ room_id: z.string() }));
const viaQuery = lazy(() => z.object({
  via: z.union([z.string(), z.array(z.string())]).optional(),
  server_name: z.union([z.string(), z.array(z.string())]).optional(),
}));

export const joinRoomById = defineEndpoint({
  operationId: 'joinRoomById', method: 'POST', path: '/_matrix/client/v3/rooms/{roomId}/join', auth: 'user', rateLimited: true,
  summary: 'Start the requesting user participating in a particular room.', section, specUrl: `${SPEC}#post_matrixclientv3roomsroomidjoin`,
  schemas: () => ({ params: roomIdParams(), body: joinBody(), response: roomIdResponse() }),
});

export const joinRoom = defineEndpoint({
  operationId: 'joinRoom', method: 'POST', path: '/_matrix/client/v3/join/{roomIdOrAlias}', auth: 'user', rateLimited: true,
  summary: 'Start the requesting user participating in a particular room.', section, specUrl: `${SPEC}#post_matrixclientv3joinroomidoralias`,
  schemas: () => ({ params: z.object({ roomIdOrAlias: z.string() }), query: viaQuery(), body: joinBody(), response: roomIdResponse() }),
});

export const knockRoom = defineEndpoint({
  operationId: 'knockRoom', method: 'POST', path: '/_matrix/client/v3/knock/{roomIdOrAlias}', auth: 'user', rateLimited: true,
  summary: 'Knock on a room, requesting permission to join.', section, specUrl: `${SPEC}#post_matrixclientv3knockroomidoralias`,
  schemas: () => ({ params: z.object({ roomIdOrAlias: z.string() }), query: viaQuery(), body: reasonBody(), response: roomIdResponse() }),
});

export const inviteUser = defineEndpoint({
  operationId: 'inviteUser', method: 'POST', path: '/_matrix/client/v3/rooms/{roomId}/invite', auth: 'user', rateLimited: true,
  summary: 'Invite a user to participate in a particular room.', section, specUrl: `${SPEC}#post_matrixclientv3roomsroomidinvite`,
  schemas: () => ({ params: roomIdParams(), body: userIdReason(), response: empty() }),
});

export const leaveRoom = defineEndpoint({
  operationId: 'leaveRoom', method: 'POST', path: '/_matrix/client/v3/rooms/{roomId}/leave', auth: 'user', rateLimited: true,
  summary: 'Stop the requesting user participating in a particular room.', section, specUrl: `${SPEC}#post_matrixclientv3roomsroomidleave`,
  schemas: () => ({ params: roomIdParams(), body: reasonBody(), response: empty() }),
});

export const forgetRoom = defineEndpoint({
  operationId: 'forgetRoom', method: 'POST', path: '/_matrix/client/v3/rooms/{roomId}/forget', auth: 'user', rateLimited: true,
  summary: 'Stop the requesting user remembering about a particular room.', section, specUrl: `${SPEC}#post_matrixclientv3roomsroomidforget`,
  schemas: () => ({ params: roomIdParams(), body: z.looseObject({}), response: empty() }),
});

export const kick = defineEndpoint({
  operationId: 'kick', method: 'POST', path: '/_matrix/client/v3/rooms/{roomId}/kick', auth: 'user', rateLimited: false,
  summary: 'Kick a user from the room.', section, specUrl: `${SPEC}#post_matrixclientv3roomsroomidkick`,
  schemas: () => ({ params: roomIdParams(), body: userIdReason(), response: empty() }),
});

export const ban = defineEndpoint({
  operationId: 'ban', method: 'POST', path: '/_matrix/client/v3/rooms/{roomId}/ban', auth: 'user', rateLimited: false,
  summary: 'Ban a user in the room.', section, specUrl: `${SPEC}#post_matrixclientv3roomsroomidban`,
  schemas: () => ({ params: roomIdParams(), body: userIdReason(), response: empty() }),
});

export const unban = defineEndpoint({
  operationId: 'unban', method: 'POST', path: '/_matrix/client/v3/rooms/{roomId}/unban', auth: 'user', rateLimited: false,
  summary: 'Unban a user from the room.', section, specUrl: `${SPEC}#post_matrixclientv3roomsroomidunban`,
  schemas: () => ({ params: roomIdParams(), body: userIdReason(), response: empty() }),
});

export const getJoinedRooms = defineEndpoint({
  operationId: 'getJoinedRooms', method: 'GET', path: '/_matrix/client/v3/joined_rooms', auth: 'user', rateLimited: false,
  summary: "Lists the user's current rooms.", section, specUrl: `${SPEC}#get_matrixclientv3joined_rooms`,
  schemas: () => ({ response: z.object({ joined_rooms: z.array(z.string()) }) }),
});
