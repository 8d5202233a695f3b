// Account creation: client registration behind UIA, admin and CLI registration, first-run token.
// https://spec.matrix.org/v1.19/client-server-api/#account-registration
import { Errors } from '@parley/spec';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/load.js';
import type { Database } from '../db/database.js';
import type { PasswordHasher } from './passwords.js';
import type { RegistrationTokens } from './registration-tokens.js';
import type { SessionService, SessionTokens } from './sessions.js';
import { STAGE, type UserInteractiveAuth } from './uia.js';
import { checkNewLocalpart, randomLocalpart } from './usernames.js';
import type { UserStore } from './users.js';

export interface RegisterRequest {
  auth?: { type?: string; session?: string; [k: string]: unknown };
  username?: string;
  password?: string;
  device_id?: string;
  initial_device_display_name?: string;
  inhibit_login: boolean;
  refresh_token: boolean;
}

export type RegisterResult = { user_id: string; home_server: string } & Partial<SessionTokens>;

export interface NewAccount {
  localpart: string;
  password: string | null;
  admin?: boolean;
  displayname?: string;
  /** Admin tools may create reserved names. */
  allowReserved?: boolean;
}

export class RegistrationService {
  constructor(
    private readonly db: Database,
    private readonly config: ResolvedConfig,
    private readonly deps: {
      users: UserStore;
      passwords: PasswordHasher;
      sessions: SessionService;
      uia: UserInteractiveAuth;
      tokens: RegistrationTokens;
    },
  ) {}

  /** Token-only when the config requires a token; otherwise a dummy stage, or a token if the user has one. */
  flows(): string[][] {
    return this.config.registration.require_token ? [[STAGE.registrationToken]] : [[STAGE.dummy], [STAGE.registrationToken]];
  }

  checkLocalpart(username: string, opts: { allowReserved?: boolean } = {}): string {
    return checkNewLocalpart(username, this.config.server_name, opts);
  }

  async checkAvailable(username: string): Promise<void> {
    const localpart = this.checkLocalpart(username);
    if (await this.deps.users.exists(localpart)) throw Errors.userInUse();
  }

  async register(req: RegisterRequest, ip: string): Promise<RegisterResult> {
    if (!this.config.registration.enabled) throw Errors.forbidden('Registration is disabled');
    const localpart = req.username !== undefined ? this.checkLocalpart(req.username) : undefined;
    if (localpart !== undefined && (await this.deps.users.exists(localpart))) throw Errors.userInUse();

    const auth = await this.deps.uia.authenticate({ operation: 'register', flows: this.flows(), auth: req.auth });
    const passwordHash = req.password !== undefined ? await this.deps.passwords.hash(req.password) : null;
    const result = await this.db.transaction(async (trx) => {
      const { userId } = await this.deps.users.create(trx, { localpart: localpart ?? randomLocalpart(), passwordHash });
      if (auth.registrationToken) await this.deps.tokens.complete(trx, auth.registrationToken);
      const out: RegisterResult = { user_id: userId, home_server: this.config.server_name };
      if (req.inhibit_login) return out;
      const tokens = await this.deps.sessions.create(trx, userId, {
        deviceId: req.device_id,
        displayName: req.initial_device_display_name,
        withRefreshToken: req.refresh_token,
        ip,
      });
      return { ...out, ...tokens };
    });
    await this.deps.uia.finish(auth.session);
    await this.deps.tokens.retireFirstRunToken();
    return result;
  }

  /** Creates an account directly (admin API, CLI), with a first session if asked. */
  async createAccount(account: NewAccount, session?: { deviceDisplayName?: string }): Promise<{ userId: string; admin: boolean; tokens?: SessionTokens }> {
    const localpart = this.checkLocalpart(account.localpart, { allowReserved: account.allowReserved });
    const passwordHash = account.password !== null ? await this.deps.passwords.hash(account.password) : null;
    const result = await this.db.transaction(async (trx) => {
      const created = await this.deps.users.create(trx, { localpart, passwordHash, admin: account.admin, displayname: account.displayname });
      const tokens = session ? await this.deps.sessions.create(trx, created.userId, { displayName: session.deviceDisplayName }) : undefined;
      return { ...created, tokens };
    });
    await this.deps.tokens.retireFirstRunToken();
    return result;
  }

  /**
   * On a server without users, logs (and returns) the one-time token whose holder creates the
   * first account, which becomes an admin.
   */
  async announceFirstRun(log: Logger, print: (text: string) => void): Promise<string | undefined> {
    // Tokens from the config file: unlimited uses, no expiry.
    for (const token of this.config.registration.tokens) await this.deps.tokens.create({ token });
    if (!this.config.registration.enabled) {
      if (!(await this.deps.users.anyExists())) print('Parley has no users yet and registration is closed: create the first admin with `parley register-user --admin <name>`.');
      return undefined;
    }
    const token = await this.deps.tokens.firstRunToken(await this.deps.users.anyExists());
    if (!token) return undefined;
    const link = `${this.config.public_baseurl}/#/register?token=${encodeURIComponent(token)}`;
    log.info('first run: printed a one-time registration token for the first (admin) account');
    print(
      [
        '',
        '  Welcome to Parley. No account exists yet.',
        `  Create the first account (it becomes the server admin) at:`,
        `    ${link}`,
        `  or with any Matrix client and the registration token: ${token}`,
        '',
      ].join('\n'),
    );
    return token;
  }
}
