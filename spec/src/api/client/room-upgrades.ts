// Room upgrades: https://spec.matrix.org/v1.19/client-server-api/#room-upgrades
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';
import { SPEC, roomIdParams } from './room-common.js';

export const upgradeRoom = defineEndpoint({
  operationId: 'upgradeRoom', method: 'POST', path: '/_matrix/client/v3/rooms/{roomId}/upgrade', auth: 'user', rateLimited: false,
  summary: 'Upgrades a room to a new room version.', section: 'Room upgrades', specUrl: `${SPEC}#post_matrixclientv3roomsroomidupgrade`,
  schemas: () => ({
    params: roomIdParams(),
    body: z.looseObject({ new_version: z.string(), additional_creators: z.array(z.string()).optional() }),
    response: z.object({ replacement_room: z.string() }),
  }),
});
