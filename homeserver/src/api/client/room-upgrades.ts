// https://spec.matrix.org/v1.19/client-server-api/#room-upgrades
import { roomUpgrades as api } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { upgraderOf } from '../../rooms/features.js';

export function registerRoomUpgrades(router: ApiRouter, s: ServerContext): void {
  const upgrader = upgraderOf(s);
  router.bind(api.upgradeRoom, async ({ params, body, requester }) => ({
    replacement_room: await upgrader.upgrade(requester.userId, params.roomId, body.new_version, body.additional_creators),
  }));
}
