// Composition root: builds every service and hands them to the API modules.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createLogger } from './logging.js';
import type { ResolvedConfig } from './config/load.js';
import { createDatabase, migrateDatabase, type Database } from './db/database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { createBus, type EventBus } from './bus/index.js';
import { loadOrCreateSigningKey } from './keys/signing-key.js';
import { ApiRouter } from './http/router.js';
import { createApp } from './http/app.js';
import { Metrics } from './http/metrics.js';
import { BucketRateLimiter } from './http/rate-limit.js';
import { docsRoutes } from './http/docs.js';
import { createAccountServices } from './accounts/index.js';
import { createFederationServices } from './federation/index.js';
import { registerModules } from './api/modules.js';
import type { ServerContext, UpgradeHandler } from './context.js';
import { PARLEY_VERSION } from './version.js';

export { createLogger } from './logging.js';

export interface Homeserver {
  /** Base URL of the client listener, e.g. http://127.0.0.1:8008 */
  url: string;
  federationUrl?: string;
  context: ServerContext;
  stop(): Promise<void>;
}

async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

function urlFor(addr: AddressInfo, tls: boolean): string {
  const host = addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  return `${tls ? 'https' : 'http'}://${host}:${addr.port}`;
}

export interface StartOptions {
  log?: Logger;
  /** Check responses against their schemas (tests). */
  validateResponses?: boolean;
  /** An embedded Postgres the caller started (the CLI launches it while the server's code loads). */
  embedded?: EmbeddedDatabase | Promise<EmbeddedDatabase>;
  /** Where to print the first-run banner (default: stdout unless the log level is silent). */
  print?: (text: string) => void;
}

