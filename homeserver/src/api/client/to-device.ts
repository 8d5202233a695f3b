// https://spec.matrix.org/v1.19/client-server-api/#send-to-device-messaging
import { toDevice } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { RealtimeServices } from '../../sync/services.js';

export function registerToDevice(router: ApiRouter, r: RealtimeServices): void {
  router.bind(toDevice.sendToDevice, async ({ requester, params, body }) => {
    await r.toDevice.send(requester, params.eventType, params.txnId, body.messages);
    return {};
  });
}
