// Binds the endpoint definitions from @parley/spec to Koa handlers: one helper for every route,
// doing authentication, rate limiting, body/param/query validation and the Matrix error envelope.
import Router from '@koa/router';
import type Koa from 'koa';
import { Errors, MatrixError, type BodyOf, type Endpoint, type ParamsOf, type QueryOf, type ResponseOf } from '@parley/spec';
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

/** The requester of an `auth: 'server'` endpoint: the server whose X-Matrix signature verified. */
export interface ServerRequester {
  origin: string;
}

export interface ServerAuthenticator {
  /** Verifies the request's X-Matrix signatures, or throws 401 M_UNAUTHORIZED. */
  authenticate(request: { method: string; uri: string; authorizations: string[]; content?: unknown }): Promise<ServerRequester>;
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
  requester: E['auth'] extends 'user' ? Requester : E['auth'] extends 'server' ? ServerRequester : Requester | undefined;
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

/** Serialized once: replies that are frozen objects (the same answer every time, e.g. /versions). */
const frozenJson = new WeakMap<object, string>();

/**
 * Serializes the reply here with its type set directly: the same bytes and headers as Koa's JSON
 * handling, without the type lookup and body checks Koa does per response. A frozen reply is
 * taken as constant and serialized once.
 */
function setJsonBody(ctx: Koa.Context, body: unknown): void {
  if (typeof body !== 'object' || body === null || Buffer.isBuffer(body) || typeof (body as { pipe?: unknown }).pipe === 'function') {
    ctx.body = body;
    return;
  }
  if (!ctx.res.hasHeader('Content-Type')) ctx.res.setHeader('Content-Type', 'application/json; charset=utf-8');
  if (!Object.isFrozen(body)) {
    ctx.body = JSON.stringify(body);
    return;
  }
  let json = frozenJson.get(body);
  if (json === undefined) frozenJson.set(body, (json = JSON.stringify(body)));
  ctx.body = json;
}

/** Freezes a reply and everything in it, so that it is served as constant (see setJsonBody). */
export function constantReply<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) constantReply(v);
  return Object.freeze(value);
}

function bucketKey(path: string): string {
  let end = -1;
  for (let i = 0; i < 5; i++) {
    end = path.indexOf('/', end + 1);
    if (end === -1) return path;
  }
  return path.slice(0, end);
}

function toKoaPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

function plainQuery(ctx: Koa.Context): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!ctx.querystring) return out;
  for (const [k, v] of Object.entries(ctx.query)) {
    if (k === 'access_token' || v === undefined) continue;
    out[k] = v;
  }
  return out;
}

export interface ApiRouterDeps {
  authenticator: Authenticator;
  /** Needed by `auth: 'server'` endpoints (federation); without it they answer 401. */
  serverAuthenticator?: ServerAuthenticator;
  rateLimiter: RateLimiter;
  maxBodyBytes: number;
  /** Check every response against its schema (tests turn this on). */
  validateResponses: boolean;
}

type Method = 'get' | 'post' | 'put' | 'delete';

export class ApiRouter {
  /**
   * One @koa/router per path prefix (the first four segments, which never hold a parameter):
   * a request is matched against the few routes of its prefix, not all of them.
   */
  private readonly buckets = new Map<string, Router>();
  /**
   * Routes bound to a prefix whose router is not built yet: it is built on the prefix's first
   * request. Building compiles each route's path to a regular expression, about 7 ms for all
   * of them, which start-up need not wait for.
   */
  private readonly unbuilt = new Map<string, Array<[Method, string, Koa.Middleware]>>();
  /** "METHOD path" → route, for the paths without parameters (/sync, /versions, /login...). */
  private readonly staticRoutes = new Map<string, Router["stack"][number]>();
  readonly endpoints: Endpoint[] = [];

  constructor(private readonly deps: ApiRouterDeps) {}