export async function startHomeserver(config: ResolvedConfig, opts: StartOptions = {}): Promise<Homeserver> {
  const log = opts.log ?? createLogger(config.log_level);
  const shutdownTasks: Array<() => Promise<void> | void> = [];
  const upgradeHandlers: UpgradeHandler[] = [];
  const stoppingTasks: Array<() => void> = [];
  const embeddedStarting =
    config.database.url === 'embedded' ? Promise.resolve(opts.embedded ?? startEmbeddedPostgres(config.paths.embeddedPostgres, log)) : undefined;
  let embedded: EmbeddedDatabase | undefined;
  let db: Database | undefined;
  let bus: EventBus | undefined;
  try {
    // The database comes up (and its schema is brought up to date, over a connection of its own)
    // while the rest of the server is built. The pool opens connections only once that is done, so
    // nothing built meanwhile can query an old schema.
    const schemaReady = (async () => {
      embedded = await embeddedStarting;
      const url = embedded?.url ?? config.database.url;
      const applied = await migrateDatabase(url);
      if (applied.length) log.info({ migrations: applied }, 'database migrated');
      return url;
    })();
    schemaReady.catch(() => {}); // awaited before listening
    db = createDatabase(() => schemaReady, { min: config.database.pool_min, max: config.database.pool_max });

    bus = await createBus(config.redis_url);
    const { key: signingKey, created } = loadOrCreateSigningKey(config.paths.signingKey);
    if (created) log.info({ keyId: signingKey.keyId, path: config.paths.signingKey }, 'generated a new signing key');

    const metrics = new Metrics(db);
    const rateLimiter = new BucketRateLimiter(bus.store, config.rate_limits);
    const accounts = createAccountServices({ db, config, rateLimiter, bus });
    const federation = createFederationServices({ config, db, signingKey, log });
    shutdownTasks.push(() => federation.close());
    const context: ServerContext = {
      accounts,
      federation,
      config,
      log,
      db,
      bus,
      signingKey,
      metrics,
      features: { websocket: false },
      onShutdown: (task) => shutdownTasks.push(task),
      onUpgrade: (handler) => upgradeHandlers.push(handler),
      onStopping: (task) => stoppingTasks.push(task),
    };
    const router = new ApiRouter({
      authenticator: accounts.authenticator,
      serverAuthenticator: federation.authenticator,
      rateLimiter,
      maxBodyBytes: config.max_request_body_bytes,
      validateResponses: opts.validateResponses ?? process.env.PARLEY_VALIDATE_RESPONSES === '1',
    });
    const { fallback } = await registerModules(router, context);
    const docs = docsRoutes(() => router.endpoints, () => config.public_baseurl, PARLEY_VERSION);
    const app = createApp({
      router,
      log,
      metrics,
      fallback: async (ctx, next) => {
        if (ctx.path === '/health') {
          await db!.raw('select 1');
          ctx.body = { status: 'ok' };
          return;
        }
        if (ctx.path === '/metrics') {
          ctx.type = metrics.registry.contentType;
          ctx.body = await metrics.registry.metrics();
          return;
        }
        await docs(ctx, async () => {
          if (fallback) await fallback(ctx, next);
        });
      },
    });

    await schemaReady;
    const servers: Server[] = [];
    const makeServer = (tls?: { cert_path: string; key_path: string }) => {
      const handler = app.callback();
      const server = tls
        ? createHttpsServer({ cert: readFileSync(tls.cert_path), key: readFileSync(tls.key_path) }, handler)
        : createHttpServer(handler);
      server.keepAliveTimeout = 65_000;
      server.on('upgrade', (req, socket, head) => {
        if (!upgradeHandlers.some((h) => h(req, socket, head))) socket.destroy();
      });
      servers.push(server);
      return server;
    };
    const client = config.listeners.client;
    const clientAddr = await listen(makeServer(client.tls), client.port, client.bind_address);
    let federationUrl: string | undefined;
    if (config.federation.enabled) {
      const fed = config.listeners.federation;
      const fedAddr = await listen(makeServer(fed.tls), fed.port, fed.bind_address);
      federationUrl = urlFor(fedAddr, !!fed.tls);
    }
    const url = urlFor(clientAddr, !!client.tls);
    // Listening on port 0 (tests, benchmarks): the default public URL can only be known now.
    if (/:0$/.test(config.public_baseurl)) config.public_baseurl = url;
    log.info({ url, federationUrl, serverName: config.server_name }, 'Parley is listening');
    // Koa tests object and stream bodies with `instanceof Response`; on Node 20 the first touch of
    // that global loads Node's fetch implementation (about 20 ms of CPU). Done a moment after the
    // server is up, it neither delays start-up nor lands on an early request.
    setTimeout(() => void globalThis.Response, 1000).unref();
    await accounts.registration.announceFirstRun(log, opts.print ?? ((text) => config.log_level !== 'silent' && process.stdout.write(text + '\n')));

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        log.info('shutting down');
        for (const task of stoppingTasks) task();
        // Stop accepting; in-flight requests finish, idle keep-alive sockets close now.
        const closed = servers.map((s) => new Promise<void>((r) => s.close(() => r())));
        for (const s of servers) s.closeIdleConnections();
        // A connection whose response is finishing right now turns idle a moment later: sweep again.
        const idleSweep = setInterval(() => servers.forEach((s) => s.closeIdleConnections()), 100);
        const forceAfter = setTimeout(() => servers.forEach((s) => s.closeAllConnections()), 10_000);
        await Promise.all(closed);
        clearInterval(idleSweep);
        clearTimeout(forceAfter);
        for (const task of shutdownTasks.reverse()) await Promise.resolve(task()).catch((err) => log.error({ err }, 'shutdown task failed'));
        await bus!.close();
        await db!.destroy();
        if (embedded) await embedded.stop();
        log.info('stopped');
      })());
    return { url, federationUrl, context, stop };
  } catch (err) {
    for (const task of stoppingTasks) task();
    for (const task of shutdownTasks.reverse()) await Promise.resolve(task()).catch(() => {});
    await bus?.close().catch(() => {});
    await db?.destroy().catch(() => {});
    await (await embeddedStarting?.catch(() => undefined))?.stop().catch(() => {});
    throw err;
  }
}
