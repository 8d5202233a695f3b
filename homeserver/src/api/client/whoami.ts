// https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3accountwhoami
import { whoami } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';

export function registerWhoami(router: ApiRouter, _s: ServerContext): void {
  router.bind(whoami.getTokenOwner, async ({ requester }) => ({
    user_id: requester.userId,
    device_id: requester.deviceId,
    is_guest: requester.isGuest,
  }));
}
