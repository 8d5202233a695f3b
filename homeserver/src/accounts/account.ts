// Password change and deactivation: https://spec.matrix.org/v1.19/client-server-api/#account-management
import type { Database } from '../db/database.js';
import type { Requester } from '../http/router.js';
import type { PasswordHasher } from './passwords.js';
import type { SessionService } from './sessions.js';
import type { UserStore } from './users.js';

/** Called after an account is deactivated: e.g. to leave its rooms. */
export type DeactivatedHook = (userId: string, opts: { erase: boolean }) => Promise<void> | void;

export class AccountService {
  readonly onDeactivated: DeactivatedHook[] = [];

  constructor(
    private readonly db: Database,
    private readonly deps: { users: UserStore; passwords: PasswordHasher; sessions: SessionService },
  ) {}

  /** Sets the password; with `logoutDevices`, every other device and token of the user goes. */
  async changePassword(requester: Requester, newPassword: string, logoutDevices: boolean): Promise<void> {
    const hash = await this.deps.passwords.hash(newPassword);
    await this.db.transaction(async (trx) => {
      await this.deps.users.setPasswordHash(trx, requester.userId, hash);
      if (logoutDevices) {
        await this.deps.sessions.deleteDevices(requester.userId, 'all', { except: requester.deviceId, trx });
        await this.deps.sessions.revokeOtherTokens(trx, requester.userId, requester.deviceId, requester.tokenId);
      }
    });
  }

  async deactivate(userId: string, erase: boolean): Promise<void> {
    await this.db.transaction(async (trx) => {
      await this.deps.users.markDeactivated(trx, userId, erase);
      await this.deps.sessions.deleteDevices(userId, 'all', { trx });
    });
    for (const hook of this.onDeactivated) await hook(userId, { erase });
  }
}
