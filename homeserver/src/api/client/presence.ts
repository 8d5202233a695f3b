// https://spec.matrix.org/v1.19/client-server-api/#presence
import { Errors, presence } from '@parley/spec';
import type { Knex } from 'knex';
import type { ApiRouter } from '../../http/router.js';
import { sharesRoom } from '../../sync/membership.js';
import type { RealtimeServices } from '../../sync/services.js';

export function registerPresence(router: ApiRouter, db: Knex, r: RealtimeServices): void {
  router.bind(presence.setPresence, async ({ requester, params, body }) => {
    if (params.userId !== requester.userId) throw Errors.forbidden('Cannot set the presence of another user');
    await r.presence.setPresence(requester.userId, body.presence, body.status_msg);
    return {};
  });

  router.bind(presence.getPresence, async ({ requester, params }) => {
    const exists = await db('users').where({ user_id: params.userId }).first('user_id');
    if (!exists) throw Errors.notFound('Unknown user');
    if (!(await sharesRoom(db, requester.userId, params.userId))) throw Errors.forbidden('You do not share a room with this user');
    return r.presence.get(params.userId);
  });
}
