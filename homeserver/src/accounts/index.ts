// Builds the account services; main.ts puts them in the ServerContext as `accounts`.
import type { EventBus } from '../bus/bus.js';
import type { ResolvedConfig } from '../config/load.js';
import type { Database } from '../db/database.js';
import type { RateLimiter } from '../http/router.js';
import { AccountService } from './account.js';
import { AdminRegistrationNonces } from './admin-register.js';
import { LoginService } from './login.js';
import { PasswordHasher } from './passwords.js';
import { ProfileService } from './profile.js';
import { RegistrationTokens } from './registration-tokens.js';
import { RegistrationService } from './registration.js';
import { SessionService } from './sessions.js';
import { TokenAuthenticator } from './tokens.js';
import { UserInteractiveAuth } from './uia.js';
import { UserStore } from './users.js';

export const TOKENS_REVOKED_CHANNEL = 'accounts.tokens_revoked';

export interface AccountServices {
  authenticator: TokenAuthenticator;
  users: UserStore;
  passwords: PasswordHasher;
  sessions: SessionService;
  registrationTokens: RegistrationTokens;
  uia: UserInteractiveAuth;
  registration: RegistrationService;
  login: LoginService;
  account: AccountService;
  /** `onProfileChanged` hooks: subscribe to propagate displayname/avatar changes. */
  profiles: ProfileService;
  adminNonces: AdminRegistrationNonces;
}

export function createAccountServices(deps: { db: Database; config: ResolvedConfig; rateLimiter: RateLimiter; bus?: EventBus }): AccountServices {
  const { db, config, rateLimiter } = deps;
  const users = new UserStore(db, config.server_name);
  const passwords = new PasswordHasher();
  const authenticator = new TokenAuthenticator(db);
  if (deps.bus) {
    // Other processes forget their cached copies of revoked tokens too.
    const bus = deps.bus;
    authenticator.onRevoked.push((userId) => void bus.publish(TOKENS_REVOKED_CHANNEL, { userId }).catch(() => {}));
    bus.subscribe(TOKENS_REVOKED_CHANNEL, (m) => authenticator.forget((m as { userId: string }).userId));
  }
  const sessions = new SessionService(db, config.auth.access_token_lifetime_ms, (userId, trx) => authenticator.revoked(userId, trx));
  const registrationTokens = new RegistrationTokens(db);
  const uia = new UserInteractiveAuth(db, { passwords, users, tokens: registrationTokens, serverName: config.server_name });
  return {
    authenticator,
    users,
    passwords,
    sessions,
    registrationTokens,
    uia,
    registration: new RegistrationService(db, config, { users, passwords, sessions, uia, tokens: registrationTokens }),
    login: new LoginService(db, config, { users, passwords, sessions, rateLimiter }),
    account: new AccountService(db, { users, passwords, sessions }),
    profiles: new ProfileService(db),
    adminNonces: new AdminRegistrationNonces(db),
  };
}
