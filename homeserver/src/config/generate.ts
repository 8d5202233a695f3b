// `parley generate-config`: a commented parley.yaml with every key and its default.
import { randomBytes } from 'node:crypto';

export function generateConfigYaml(opts: { serverName?: string; port?: number } = {}): string {
  const serverName = opts.serverName ?? 'localhost';
  const port = opts.port ?? 8008;
  const secret = randomBytes(24).toString('base64url');
  return `# Parley configuration. Environment variables override these keys:
# PARLEY_SERVER_NAME, PARLEY_DATA_DIR, PARLEY_PORT, PARLEY_FEDERATION_PORT,
# PARLEY_REGISTRATION (open | token | closed), DATABASE_URL, REDIS_URL, PARLEY_LOG_LEVEL.

# The domain in your users' IDs (@alice:${serverName}). Cannot change after the first start.
server_name: ${serverName}

# The URL clients use to reach this server (used in /.well-known and links).
# Defaults to http://<server_name>:<client port>.
# public_baseurl: https://${serverName === 'localhost' ? 'matrix.example.com' : serverName}

# Home of the embedded database, media and signing key unless set below.
data_dir: ./data

listeners:
  client:
    port: ${port}
    bind_address: 0.0.0.0
    # tls:
    #   cert_path: /etc/parley/fullchain.pem
    #   key_path: /etc/parley/privkey.pem
  federation:
    port: 8448
    bind_address: 0.0.0.0

database:
  # "embedded" runs a private PostgreSQL under <data_dir>/postgres, started and stopped by Parley.
  # Or a URL: postgres://user:password@host:5432/parley (DATABASE_URL wins over this key).
  url: embedded
  # embedded_data_dir: ./data/postgres
  pool_min: 0
  pool_max: 10

# Redis for several Parley processes sharing one database (wake-ups, typing, rate limits).
# redis_url: redis://127.0.0.1:6379

# media_store_path: ./data/media
# The content repository (uploads, downloads, thumbnails, URL previews, remote media).
media:
  max_upload_bytes: 52428800        # 50 MB, advertised to clients as m.upload.size
  max_image_upload_bytes: 10485760  # 10 MB for images
  user_quota_bytes: 1073741824      # per user; 0 = no quota
  max_pending_uploads: 10           # asynchronous uploads (POST /_matrix/media/v1/create) per user
  unused_upload_expiry_ms: 86400000
  max_download_wait_ms: 60000
  # Media created at or after this time (ms since the epoch) is not served by the deprecated
  # unauthenticated /_matrix/media/v3/download|thumbnail. 0 freezes everything; null serves everything.
  unauthenticated_frozen_after_ts: 0
  thumbnails:
    precompute: true
    sizes:
      - { width: 32, height: 32, method: crop }
      - { width: 96, height: 96, method: crop }
      - { width: 320, height: 240, method: scale }
      - { width: 640, height: 480, method: scale }
      - { width: 800, height: 600, method: scale }
    max_dynamic_side: 1600
    max_source_bytes: 52428800
    max_source_pixels: 100000000
  url_preview:
    enabled: true
    max_bytes: 10485760
    timeout_ms: 10000
    cache_ms: 3600000
    # Private, loopback and link-local addresses are always refused unless allowed here (CIDR).
    ip_range_allowlist: []
    ip_range_denylist: []
    host_denylist: []
  remote:
    enabled: true
    max_bytes: 52428800
    timeout_ms: 20000
# Ed25519 signing key (Synapse's format); generated on first start if missing.
# signing_key_path: ./data/signing.key

registration:
  enabled: true
  # When true, new accounts need a registration token (m.login.registration_token).
  require_token: true
  # Extra registration tokens accepted besides the one printed at first start.
  tokens: []
  # Shared secret for /_synapse/admin/v1/register (synapse's register_new_matrix_user works with it).
  shared_secret: ${secret}

rate_limits:
  enabled: true
  login: { per_second: 0.5, burst: 10 }
  register: { per_second: 0.2, burst: 5 }
  message: { per_second: 10, burst: 50 }
  default: { per_second: 20, burst: 100 }

federation:
  enabled: true
  # PEM file with extra CAs trusted for outbound federation TLS.
  # trusted_ca_file: /etc/parley/extra-ca.pem
  # Where to reach servers without discovery (.well-known, SRV), e.g. a private federation.
  # resolve_overrides: { other.example: "https://10.1.2.3:8448" }
  # Pinned keys: these servers' keys are used as given and never fetched.
  # trusted_keys: { other.example: { "ed25519:a_xyz": "<unpadded base64 public key>" } }
  # Discovered addresses in private, loopback and link-local ranges are refused unless allowed here (CIDR).
  ip_range_allowlist: []
  key_refetch_interval_ms: 60000
  request_timeout_ms: 10000

auth:
  # Lifetime of access tokens that come with a refresh token (ms).
  access_token_lifetime_ms: 300000

presence:
  # An online user who has not synced for this long shows as unavailable (ms).
  idle_after_ms: 300000

user_directory:
  # Search every local user, not only those sharing a room with the searcher or in public rooms.
  search_all_users: false

# Largest JSON request body accepted (bytes).
max_request_body_bytes: 1048576

# fatal | error | warn | info | debug | trace | silent
log_level: info
`;
}
