// The Koa application: request ids, logging, metrics, CORS, the Matrix error envelope,
// and the 404/405 answers for unknown paths and methods.
import { randomBytes } from 'node:crypto';
import Koa from 'koa';
import type { Logger } from 'pino';
import { Errors, MatrixError } from '@parley/spec';
import type { ApiRouter } from './router.js';
import type { Metrics } from './metrics.js';

// https://spec.matrix.org/v1.19/client-server-api/#web-browser-clients
const CORS_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS'],
  ['Access-Control-Allow-Headers', 'X-Requested-With, Content-Type, Authorization'],
];

/** The client-server API and what Matrix tooling reaches from browsers get the CORS headers. */
function wantsCors(path: string): boolean {
  return path.startsWith('/_matrix/') || path.startsWith('/.well-known/matrix/') || path.startsWith('/_synapse/');
}

export interface AppDeps {
  router: ApiRouter;
  log: Logger;
  metrics: Metrics;
  /** Extra middleware mounted after the API routes (static web client, docs). */
  fallback?: Koa.Middleware;
  /** Trust X-Forwarded-For (behind a reverse proxy). */
  trustProxy?: boolean;
}

function routeOf(ctx: Koa.Context): string {
  const endpoint = ctx.state.endpoint as { path: string } | undefined;
  if (endpoint) return endpoint.path;
  return (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
}

/** Request ids: unique per process start plus a counter (cheaper than random bytes per request). */
function requestIds(): () => string {
  const prefix = randomBytes(3).toString('hex');
  let n = 0;
  return () => `${prefix}${(++n).toString(36).padStart(6, '0')}`;
}

export function createApp(deps: AppDeps): Koa {
  const nextRequestId = requestIds();
  const app = new Koa({ proxy: deps.trustProxy ?? false });
  const { router, log, metrics } = deps;
  // Request lines hold only the fields below (never the URL or a body), so they skip the
  // redaction every other line goes through, which parses its paths and copies for each line.
  const requestLog = log.child({}, { redact: [] });

  app.use(async (ctx, next) => {
    const started = performance.now();
    const requestId = nextRequestId();
    ctx.state.requestId = requestId;
    // Headers go to Node directly: Koa's ctx.set normalizes and allocates per call.
    ctx.res.setHeader('X-Request-Id', requestId);
    try {
      if (wantsCors(ctx.path)) {
        for (const [name, value] of CORS_HEADERS) ctx.res.setHeader(name, value);
        if (ctx.method === 'OPTIONS') {
          ctx.status = 204;
          return;
        }
      }
      await next();
    } catch (err) {
      const matrix = toMatrixError(err);
      if (matrix.status >= 500) {
        log.error({ err, reqId: requestId, route: routeOf(ctx) }, 'request failed');
        matrix.extra.request_id = requestId;
      }
      ctx.status = matrix.status;
      for (const [k, v] of Object.entries(matrix.headers)) ctx.set(k, v);
      ctx.body = matrix.toJSON();
    } finally {
      const ms = performance.now() - started;
      const route = routeOf(ctx);
      metrics.requests.record(ctx.method, route, ctx.status, ms / 1000);
      // Never the raw URL: its query string may carry an access token.
      requestLog.info({ reqId: requestId, method: ctx.method, route, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request');
    }
  });

  app.use(router.routes());

  app.use(async (ctx, next) => {
    if (ctx.status !== 404 || ctx.body !== undefined) return;
    if (deps.fallback) {
      await deps.fallback(ctx, next);
      if (ctx.body !== undefined || ctx.status !== 404) return;
    }
    const match = router.match(ctx.path, ctx.method);
    if (match.path && !match.route) throw Errors.unrecognized('Unrecognized request: method not allowed', 405);
    throw Errors.unrecognized('Unrecognized request', 404);
  });

  return app;
}

export function toMatrixError(err: unknown): MatrixError {
  if (err instanceof MatrixError) return err;
  const status = (err as { status?: number; expose?: boolean }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return Errors.tooLarge();
    return new MatrixError(status, 'M_UNKNOWN', (err as Error).message ?? 'Bad request');
  }
  return Errors.unknown('Internal server error');
}
