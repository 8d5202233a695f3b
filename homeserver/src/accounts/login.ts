// Password login: https://spec.matrix.org/v1.19/client-server-api/#password-based
// A wrong password, an unknown user and a deactivated user all cost one argon2 verification.
import { Errors, MatrixError } from '@parley/spec';
import type { ResolvedConfig } from '../config/load.js';
import type { Database } from '../db/database.js';
import type { RateLimiter } from '../http/router.js';
import type { PasswordHasher } from './passwords.js';
import type { SessionService, SessionTokens } from './sessions.js';
import { localpartOf } from './usernames.js';
import type { UserStore } from './users.js';

export interface LoginRequest {
  type: string;
  identifier?: { type: string; [k: string]: unknown };
  user?: string;
  password?: string;
  device_id?: string;
  initial_device_display_name?: string;
  refresh_token: boolean;
}

export class LoginService {
  constructor(
    private readonly db: Database,
    private readonly config: ResolvedConfig,
    private readonly deps: { users: UserStore; passwords: PasswordHasher; sessions: SessionService; rateLimiter: RateLimiter },
  ) {}

  private claimedUser(req: LoginRequest): string {
    if (req.identifier) {
      if (req.identifier.type !== 'm.id.user') throw new MatrixError(400, 'M_UNKNOWN', `Identifier type ${req.identifier.type} is not supported`);
      if (typeof req.identifier.user !== 'string') throw Errors.missingParam('Missing identifier.user');
      return req.identifier.user;
    }
    if (req.user !== undefined) return req.user;
    throw Errors.missingParam('Missing identifier');
  }

  async login(req: LoginRequest, ip: string): Promise<SessionTokens & { user_id: string; home_server: string }> {
    if (req.type !== 'm.login.password') throw new MatrixError(400, 'M_UNKNOWN', `Login type ${req.type} is not supported`);
    if (typeof req.password !== 'string') throw Errors.missingParam('Missing password');
    const localpart = localpartOf(this.claimedUser(req), this.config.server_name);
    // Per account as well as per IP (the binder's limit): guessing one account's password from many IPs.
    if (localpart !== undefined) await this.deps.rateLimiter.check('login', `account:${localpart}`);
    // The token is issued only if the verified hash is still current when it is written: a login
    // that overlapped a password change or deactivation tries once more with what is current now.
    for (let attempt = 1; ; attempt++) {
      const user = localpart !== undefined ? await this.deps.users.credentials(localpart) : undefined;
      const ok = await this.deps.passwords.verify(user?.password_hash, req.password);
      if (!ok || !user?.password_hash) throw Errors.forbidden('Invalid username or password');
      if (user.deactivated) throw Errors.userDeactivated();
      const tokens = await this.issue(user.user_id, user.password_hash, req, ip);
      if (tokens) return { user_id: user.user_id, home_server: this.config.server_name, ...tokens };
      if (attempt === 2) throw Errors.forbidden('Invalid username or password');
    }
  }

  private async issue(userId: string, passwordHash: string, req: LoginRequest, ip: string): Promise<SessionTokens | undefined> {
    if (req.device_id === undefined && !req.refresh_token) {
      return this.deps.sessions.createNewDevice(this.db, userId, passwordHash, { displayName: req.initial_device_display_name, ip });
    }
    return this.db.transaction(async (trx) => {
      if (!(await this.deps.users.credentialsStillCurrent(trx, userId, passwordHash))) return undefined;
      return this.deps.sessions.create(trx, userId, {
        deviceId: req.device_id,
        displayName: req.initial_device_display_name,
        withRefreshToken: req.refresh_token,
        ip,
      });
    });
  }
}
