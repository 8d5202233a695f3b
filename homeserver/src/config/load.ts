// Loads parley.yaml (if any), applies environment overrides, validates with zod.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { configSchema, type Config } from './schema.js';

// The YAML parser loads only when there is a file to read: it is slow to import and start-up counts.
const requireYaml = () => createRequire(import.meta.url)('yaml') as typeof import('yaml');

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface ResolvedConfig extends Config {
  /** Absolute paths derived from data_dir where not set explicitly. */
  paths: { dataDir: string; mediaStore: string; signingKey: string; embeddedPostgres: string };
  public_baseurl: string;
  /** Where the file came from, if any. */
  sourceFile?: string;
}

type Env = Record<string, string | undefined>;

function setPath(obj: Record<string, unknown>, keys: string[], value: unknown): void {
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}

function intFromEnv(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(`environment variable ${name}: expected a port number, got "${value}"`);
  return Number(value);
}

/** Environment variables win over the file, so containers and tests can override anything important. */
export function applyEnv(raw: Record<string, unknown>, env: Env): Record<string, unknown> {
  const out = structuredClone(raw);
  if (env.PARLEY_SERVER_NAME) out.server_name = env.PARLEY_SERVER_NAME;
  if (out.server_name === undefined) out.server_name = 'localhost';
  if (env.PARLEY_DATA_DIR) out.data_dir = env.PARLEY_DATA_DIR;
  if (env.PARLEY_PORT) setPath(out, ['listeners', 'client', 'port'], intFromEnv('PARLEY_PORT', env.PARLEY_PORT));
  if (env.PARLEY_FEDERATION_PORT)
    setPath(out, ['listeners', 'federation', 'port'], intFromEnv('PARLEY_FEDERATION_PORT', env.PARLEY_FEDERATION_PORT));
  if (env.PARLEY_BIND_ADDRESS) {
    setPath(out, ['listeners', 'client', 'bind_address'], env.PARLEY_BIND_ADDRESS);
    setPath(out, ['listeners', 'federation', 'bind_address'], env.PARLEY_BIND_ADDRESS);
  }
  if (env.PARLEY_PUBLIC_BASEURL) out.public_baseurl = env.PARLEY_PUBLIC_BASEURL;
  if (env.PARLEY_REGISTRATION) {
    const mode = env.PARLEY_REGISTRATION;
    if (mode !== 'open' && mode !== 'token' && mode !== 'closed')
      throw new ConfigError(`environment variable PARLEY_REGISTRATION: expected open, token or closed, got "${mode}"`);
    setPath(out, ['registration', 'enabled'], mode !== 'closed');
    setPath(out, ['registration', 'require_token'], mode === 'token');
  }
  if (env.PARLEY_RATE_LIMITS) setPath(out, ['rate_limits', 'enabled'], env.PARLEY_RATE_LIMITS !== 'off');
  if (env.PARLEY_LOG_LEVEL) out.log_level = env.PARLEY_LOG_LEVEL;
  if (env.DATABASE_URL) setPath(out, ['database', 'url'], env.DATABASE_URL);
  if (env.REDIS_URL) out.redis_url = env.REDIS_URL;
  return out;
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const key = i.path.length ? i.path.join('.') : '(top level)';
      return `config key "${key}": ${i.message}`;
    })
    .join('\n');
}

export function validateConfig(raw: Record<string, unknown>, cwd = process.cwd()): ResolvedConfig {
  // Parsed once per process: zod's generated fast path would cost more to compile than it saves.
  const parsed = configSchema.safeParse(raw, { jitless: true });
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error));
  const c = parsed.data;
  const dataDir = path.resolve(cwd, c.data_dir);
  const port = c.listeners.client.port;
  return {
    ...c,
    public_baseurl: (c.public_baseurl ?? `http://${c.server_name === 'localhost' ? 'localhost' : c.server_name}:${port}`).replace(/\/$/, ''),
    paths: {
      dataDir,
      mediaStore: path.resolve(cwd, c.media_store_path ?? path.join(dataDir, 'media')),
      signingKey: path.resolve(cwd, c.signing_key_path ?? path.join(dataDir, 'signing.key')),
      embeddedPostgres: path.resolve(cwd, c.database.embedded_data_dir ?? path.join(dataDir, 'postgres')),
    },
  };
}

export function loadConfig(opts: { file?: string; env?: Env; cwd?: string } = {}): ResolvedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = opts.file ?? env.PARLEY_CONFIG ?? (existsSync(path.join(cwd, 'parley.yaml')) ? path.join(cwd, 'parley.yaml') : undefined);
  let raw: Record<string, unknown> = {};
  if (file) {
    if (!existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
    let doc: unknown;
    try {
      doc = requireYaml().parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`config file ${file} is not valid YAML: ${(e as Error).message}`);
    }
    if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc)))
      throw new ConfigError(`config file ${file} must contain a mapping of keys`);
    raw = (doc ?? {}) as Record<string, unknown>;
  }
  const resolved = validateConfig(applyEnv(raw, env), cwd);
  return file ? { ...resolved, sourceFile: file } : resolved;
}
