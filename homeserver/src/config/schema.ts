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

const MB = 1024 * 1024;

const thumbnailSize = z.strictObject({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  method: z.enum(['crop', 'scale']),
});

/** The content repository: https://spec.matrix.org/v1.19/client-server-api/#content-repository */
const mediaConfig = z.strictObject({
  /** Largest upload of any type, in bytes (advertised as m.upload.size). */
  max_upload_bytes: z.number().int().positive().default(50 * MB),
  /** Largest upload of an image (declared or sniffed image/*), in bytes. */
  max_image_upload_bytes: z.number().int().positive().default(10 * MB),
  /** Total bytes of local media one user may own; 0 means no quota. */
  user_quota_bytes: z.number().int().min(0).default(1024 * MB),
  /** Pending asynchronous uploads (POST /_matrix/media/v1/create) one user may hold. */
  max_pending_uploads: z.number().int().positive().default(10),
  /** How long an mxc:// URI from /create waits for its bytes, in ms. */
  unused_upload_expiry_ms: z.number().int().positive().default(24 * 60 * 60 * 1000),
  /** Longest a download waits for an asynchronous upload to arrive, in ms (caps timeout_ms). */
  max_download_wait_ms: z.number().int().min(0).default(60_000),
  /**
   * The freeze of unauthenticated media (spec v1.11): media created at or after this time (ms since
   * the epoch) is not served by the legacy /_matrix/media/v3/download|thumbnail. 0 freezes all; null serves all.
   */
  unauthenticated_frozen_after_ts: z.number().int().min(0).nullable().default(0),
  thumbnails: z
    .strictObject({
      /** Sizes generated after each image upload; requests get the smallest size at least as large. */
      sizes: z.array(thumbnailSize).default([
        { width: 32, height: 32, method: 'crop' },
        { width: 96, height: 96, method: 'crop' },
        { width: 320, height: 240, method: 'scale' },
        { width: 640, height: 480, method: 'scale' },
        { width: 800, height: 600, method: 'scale' },
      ]),
      precompute: z.boolean().default(true),
      /** Requests larger than every configured size are generated on demand up to this side length. */
      max_dynamic_side: z.number().int().positive().default(1600),
      /** Images larger than this many bytes or pixels are not thumbnailed (413 M_TOO_LARGE). */
      max_source_bytes: z.number().int().positive().default(50 * MB),
      max_source_pixels: z.number().int().positive().default(100_000_000),
    })
    .prefault({}),
  url_preview: z
    .strictObject({
      enabled: z.boolean().default(true),
      max_bytes: z.number().int().positive().default(10 * MB),
      timeout_ms: z.number().int().positive().default(10_000),
      cache_ms: z.number().int().min(0).default(60 * 60 * 1000),
      /** CIDR ranges previews may reach even though they are private (e.g. an intranet wiki). */
      ip_range_allowlist: z.array(z.string()).default([]),
      /** CIDR ranges refused in addition to the built-in private, loopback and link-local ones. */
      ip_range_denylist: z.array(z.string()).default([]),
      /** Host names (or `*.suffix`) never previewed. */
      host_denylist: z.array(z.string()).default([]),
    })
    .prefault({}),
  remote: z
    .strictObject({
      enabled: z.boolean().default(true),
      max_bytes: z.number().int().positive().default(50 * MB),
      timeout_ms: z.number().int().positive().default(20_000),
      /** Deprecated alias of federation.resolve_overrides. */
      base_urls: z.record(z.string(), z.url()).default({}),
      /** Deprecated alias of federation.trusted_keys. */
      trusted_keys: z.record(z.string(), z.record(z.string(), z.string())).default({}),
    })
    .prefault({}),
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
  media: mediaConfig.prefault({}),
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
      /** PEM file of extra CAs trusted for outbound federation TLS (besides the system's). */
      trusted_ca_file: z.string().optional(),
      /** Base URLs for server names, bypassing discovery (tests, private federations). */
      resolve_overrides: z.record(z.string(), z.url()).default({}),
      /** Pinned ed25519 keys ({server: {key id: unpadded base64}}): these servers' keys are never fetched. */
      trusted_keys: z.record(z.string(), z.record(z.string(), z.string())).default({}),
      /** A server is asked for its keys again (unknown or expired key id) at most this often, in ms. */
      key_refetch_interval_ms: z.number().int().min(0).default(60_000),
      /** Time limit of outbound requests (key fetches, .well-known), in ms. */
      request_timeout_ms: z.number().int().positive().default(10_000),
      /** CIDR ranges discovery may reach even though they are private (private federations). */
      ip_range_allowlist: z.array(z.string()).default([]),
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
  user_directory: z
    .strictObject({
      /** Search every local user, not only those sharing a room with the searcher or in public rooms. */
      search_all_users: z.boolean().default(false),
    })
    .prefault({}),
  max_request_body_bytes: z.number().int().positive().default(1024 * 1024),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
