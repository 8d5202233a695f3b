// The `parley` command's subcommands (cli.ts is the entry point).
import { existsSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError, loadConfig } from './config/load.js';
import { generateConfigYaml } from './config/generate.js';
import { createLogger } from './logging.js';
import { PARLEY_VERSION } from './version.js';
import type { Homeserver } from './main.js';
import type { EarlyStart } from './early-start.js';
import type { EmbeddedDatabase } from './db/embedded.js';
import type { Logger } from 'pino';
import { registerCliCommands } from './cli-commands.js';

const program = new Command();
let earlyStart: EarlyStart | undefined;
program
  .name('parley')
  .description('Parley: a Matrix homeserver with an embedded Postgres, a web client and calls')
  .version(PARLEY_VERSION)
  .option('-c, --config <file>', 'configuration file (default: $PARLEY_CONFIG or ./parley.yaml)');

function config() {
  return loadConfig({ file: program.opts<{ config?: string }>().config });
}

export function fail(err: unknown): never {
  if (err instanceof ConfigError) console.error(`parley: configuration error:\n${err.message}`);
  else console.error(`parley: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
}

/** The embedded database; cli.ts may have launched its server already, before this module loaded. */
async function startEmbedded(dataDir: string, log: Logger, early: EarlyStart | undefined): Promise<EmbeddedDatabase> {
  const launched = early?.start(log);
  const { embeddedDatabase, startEmbeddedPostgres } = await import('./db/embedded.js');
  if (!launched) return startEmbeddedPostgres(dataDir, log);
  const { server, password } = await launched;
  return embeddedDatabase(server, password);
}

program
  .command('start')
  .description('start the homeserver')
  .action(async () => {
    // Signals are handled from the first moment: one that arrives during start-up stops the
    // server as soon as it is up, so the embedded Postgres is never left behind.
    let hs: Homeserver | undefined;
    let stopRequested: string | undefined;
    let signals = 0;
    const shutdown = (signal: string) => {
      if (++signals > 1) process.exit(1);
      if (!hs) {
        stopRequested = signal;
        return;
      }
      hs.context.log.info({ signal }, 'signal received');
      hs.stop().then(
        () => process.exit(0),
        (err) => {
          console.error(err);
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    let embedded: Promise<EmbeddedDatabase> | undefined;
    try {
      const cfg = config();
      // The embedded Postgres boots in its own process while the server's modules load. cli.ts may
      // have launched it already, before this module loaded.
      const early = earlyStart?.dataDir === cfg.paths.embeddedPostgres && cfg.database.url === 'embedded' ? earlyStart : undefined;
      if (!early) await earlyStart?.abandon();
      const log = createLogger(cfg.log_level);
      embedded = cfg.database.url === 'embedded' ? startEmbedded(cfg.paths.embeddedPostgres, log, early) : undefined;
      embedded?.catch(() => {});
      try {
        const { startHomeserver } = await import('./main.js');
        hs = await startHomeserver(cfg, { log, embedded });
      } catch (err) {
        await (await embedded?.catch(() => undefined))?.stop();
        throw err;
      }
    } catch (err) {
      await earlyStart?.abandon();
      fail(err);
    }
    if (stopRequested) {
      signals = 0;
      shutdown(stopRequested);
    }
  });

program
  .command('generate-config')
  .description('write a commented configuration file with every key')
  .option('-o, --output <file>', 'where to write it', 'parley.yaml')
  .option('--server-name <name>', 'server_name to put in the file', 'localhost')
  .option('--force', 'overwrite an existing file')
  .action((opts: { output: string; serverName: string; force?: boolean }) => {
    if (opts.output !== '-' && existsSync(opts.output) && !opts.force) fail(new Error(`${opts.output} exists (use --force to overwrite)`));
    const yaml = generateConfigYaml({ serverName: opts.serverName });
    if (opts.output === '-') process.stdout.write(yaml);
    else {
      writeFileSync(opts.output, yaml, { mode: 0o600 });
      console.log(`wrote ${opts.output}`);
    }
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => {
    try {
      const { withDatabase } = await import('./db/with-database.js');
      const { migrate } = await import('./db/database.js');
      const cfg = config();
      await withDatabase(cfg, createLogger(cfg.log_level), async (db) => {
        const applied = await migrate(db);
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      });
    } catch (err) {
      fail(err);
    }
  });

registerCliCommands(program, config);

export async function runCli(argv: string[], early?: EarlyStart): Promise<void> {
  earlyStart = early;
  await program.parseAsync(argv).catch(fail);
}
