// https://spec.matrix.org/v1.19/client-server-api/#typing-notifications
import { Errors, typing } from '@parley/spec';
import type { Knex } from 'knex';
import type { ApiRouter } from '../../http/router.js';
import { requireJoined } from '../../sync/membership.js';
import type { RealtimeServices } from '../../sync/services.js';

/** Shared by the HTTP endpoint and the WebSocket `typing` frame. */
export async function setTyping(db: Knex, r: RealtimeServices, requester: { userId: string }, roomId: string, userId: string, body: { typing: boolean; timeout?: number }) {
  if (userId !== requester.userId) throw Errors.forbidden('Cannot set the typing state of another user');
  await requireJoined(db, userId, roomId);
  await r.typing.setTyping(roomId, userId, body.typing, body.timeout);
}

export function registerTyping(router: ApiRouter, db: Knex, r: RealtimeServices): void {
  router.bind(
    typing.setTyping,
    async ({ requester, params, body }) => {
      await setTyping(db, r, requester, params.roomId, params.userId, body);
      return {};
    },
    { rateLimit: 'message' },
  );
}
