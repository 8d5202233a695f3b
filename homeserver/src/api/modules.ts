// Every API module registers its routes here. Keep one line per module.
import type Koa from 'koa';
import type { ApiRouter } from '../http/router.js';
import type { ServerContext } from '../context.js';
import { webClient } from '../web/static.js';
import { registerServerDiscovery } from './client/server-discovery.js';
import { registerRoomCreation } from './client/room-creation.js';
import { registerMembership } from './client/membership.js';
import { registerRoomEvents } from './client/room-events.js';
import { registerReporting } from './client/reporting.js';
import { registerAccountData } from './client/account-data.js';
import { registerRelations } from './client/relations.js';
import { registerDirectory } from './client/directory.js';
import { registerRoomUpgrades } from './client/room-upgrades.js';
import { registerSearch } from './client/search.js';
import { registerSpaces } from './client/spaces.js';
import { registerUserDirectory } from './client/user-directory.js';
import { registerAccounts } from './client/accounts.js';
import { registerMedia } from './client/media.js';
import { registerServerKeys } from './federation/keys.js';
import { registerRealtime } from './client/realtime.js';

export interface ModuleResult {
  /** Serves non-API paths (the web client). */
  fallback?: Koa.Middleware;
}

export async function registerModules(router: ApiRouter, s: ServerContext): Promise<ModuleResult> {
  registerServerDiscovery(router, s);
  registerRoomCreation(router, s);
  registerMembership(router, s);
  registerRoomEvents(router, s);
  registerReporting(router, s);
  registerAccountData(router, s);
  registerRelations(router, s);
  registerDirectory(router, s);
  registerRoomUpgrades(router, s);
  registerSearch(router, s);
  registerSpaces(router, s);
  registerUserDirectory(router, s);
  registerAccounts(router, s);
  await registerMedia(router, s);
  registerServerKeys(router, s);
  registerRealtime(router, s);
  return { fallback: webClient() };
}
