// The account modules of the client-server API (and Synapse's shared-secret registration).
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { registerRegistration } from './registration.js';
import { registerLogin } from './login.js';
import { registerLogout } from './logout.js';
import { registerRefresh } from './refresh.js';
import { registerWhoami } from './whoami.js';
import { registerDevices } from './devices.js';
import { registerAccount } from './account.js';
import { registerProfile } from './profile.js';

export function registerAccounts(router: ApiRouter, s: ServerContext): void {
  for (const register of [registerRegistration, registerLogin, registerLogout, registerRefresh, registerWhoami, registerDevices, registerAccount, registerProfile]) {
    register(router, s);
  }
}
