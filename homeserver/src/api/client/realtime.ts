// Sync, realtime, end-to-end encryption and push endpoints (one file per spec module), sharing
// the services of homeserver/src/sync/services.ts.
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { realtimeOf } from '../../sync/services.js';
import { registerFilters } from './filters.js';
import { registerKeyBackup } from './key-backup.js';
import { registerKeys } from './keys.js';
import { registerPresence } from './presence.js';
import { registerPush } from './push.js';
import { registerReceipts } from './receipts.js';
import { registerSync } from './sync.js';
import { registerToDevice } from './to-device.js';
import { registerTyping } from './typing.js';
import { registerWebSocket } from './ws.js';

export function registerRealtime(router: ApiRouter, s: ServerContext): void {
  const r = realtimeOf(s);
  registerSync(router, r);
  registerFilters(router, r);
  registerKeys(router, s, r);
  registerKeyBackup(router, r);
  registerToDevice(router, r);
  registerTyping(router, s.db, r);
  registerReceipts(router, s.db, r);
  registerPresence(router, s.db, r);
  registerPush(router, s.db, r);
  registerWebSocket(router, s, r);
}
