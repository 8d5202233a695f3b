// https://spec.matrix.org/v1.19/client-server-api/#account-management
import { Errors, account } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { STAGE } from '../../accounts/uia.js';

export function registerAccount(router: ApiRouter, s: ServerContext): void {
  const { uia, account: service } = s.accounts;

  // Both endpoints allow unauthenticated use with email-based UIA, which Parley does not offer:
  // without an access token there is no stage to complete.
  router.bind(account.changePassword, async ({ requester, body }) => {
    if (!requester) throw Errors.missingToken();
    const { session } = await uia.authenticate({ operation: 'change_password', userId: requester.userId, flows: [[STAGE.password]], auth: body.auth });
    await service.changePassword(requester, body.new_password, body.logout_devices);
    await uia.finish(session);
    return {};
  });

  router.bind(account.deactivateAccount, async ({ requester, body }) => {
    if (!requester) throw Errors.missingToken();
    const { session } = await uia.authenticate({ operation: 'deactivate', userId: requester.userId, flows: [[STAGE.password]], auth: body.auth });
    await service.deactivate(requester.userId, body.erase);
    await uia.finish(session);
    return { id_server_unbind_result: 'no-support' as const };
  });
}
