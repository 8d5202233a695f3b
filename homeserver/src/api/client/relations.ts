// Relationships API and thread listing.
// https://spec.matrix.org/v1.19/client-server-api/#relationships-api
// https://spec.matrix.org/v1.19/client-server-api/#querying-threads-in-a-room
import { relations as api, threads as threadsApi } from '@parley/spec';
import type { ApiRouter, Requester } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { roomsOf } from '../../rooms/index.js';
import { relationsOf } from '../../rooms/features.js';
import type { RelationsQuery } from '../../rooms/relations.js';

export function registerRelations(router: ApiRouter, s: ServerContext): void {
  const rooms = roomsOf(s);
  const relations = relationsOf(s);

  const list = async (requester: Requester, p: { roomId: string; eventId: string; relType?: string; eventType?: string }, q: { from?: string; to?: string; limit?: number; dir?: 'b' | 'f'; recurse?: 'true' | 'false' }) => {
    const { room, access } = await rooms.readAccess(requester.userId, p.roomId);
    // The parent must exist in this room and be visible to the reader.
    await rooms.visibleEvent(requester, p.roomId, p.eventId);
    const query: RelationsQuery = { relType: p.relType, eventType: p.eventType, from: q.from, to: q.to, limit: q.limit, dir: q.dir, recurse: q.recurse === 'true' };
    const page = await relations.relations(requester, room, access, p.eventId, query);
    return { ...page, chunk: await rooms.serialize(requester, page.chunk) };
  };
  router.bind(api.getRelatingEvents, ({ params, query, requester }) => list(requester, params, query));
  router.bind(api.getRelatingEventsWithRelType, ({ params, query, requester }) => list(requester, params, query));
  router.bind(api.getRelatingEventsWithRelTypeAndEventType, ({ params, query, requester }) => list(requester, params, query));

  router.bind(threadsApi.getThreadRoots, async ({ params, query, requester }) => {
    const { room, access } = await rooms.readAccess(requester.userId, params.roomId);
    const page = await relations.threadRoots(requester, room, access, { include: query.include ?? 'all', limit: query.limit, from: query.from });
    return { ...page, chunk: await rooms.serialize(requester, page.chunk) };
  });
}
