// https://spec.matrix.org/v1.19/client-server-api/#login
import { login } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';

export function registerLogin(router: ApiRouter, s: ServerContext): void {
  router.bind(login.getLoginFlows, async () => ({ flows: [{ type: 'm.login.password' }] }), { rateLimit: 'default' });
  router.bind(login.login, async ({ body, ip }) => s.accounts.login.login(body, ip), { rateLimit: 'login' });
}
