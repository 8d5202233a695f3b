// Further `parley` subcommands (admin tasks), registered on the main program.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { ResolvedConfig } from './config/load.js';
import { registerMediaCommands } from './media/cli.js';

/** Reads a line from the terminal without echoing it (or plainly from a pipe). */
async function promptHidden(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  const output = rl as unknown as { _writeToOutput?: (s: string) => void };
  process.stderr.write(question);
  if (process.stdin.isTTY) output._writeToOutput = () => {};
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    if (process.stdin.isTTY) process.stderr.write('\n');
  }
}

export function registerCliCommands(program: Command, config: () => ResolvedConfig): void {
  registerMediaCommands(program, config);
  program
    .command('register-user')
    .description('create a user directly in the database (works while registration is closed)')
    .argument('<username>', 'localpart of the new user, e.g. alice')
    .option('-p, --password <password>', 'password (prompted for when omitted)')
    .option('-a, --admin', 'make the user a server admin')
    .action(async (username: string, opts: { password?: string; admin?: boolean }) => {
      const { fail } = await import('./cli-program.js');
      try {
        const cfg = config();
        let password = opts.password;
        if (password === undefined) {
          password = await promptHidden('Password: ');
          if (process.stdin.isTTY && (await promptHidden('Confirm password: ')) !== password) throw new Error('passwords do not match');
        }
        if (!password) throw new Error('the password must not be empty');
        const [{ withDatabase }, { createLogger }, { createAccountServices }, { BucketRateLimiter }, { LocalStore }] = await Promise.all([
          import('./db/with-database.js'),
          import('./main.js'),
          import('./accounts/index.js'),
          import('./http/rate-limit.js'),
          import('./bus/local.js'),
        ]);
        const log = createLogger(cfg.log_level === 'info' ? 'warn' : cfg.log_level);
        await withDatabase(cfg, log, async (db) => {
          const rateLimiter = new BucketRateLimiter(new LocalStore(), cfg.rate_limits);
          const accounts = createAccountServices({ db, config: cfg, rateLimiter });
          const created = await accounts.registration.createAccount({ localpart: username, password: password!, admin: opts.admin, allowReserved: true });
          console.log(`created ${created.userId}${created.admin ? ' (admin)' : ''}`);
        });
      } catch (err) {
        const matrix = err as { errcode?: string; message: string };
        fail(matrix.errcode ? new Error(`${matrix.errcode}: ${matrix.message}`) : err);
      }
    });
}
