// The configuration file's schema. Every key is documented in generate-config.ts.
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);

const listener = z.strictObject({
  port,
  bind_address: z.string().default('0.0.0.0'),
  tls: z
    .strictObject({ cert_path: z.string(), key_path: z.string() })
    .optional(),
});

const rate = z.strictObject({
  /** Requests allowed per second, sustained. */
  per_second: z.number().positive(),
  /** Requests allowed in a burst. */
  burst: z.number().int().positive(),
});

export const configSchema = z.strictObject({
  server_name: z.string().min(1),
  public_baseurl: z.url().optional(),
  data_dir: z.string().default('./data'),
  listeners: z
    .strictObject({
      client: listener.default({ port: 8008, bind_address: '0.0.0.0' }),
      federation: listener.default({ port: 8448, bind_address: '0.0.0.0' }),
    })
    .prefault({}),
  database: z
    .strictObject({
      /** `embedded` runs a private PostgreSQL under data_dir/postgres; otherwise a postgres:// URL. */
      url: z.union([z.literal('embedded'), z.string().regex(/^postgres(ql)?:\/\//, 'must be "embedded" or a postgres:// URL')]).default('embedded'),
      embedded_data_dir: z.string().optional(),
      pool_min: z.number().int().min(0).default(0),
      pool_max: z.number().int().min(1).default(10),
    })
    .prefault({}),
  redis_url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  media_store_path: z.string().optional(),
  signing_key_path: z.string().optional(),
  registration: z
    .strictObject({
      enabled: z.boolean().default(true),
      require_token: z.boolean().default(true),
      shared_secret: z.string().min(16).optional(),
      /** Tokens accepted by m.login.registration_token, besides the first-run token. */
      tokens: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  rate_limits: z
    .strictObject({
      enabled: z.boolean().default(true),
      login: rate.default({ per_second: 0.5, burst: 10 }),
      register: rate.default({ per_second: 0.2, burst: 5 }),
      message: rate.default({ per_second: 10, burst: 50 }),
      default: rate.default({ per_second: 20, burst: 100 }),
    })
    .prefault({}),
  federation: z
    .strictObject({
      enabled: z.boolean().default(true),
      trusted_ca_file: z.string().optional(),
    })
    .prefault({}),
  auth: z
    .strictObject({
      /** Lifetime of access tokens issued with a refresh token, in ms. */
      access_token_lifetime_ms: z.number().int().positive().default(5 * 60 * 1000),
    })
    .prefault({}),
  presence: z
    .strictObject({
      /** An online user who has not synced or acted for this long becomes `unavailable`, in ms. */
      idle_after_ms: z.number().int().positive().default(5 * 60 * 1000),
    })
    .prefault({}),
  max_request_body_bytes: z.number().int().positive().default(1024 * 1024),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
