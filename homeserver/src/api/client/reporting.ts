// https://spec.matrix.org/v1.19/client-server-api/#reporting-content
import { Errors, reporting as api } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { roomsOf } from '../../rooms/index.js';

export function registerReporting(router: ApiRouter, s: ServerContext): void {
  const rooms = roomsOf(s);
  const store = (row: Record<string, unknown>) => s.db('content_reports').insert({ ...row, created_ts: Date.now() });

  router.bind(api.reportEvent, async ({ params, body, requester }) => {
    // Unknown and invisible events answer alike (404), so a report reveals nothing.
    await rooms.visibleEvent(requester, params.roomId, params.eventId);
    await store({ reporter: requester.userId, room_id: params.roomId, event_id: params.eventId, reason: body.reason ?? null, score: body.score ?? null });
    return {};
  });

  router.bind(api.reportRoom, async ({ params, body, requester }) => {
    if (!(await rooms.store.room(params.roomId))) throw Errors.notFound('Unknown room');
    await store({ reporter: requester.userId, room_id: params.roomId, reason: body.reason ?? null });
    return {};
  });

  router.bind(api.reportUser, async ({ params, body, requester }) => {
    const known = await s.db('users').where({ user_id: params.userId }).first('user_id').catch(() => undefined);
    if (!known) throw Errors.notFound('Unknown user');
    await store({ reporter: requester.userId, user_id: params.userId, reason: body.reason ?? null });
    return {};
  });
}
