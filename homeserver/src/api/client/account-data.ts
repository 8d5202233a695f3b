// Client config (account data) and room tagging.
// https://spec.matrix.org/v1.19/client-server-api/#client-config
// https://spec.matrix.org/v1.19/client-server-api/#room-tagging
import { Errors, accountData as api, tags as tagsApi, isValidRoomId } from '@parley/spec';
import type { ApiRouter, Requester } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { AccountDataService, accountDataOf } from '../../rooms/account-data.js';

function own(requester: Requester, userId: string): void {
  if (requester.userId !== userId) throw Errors.forbidden('Cannot access account data of other users');
}

function roomIdParam(roomId: string): string {
  if (!isValidRoomId(roomId)) throw Errors.invalidParam(`${roomId} is not a valid room id`);
  return roomId;
}

export function registerAccountData(router: ApiRouter, s: ServerContext): void {
  const data = accountDataOf(s);

  router.bind(api.setAccountData, async ({ params, body, requester }) => {
    own(requester, params.userId);
    data.checkClientWritable(params.type);
    AccountDataService.validate(params.type, body);
    await data.set(params.userId, '', params.type, body);
    return {};
  });

  router.bind(api.getAccountData, async ({ params, requester }) => {
    own(requester, params.userId);
    const content = await data.get(params.userId, '', params.type);
    if (!content) throw Errors.notFound('No account data of that type');
    return content;
  });

  router.bind(api.setAccountDataPerRoom, async ({ params, body, requester }) => {
    own(requester, params.userId);
    const roomId = roomIdParam(params.roomId);
    data.checkClientWritable(params.type);
    await data.set(params.userId, roomId, params.type, body);
    return {};
  });

  router.bind(api.getAccountDataPerRoom, async ({ params, requester }) => {
    own(requester, params.userId);
    const content = await data.get(params.userId, roomIdParam(params.roomId), params.type);
    if (!content) throw Errors.notFound('No account data of that type for this room');
    return content;
  });

  const tagsOf = (content: Record<string, unknown> | undefined): Record<string, { order?: number }> => {
    const tags = content?.tags;
    return tags && typeof tags === 'object' && !Array.isArray(tags) ? { ...(tags as Record<string, { order?: number }>) } : {};
  };

  router.bind(tagsApi.getRoomTags, async ({ params, requester }) => {
    own(requester, params.userId);
    return { tags: tagsOf(await data.get(params.userId, roomIdParam(params.roomId), 'm.tag')) };
  });

  router.bind(tagsApi.setRoomTag, async ({ params, body, requester }) => {
    own(requester, params.userId);
    await data.update(params.userId, roomIdParam(params.roomId), 'm.tag', (current) => ({ tags: { ...tagsOf(current), [params.tag]: body } }));
    return {};
  });

  router.bind(tagsApi.deleteRoomTag, async ({ params, requester }) => {
    own(requester, params.userId);
    await data.update(params.userId, roomIdParam(params.roomId), 'm.tag', (current) => {
      const tags = tagsOf(current);
      delete tags[params.tag];
      return { tags };
    });
    return {};
  });
}
