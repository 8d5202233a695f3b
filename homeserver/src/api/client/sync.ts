// https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3sync
import { sync } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { RealtimeServices } from '../../sync/services.js';
import { Hangup } from '../../sync/sync-service.js';

export function registerSync(router: ApiRouter, r: RealtimeServices): void {
  router.bind(sync.sync, async ({ requester, query, ctx }) => {
    // A client that goes away ends its long-poll at once. (The request also closes after every
    // answer: nothing to end then.)
    const hangup = new Hangup();
    ctx.req.once('close', () => {
      if (!ctx.res.writableEnded) hangup.hangUp();
    });
    const filter = await r.filters.resolve(requester.userId, query.filter);
    return r.sync.sync(
      {
        userId: requester.userId,
        deviceId: requester.deviceId,
        since: query.since,
        filter,
        fullState: query.full_state === 'true',
        timeoutMs: query.timeout ?? 0,
        setPresence: query.set_presence ?? 'online',
      },
      hangup,
    );
  });
}
