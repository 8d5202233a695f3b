// https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3refresh
import { refresh } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';

export function registerRefresh(router: ApiRouter, s: ServerContext): void {
  router.bind(refresh.refresh, async ({ body }) => {
    const { access_token, refresh_token, expires_in_ms } = await s.accounts.sessions.refresh(body.refresh_token);
    return { access_token, refresh_token, expires_in_ms };
  });
}