  bind<E extends Endpoint>(endpoint: E, handler: Handler<E>, options: BindOptions = {}): this {
    this.endpoints.push(endpoint);
    const deps = this.deps;
    const category = options.rateLimit ?? 'default';
    const method = endpoint.method.toLowerCase() as Method;
    this.addRoute(endpoint.path, method, async (ctx) => {
      ctx.state.endpoint = endpoint;
      let requester: Requester | ServerRequester | undefined;
      let rateKey: string | undefined; // ip:<address> unless a requester is known
      let json: unknown = undefined;
      if (endpoint.auth === 'user' || endpoint.auth === 'optional') {
        const token = accessTokenFrom(ctx);
        if (token) {
          const user = await deps.authenticator.authenticate(token);
          requester = user;
          rateKey = user.isAdmin ? '' : `user:${user.userId}`;
        } else if (endpoint.auth === 'user') throw Errors.missingToken();
      } else if (endpoint.auth === 'server') {
        // The signature covers the body: read it first.
        if (endpoint.body) json = await readJsonBody(ctx.req, deps.maxBodyBytes);
        if (!deps.serverAuthenticator) throw new MatrixError(401, 'M_UNAUTHORIZED', 'This server does not accept federation requests');
        const authorization = ctx.req.headersDistinct.authorization ?? [];
        const server = await deps.serverAuthenticator.authenticate({ method: ctx.method, uri: ctx.originalUrl, authorizations: authorization, content: json });
        requester = server;
        rateKey = `server:${server.origin}`;
      }
      if (endpoint.rateLimited && rateKey !== '') await deps.rateLimiter.check(category, rateKey ?? `ip:${ctx.ip}`);
      const params = parseWith(endpoint.params, ctx.params, 'path parameter');
      const query = parseWith(endpoint.query, plainQuery(ctx), 'query parameter');
      let body: unknown = undefined;
      if (endpoint.body) body = parseWith(endpoint.body, endpoint.auth === 'server' ? json : await readJsonBody(ctx.req, deps.maxBodyBytes), 'body');
      const result = await handler({ params, query, body, requester, ctx, ip: ctx.ip } as unknown as HandlerInput<E>);
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
      setJsonBody(ctx, reply.body ?? {});
    });
    return this;
  }

  private addRoute(path: string, method: Method, handler: Koa.Middleware): void {
    const key = bucketKey(path);
    const built = this.buckets.get(key);
    if (built) return void built[method](toKoaPath(path), handler);
    let routes = this.unbuilt.get(key);
    if (!routes) this.unbuilt.set(key, (routes = []));
    routes.push([method, toKoaPath(path), handler]);
  }

  private bucketFor(path: string): Router | undefined {
    const key = bucketKey(path);
    let router = this.buckets.get(key);
    if (router) return router;
    const routes = this.unbuilt.get(key);
    if (!routes) return undefined;
    router = new Router();
    for (const [method, koaPath, handler] of routes) router[method](koaPath, handler);
    this.unbuilt.delete(key);
    this.buckets.set(key, router);
    return router;
  }

  /**
   * Koa middleware dispatching to the routes of the request path's prefix. @koa/router matches the
   * path and extracts its parameters; the one matching route's handler is then called directly,
   * without the middleware chain @koa/router composes per request (every route here is a single
   * handler, and none of its host, prefix or nested-router features are used).
   */
  routes(): Koa.Middleware {
    return (ctx, next) => {
      const path = ctx.path;
      const key = `${ctx.method} ${path}`;
      let layer = this.staticRoutes.get(key);
      if (layer) {
        ctx.params = {};
      } else {
        const router = this.bucketFor(path);
        if (!router) return next();
        // The first route bound for the path and method wins, as in @koa/router's own dispatch.
        layer = router.match(path, ctx.method).pathAndMethod[0];
        if (!layer) return next();
        // Only the route's own spelling (matching ignores case and a trailing slash): a bounded map.
        if (layer.paramNames.length === 0 && layer.path === path) this.staticRoutes.set(key, layer);
        ctx.params = layer.params(path, layer.captures(path));
      }
      return layer.stack[0](ctx as never, next);
    };
  }

  /** Whether some route has this path (with any method), and whether one has this method too. */
  match(path: string, method: string): { path: boolean; route: boolean } {
    const m = this.bucketFor(path)?.match(path, method);
    return { path: !!m && m.path.length > 0, route: !!m?.route };
  }

}
