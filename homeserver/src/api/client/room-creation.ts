// https://spec.matrix.org/v1.19/client-server-api/#creation
import { rooms as api } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { roomsOf } from '../../rooms/index.js';

export function registerRoomCreation(router: ApiRouter, s: ServerContext): void {
  const rooms = roomsOf(s);
  router.bind(api.createRoom, async ({ body, requester }) => ({ room_id: await rooms.createRoom(requester.userId, body) }));
}
