// Room aliases and the published room directory.
// https://spec.matrix.org/v1.19/client-server-api/#room-aliases
// https://spec.matrix.org/v1.19/client-server-api/#published-room-directory
import { Errors, directory as api } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { roomsOf } from '../../rooms/index.js';
import { directoryOf } from '../../rooms/features.js';

export function registerDirectory(router: ApiRouter, s: ServerContext): void {
  const rooms = roomsOf(s);
  const directory = directoryOf(s);
  const localServer = (server: string | undefined) => {
    // Other servers' directories need federation, which is not wired in yet.
    if (server !== undefined && server !== s.config.server_name) throw Errors.notFound(`Cannot query the directory of ${server} without federation`);
  };

  router.bind(api.setRoomAlias, async ({ params, body, requester }) => {
    await directory.create(requester.userId, params.roomAlias, body.room_id);
    return {};
  });
  router.bind(api.getRoomIdByAlias, async ({ params }) => directory.resolve(params.roomAlias));
  router.bind(api.deleteRoomAlias, async ({ params, requester }) => {
    await directory.delete(requester, params.roomAlias);
    return {};
  });
  router.bind(api.getLocalAliases, async ({ params, requester }) => {
    await rooms.readAccess(requester.userId, params.roomId);
    return { aliases: await directory.localAliases(params.roomId) };
  }, { rateLimit: 'default' });

  router.bind(api.getRoomVisibilityOnDirectory, async ({ params }) => ({ visibility: await directory.visibility(params.roomId) }));
  router.bind(api.setRoomVisibilityOnDirectory, async ({ params, body, requester }) => {
    await directory.setVisibility(requester.userId, requester.isAdmin, params.roomId, body.visibility ?? 'public');
    return {};
  });

  router.bind(api.getPublicRooms, async ({ query }) => {
    localServer(query.server);
    return directory.publicRooms({ limit: query.limit, since: query.since });
  });
  router.bind(api.queryPublicRooms, async ({ query, body }) => {
    localServer(query.server);
    return directory.publicRooms({ limit: body.limit, since: body.since, searchTerm: body.filter?.generic_search_term, roomTypes: body.filter?.room_types });
  });
}
