// https://spec.matrix.org/v1.19/client-server-api/#server-side-key-backups
import { Errors, keyBackup as kb } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { RealtimeServices } from '../../sync/services.js';

export function registerKeyBackup(router: ApiRouter, r: RealtimeServices): void {
  const backups = r.keyBackups;
  router.bind(kb.postRoomKeysVersion, async ({ requester, body }) => ({
    version: await backups.create(requester.userId, body.algorithm, body.auth_data),
  }));
  router.bind(kb.getRoomKeysVersionCurrent, async ({ requester }) => backups.info(requester.userId));
  router.bind(kb.getRoomKeysVersion, async ({ requester, params }) => backups.info(requester.userId, params.version));
  router.bind(kb.putRoomKeysVersion, async ({ requester, params, body }) => {
    await backups.update(requester.userId, params.version, body);
    return {};
  });
  router.bind(kb.deleteRoomKeysVersion, async ({ requester, params }) => {
    await backups.deleteVersion(requester.userId, params.version);
    return {};
  });

  router.bind(kb.putRoomKeys, async ({ requester, query, body }) =>
    backups.put(requester.userId, query.version, Object.fromEntries(Object.entries(body.rooms).map(([roomId, room]) => [roomId, room.sessions]))),
  );
  router.bind(kb.getRoomKeys, async ({ requester, query }) => ({ rooms: await wrapRooms(backups.get(requester.userId, query.version)) }));
  router.bind(kb.deleteRoomKeys, async ({ requester, query }) => backups.delete(requester.userId, query.version));

  router.bind(kb.putRoomKeysByRoomId, async ({ requester, params, query, body }) =>
    backups.put(requester.userId, query.version, { [params.roomId]: body.sessions }),
  );
  router.bind(kb.getRoomKeysByRoomId, async ({ requester, params, query }) => ({
    sessions: (await backups.get(requester.userId, query.version, params.roomId))[params.roomId] ?? {},
  }));
  router.bind(kb.deleteRoomKeysByRoomId, async ({ requester, params, query }) => backups.delete(requester.userId, query.version, params.roomId));

  router.bind(kb.putRoomKeyBySessionId, async ({ requester, params, query, body }) =>
    backups.put(requester.userId, query.version, { [params.roomId]: { [params.sessionId]: body } }),
  );
  router.bind(kb.getRoomKeyBySessionId, async ({ requester, params, query }) => {
    const key = (await backups.get(requester.userId, query.version, params.roomId, params.sessionId))[params.roomId]?.[params.sessionId];
    if (!key) throw Errors.notFound('No key for this session');
    return key;
  });
  router.bind(kb.deleteRoomKeyBySessionId, async ({ requester, params, query }) =>
    backups.delete(requester.userId, query.version, params.roomId, params.sessionId),
  );
}

async function wrapRooms(rooms: Promise<Record<string, Record<string, unknown>>>) {
  const out: Record<string, { sessions: Record<string, any> }> = {};
  for (const [roomId, sessions] of Object.entries(await rooms)) out[roomId] = { sessions };
  return out;
}
