// https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3logout
import { logout } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';

export function registerLogout(router: ApiRouter, s: ServerContext): void {
  const { sessions } = s.accounts;
  router.bind(logout.logout, async ({ requester }) => {
    await sessions.deleteDevices(requester.userId, [requester.deviceId]);
    return {};
  });
  router.bind(logout.logoutAll, async ({ requester }) => {
    await sessions.deleteDevices(requester.userId, 'all');
    return {};
  });
}
