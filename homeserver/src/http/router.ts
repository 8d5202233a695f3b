// Binds the endpoint definitions from @parley/spec to Koa handlers: one helper for every route,
// doing authentication, rate limiting, body/param/query validation and the Matrix error envelope.
import Router from '@koa/router';
import type Koa from 'koa';
import { Errors, type BodyOf, type Endpoint, type ParamsOf, type QueryOf, type ResponseOf } from '@parley/spec';
import { readJsonBody } from './body.js';
import { parseWith } from './validation.js';

export interface Requester {
  userId: string;
  deviceId: string;
  isGuest: boolean;
  isAdmin: boolean;
  /** Internal id of the access token used (for logout). */
  tokenId: number;
}

export interface Authenticator {
  /** Resolves a token to its user, or throws M_UNKNOWN_TOKEN (soft_logout when expired). */
  authenticate(token: string): Promise<Requester>;
}

export type RateLimitCategory = 'login' | 'register' | 'message' | 'default';

export interface RateLimiter {
  /** Throws M_LIMIT_EXCEEDED when the caller is over its rate. */
  check(category: RateLimitCategory, key: string): Promise<void>;
}

export interface HandlerInput<E extends Endpoint> {
  params: ParamsOf<E>;
  query: QueryOf<E>;
  body: BodyOf<E>;
  /** Present when the endpoint requires auth, or is optional-auth and a token was given. */
  requester: E['auth'] extends 'user' ? Requester : Requester | undefined;
  ctx: Koa.Context;
  ip: string;
}

/** A response with a non-default status or extra headers. */
export class Reply<T> {
  constructor(
    readonly status: number,
    readonly body: T,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** Returned by handlers that wrote `ctx.body` themselves (media, HTML, redirects). */
export const RESPONDED = Symbol('responded');

export type Handler<E extends Endpoint> = (
  input: HandlerInput<E>,
) => Promise<ResponseOf<E> | Reply<ResponseOf<E>> | typeof RESPONDED>;

export interface BindOptions {
  rateLimit?: RateLimitCategory;
}

export function accessTokenFrom(ctx: Koa.Context): string | undefined {
  const header = ctx.get('authorization');
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (m) return m[1];
    return undefined;
  }
  const q = ctx.query.access_token;
  return typeof q === 'string' && q.length > 0 ? q : undefined;
}

function toKoaPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

function plainQuery(ctx: Koa.Context): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(ctx.query)) {
    if (k === 'access_token' || v === undefined) continue;
    out[k] = v;
  }
  return out;
}

export interface ApiRouterDeps {
  authenticator: Authenticator;
  rateLimiter: RateLimiter;
  maxBodyBytes: number;
  /** Check every response against its schema (tests turn this on). */
  validateResponses: boolean;
}

export class ApiRouter {
  readonly koa = new Router();
  readonly endpoints: Endpoint[] = [];

  constructor(private readonly deps: ApiRouterDeps) {}

  bind<E extends Endpoint>(endpoint: E, handler: Handler<E>, options: BindOptions = {}): this {
    this.endpoints.push(endpoint);
    const deps = this.deps;
    const category = options.rateLimit ?? 'default';
    const method = endpoint.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
    this.koa[method](toKoaPath(endpoint.path), async (ctx) => {
      ctx.state.endpoint = endpoint;
      let requester: Requester | undefined;
      if (endpoint.auth === 'user' || endpoint.auth === 'optional') {
        const token = accessTokenFrom(ctx);
        if (token) requester = await deps.authenticator.authenticate(token);
        else if (endpoint.auth === 'user') throw Errors.missingToken();
      }
      if (endpoint.rateLimited && !requester?.isAdmin) {
        await deps.rateLimiter.check(category, requester ? `user:${requester.userId}` : `ip:${ctx.ip}`);
      }
      const params = parseWith(endpoint.params, ctx.params, 'path parameter');
      const query = parseWith(endpoint.query, plainQuery(ctx), 'query parameter');
      let body: unknown = undefined;
      if (endpoint.body) body = parseWith(endpoint.body, await readJsonBody(ctx.req, deps.maxBodyBytes), 'body');
      const result = await handler({ params, query, body, requester, ctx, ip: ctx.ip } as HandlerInput<E>);
      if (result === RESPONDED) return;
      const reply = result instanceof Reply ? result : new Reply(endpoint.status ?? 200, result);
      if (deps.validateResponses && endpoint.response && reply.status < 300) {
        const check = endpoint.response.safeParse(reply.body);
        if (!check.success) {
          throw new Error(
            `response of ${endpoint.operationId} does not match its schema: ${JSON.stringify(check.error.issues.slice(0, 3))}`,
          );
        }
      }
      ctx.status = reply.status;
      for (const [k, v] of Object.entries(reply.headers)) ctx.set(k, v);
      ctx.body = reply.body ?? {};
    });
    return this;
  }
}
