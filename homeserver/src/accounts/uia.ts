// User-interactive authentication with sessions in Postgres (they survive restarts and are shared
// between processes): https://spec.matrix.org/v1.19/client-server-api/#user-interactive-authentication-api
import { randomBytes } from 'node:crypto';
import { MatrixError, type MatrixErrorBody } from '@parley/spec';
import type { Database } from '../db/database.js';
import type { PasswordHasher } from './passwords.js';
import type { RegistrationTokens } from './registration-tokens.js';
import { localpartOf } from './usernames.js';
import type { UserStore } from './users.js';

export const STAGE = {
  dummy: 'm.login.dummy',
  password: 'm.login.password',
  registrationToken: 'm.login.registration_token',
} as const;

/** Sessions older than this are forgotten (and their reserved registration tokens released). */
const SESSION_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** The 401 answer listing flows. Its body has `errcode` only when a stage just failed. */
export class UiaChallenge extends MatrixError {
  constructor(private readonly body: Record<string, unknown>) {
    super(401, (body.errcode as string | undefined) ?? 'M_UNAUTHORIZED', (body.error as string | undefined) ?? 'Authentication required', {});
    this.name = 'UiaChallenge';
  }

  override toJSON(): MatrixErrorBody {
    return this.body as unknown as MatrixErrorBody;
  }
}

export interface UiaRequest {
  /** What is being authorised: sessions of one operation cannot be used for another. */
  operation: string;
  /** The authenticated user, for everything but registration. */
  userId?: string;
  flows: string[][];
  auth: { type?: string; session?: string; [k: string]: unknown } | undefined;
}

export interface UiaResult {
  session: string;
  /** Registration token reserved by this session, to be completed with the registration. */
  registrationToken?: string;
}

interface SessionRow {
  session_id: string;
  operation: string;
  user_id: string | null;
  completed: string[];
  registration_token: string | null;
  created_ts: number;
}

export class UserInteractiveAuth {
  constructor(
    private readonly db: Database,
    private readonly deps: { passwords: PasswordHasher; users: UserStore; tokens: RegistrationTokens; serverName: string },
  ) {}

  /** Resolves when a flow is complete; otherwise throws the 401 challenge (or a stage's error). */
  async authenticate(req: UiaRequest): Promise<UiaResult> {
    const session = await this.sessionFor(req);
    const challenge = (extra: Record<string, unknown> = {}) =>
      new UiaChallenge({
        flows: req.flows.map((stages) => ({ stages })),
        params: {},
        session: session.session_id,
        ...(session.completed.length ? { completed: session.completed } : {}),
        ...extra,
      });

    const type = req.auth?.type;
    if (type !== undefined && !session.completed.includes(type)) {
      if (!req.flows.some((f) => f.includes(type))) {
        throw challenge({ errcode: 'M_UNRECOGNIZED', error: `Authentication type ${type} is not offered here` });
      }
      const failure = await this.attemptStage(session, type, req);
      if (failure) throw challenge(failure);
      session.completed.push(type);
      await this.db('uia_sessions')
        .where({ session_id: session.session_id })
        .update({ completed: JSON.stringify(session.completed), registration_token: session.registration_token });
    }
    if (!req.flows.some((flow) => flow.every((stage) => session.completed.includes(stage)))) throw challenge();
    return { session: session.session_id, registrationToken: session.registration_token ?? undefined };
  }

  /** Forgets a session whose operation succeeded. */
  async finish(sessionId: string): Promise<void> {
    await this.db('uia_sessions').where({ session_id: sessionId }).delete();
  }

  private async sessionFor(req: UiaRequest): Promise<SessionRow> {
    const id = req.auth?.session;
    if (id !== undefined) {
      const row: SessionRow | undefined = await this.db('uia_sessions').where({ session_id: id }).first();
      if (!row || row.created_ts < Date.now() - SESSION_LIFETIME_MS) throw new MatrixError(400, 'M_UNKNOWN', 'Unknown session');
      if (row.operation !== req.operation || row.user_id !== (req.userId ?? null))
        throw new MatrixError(403, 'M_FORBIDDEN', 'This session was started for a different request');
      return row;
    }
    await this.expireOldSessions();
    const row: SessionRow = {
      session_id: randomBytes(18).toString('base64url'),
      operation: req.operation,
      user_id: req.userId ?? null,
      completed: [],
      registration_token: null,
      created_ts: Date.now(),
    };
    await this.db('uia_sessions').insert({ ...row, completed: '[]' });
    return row;
  }

  /** Returns the error to put in the challenge, or undefined on success. */
  private async attemptStage(session: SessionRow, type: string, req: UiaRequest): Promise<{ errcode: string; error: string } | undefined> {
    const auth = req.auth ?? {};
    switch (type) {
      case STAGE.dummy:
        return undefined;
      case STAGE.registrationToken: {
        const token = auth.token;
        if (typeof token !== 'string') return { errcode: 'M_MISSING_PARAM', error: 'Missing token' };
        if (session.registration_token === token) return undefined;
        if (!(await this.deps.tokens.reserve(this.db, token))) return { errcode: 'M_FORBIDDEN', error: 'Invalid registration token' };
        if (session.registration_token) await this.deps.tokens.release(this.db, session.registration_token);
        session.registration_token = token;
        return undefined;
      }
      case STAGE.password: {
        const identifier = auth.identifier as { type?: string; user?: unknown } | undefined;
        const user = identifier?.type === 'm.id.user' ? identifier.user : auth.user;
        const password = auth.password;
        if (typeof password !== 'string') return { errcode: 'M_MISSING_PARAM', error: 'Missing password' };
        const row = req.userId ? await this.deps.users.byId(req.userId) : undefined;
        const claimed = typeof user === 'string' ? localpartOf(user, this.deps.serverName) : row?.localpart;
        const ok = await this.deps.passwords.verify(row?.password_hash, password);
        if (!ok || !row || claimed !== row.localpart) return { errcode: 'M_FORBIDDEN', error: 'Invalid password' };
        return undefined;
      }
      default:
        return { errcode: 'M_UNRECOGNIZED', error: `Unknown authentication type ${type}` };
    }
  }

  private async expireOldSessions(): Promise<void> {
    const cutoff = Date.now() - SESSION_LIFETIME_MS;
    const old: Array<{ registration_token: string | null }> = await this.db('uia_sessions')
      .where('created_ts', '<', cutoff)
      .delete()
      .returning('registration_token');
    for (const { registration_token } of old) if (registration_token) await this.deps.tokens.release(this.db, registration_token);
  }
}
