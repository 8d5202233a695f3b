// https://spec.matrix.org/v1.19/client-server-api/#key-management-api
// https://spec.matrix.org/v1.19/client-server-api/#cross-signing
import { keys } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { STAGE } from '../../accounts/uia.js';
import type { RealtimeServices } from '../../sync/services.js';

export function registerKeys(router: ApiRouter, s: ServerContext, r: RealtimeServices): void {
  router.bind(keys.uploadKeys, async ({ requester, body }) => ({
    one_time_key_counts: await r.keys.upload(requester.userId, requester.deviceId, body),
  }));

  router.bind(keys.queryKeys, async ({ requester, body }) => (await r.keys.query(requester.userId, body.device_keys)) as never);

  router.bind(keys.claimKeys, async ({ body }) => (await r.keys.claim(body.one_time_keys)) as never);

  router.bind(keys.getKeysChanges, async ({ requester, query }) => r.sync.keyChanges(requester.userId, query.from, query.to));

  router.bind(keys.uploadCrossSigningKeys, async ({ requester, body }) => {
    const { auth, ...upload } = body;
    // Replacing existing cross-signing keys needs the password; the first upload does not (spec v1.11).
    let session: string | undefined;
    if (await r.crossSigning.needsAuth(requester.userId, upload)) {
      ({ session } = await s.accounts.uia.authenticate({
        operation: 'device_signing_upload',
        userId: requester.userId,
        flows: [[STAGE.password]],
        auth,
      }));
    }
    await r.crossSigning.upload(requester.userId, upload);
    if (session) await s.accounts.uia.finish(session);
    return {};
  });

  router.bind(keys.uploadCrossSigningSignatures, async ({ requester, body }) => {
    const failures = await r.crossSigning.uploadSignatures(requester.userId, body);
    return Object.keys(failures).length ? { failures } : {};
  });
}
