// Room summaries (MSC3266, spec v1.15+): https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv1room_summaryroomidoralias
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';
import { SPEC } from './room-common.js';
import { publishedRoomsChunk } from './directory.js';

/** `RoomSummary`: a published rooms chunk plus the version, encryption and restricted-join rooms. */
export const roomSummary = lazy(() => publishedRoomsChunk().extend({
  room_version: z.string().optional(),
  encryption: z.string().optional(),
  allowed_room_ids: z.array(z.string()).optional(),
}));

const summaryEndpoint = {
  method: 'GET', auth: 'optional', rateLimited: false,
  summary: 'Retrieves a summary for a room.', section: 'Room summaries', specUrl: `${SPEC}#get_matrixclientv1room_summaryroomidoralias`,
  schemas: lazy(() => ({
    params: z.object({ roomIdOrAlias: z.string() }),
    query: z.object({ via: z.union([z.string(), z.array(z.string())]).optional() }),
    response: roomSummary().extend({ membership: z.enum(['invite', 'join', 'knock', 'leave', 'ban']).optional() }),
  })),
} as const;

export const getRoomSummary = defineEndpoint({
  ...summaryEndpoint, operationId: 'getRoomSummary', path: '/_matrix/client/v1/room_summary/{roomIdOrAlias}',
});

/** The same answer at MSC3266's unstable path, which matrix-js-sdk 37's `getRoomSummary` calls. */
export const getRoomSummaryUnstable = defineEndpoint({
  ...summaryEndpoint, operationId: 'parleyGetRoomSummaryUnstable', path: '/_matrix/client/unstable/im.nheko.summary/summary/{roomIdOrAlias}',
});
