// Public keys of other servers: from pinned configuration, the cache (memory, then the KeyStore
// shared by every process), or fetched from the server itself and verified before use.
// https://spec.matrix.org/v1.19/server-server-api/#retrieving-server-keys
import { decodeBase64, type CryptoBackend } from '@parley/spec';
import { BoundedCache } from '../cache.js';
import type { KeyStore, StoredServerKey } from '../ports.js';
import type { OwnServerKeys } from './own-keys.js';
import { verifyServerKeyResponse } from './server-keys.js';

export interface KeyRingOptions {
  store: KeyStore;
  /** GETs `/_matrix/key/v2/server` of `serverName` and returns the parsed JSON body. */
  fetchKeys: (serverName: string) => Promise<unknown>;
  own: OwnServerKeys;
  /** {server: {key id: unpadded base64}}: these servers' keys are never fetched. */
  pinned?: Record<string, Record<string, string>>;
  /** A server is asked again for its keys at most this often (unknown or expired key ids). Default 60 s. */
  minRefetchIntervalMs?: number;
  now?: () => number;
  crypto?: CryptoBackend;
  onFetchFailed?: (serverName: string, reason: string) => void;
}

interface Entry {
  keys: Map<string, StoredServerKey>;
  /** When the server was last asked (or the store last read), for rate limiting. */
  lastFetchTs: number;
}

/** `request`: X-Matrix and other current signatures (old_verify_keys never count). `event`: any key valid at the time. */
export type KeyPurpose = 'request' | 'event';

export class KeyRing {
  private readonly entries = new BoundedCache<Entry>(10_000);
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly opts: KeyRingOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The public key `serverName` signs with as `keyId`, if known and valid at `validAt` (default now). */
  async verifyKey(serverName: string, keyId: string, opts: { purpose?: KeyPurpose; validAt?: number } = {}): Promise<Uint8Array | undefined> {
    const own = this.opts.own;
    if (serverName === own.serverName) return keyId === own.keyId ? decodeBase64(own.publicKey) : undefined;
    const pinned = this.opts.pinned?.[serverName];
    if (pinned) return pinned[keyId] === undefined ? undefined : decodeBase64(pinned[keyId]);

    const validAt = opts.validAt ?? this.now();
    const usable = (k: StoredServerKey | undefined) =>
      k !== undefined && k.validUntilTs >= validAt && (opts.purpose === 'event' || k.expiredTs === null) ? decodeBase64(k.publicKey) : undefined;

    const entry = await this.entry(serverName);
    const found = usable(entry.keys.get(keyId));
    if (found) return found;
    if (!(await this.refreshIfDue(serverName, entry))) return undefined;
    return usable((await this.entry(serverName)).keys.get(keyId));
  }

  /**
   * Signed key responses of `serverName` for a notary answer: fetched again when none is valid
   * until `minimumValidUntilTs` or a requested key id is missing (at most once per refetch
   * interval); otherwise (and when the server is down) the last responses received.
   */
  async responses(serverName: string, criteria: { minimumValidUntilTs: number; keyIds?: string[] }): Promise<Array<Record<string, unknown>>> {
    const current = async () => {
      const entry = await this.entry(serverName);
      const distinct = new Set([...entry.keys.values()].map((k) => k.response));
      return { entry, list: [...distinct].map((r) => JSON.parse(r) as Record<string, unknown>) };
    };
    let { entry, list } = await current();
    const fresh = list.some((r) => typeof r.valid_until_ts === 'number' && r.valid_until_ts >= criteria.minimumValidUntilTs);
    const missing = (criteria.keyIds ?? []).some((id) => !entry.keys.has(id));
    if ((!fresh || missing) && (await this.refreshIfDue(serverName, entry))) ({ list } = await current());
    return list;
  }

  /** The memory entry, read from the store on first use. */
  private async entry(serverName: string): Promise<Entry> {
    let entry = this.entries.get(serverName);
    if (!entry) {
      const stored = await this.opts.store.load(serverName);
      entry = { keys: new Map(stored.map((k) => [k.keyId, k])), lastFetchTs: 0 };
      this.entries.set(serverName, entry);
    }
    return entry;
  }

  /** Joins a fetch under way, or starts one unless the last was too recent. True if one ran. */
  private async refreshIfDue(serverName: string, entry: Entry): Promise<boolean> {
    const pending = this.inflight.get(serverName);
    if (pending) await pending;
    else if (this.now() - entry.lastFetchTs >= (this.opts.minRefetchIntervalMs ?? 60_000)) await this.refresh(serverName);
    else return false;
    return true;
  }

  /** Fetches, verifies and stores; one fetch per server at a time. */
  private refresh(serverName: string): Promise<void> {
    let pending = this.inflight.get(serverName);
    if (!pending) {
      pending = this.fetchAndStore(serverName).finally(() => this.inflight.delete(serverName));
      this.inflight.set(serverName, pending);
    }
    return pending;
  }

  private async fetchAndStore(serverName: string): Promise<void> {
    const entry = await this.entry(serverName);
    entry.lastFetchTs = this.now();
    // Another process may have fetched the keys already.
    for (const k of await this.opts.store.load(serverName)) entry.keys.set(k.keyId, k);
    let json: unknown;
    try {
      json = await this.opts.fetchKeys(serverName);
    } catch (err) {
      this.opts.onFetchFailed?.(serverName, (err as Error).message);
      return;
    }
    const check = verifyServerKeyResponse(json, { serverName, now: this.now(), crypto: this.opts.crypto });
    if (!check.ok) {
      this.opts.onFetchFailed?.(serverName, check.reason);
      return;
    }
    await this.opts.store.save(check.keys);
    for (const k of check.keys) entry.keys.set(k.keyId, k);
  }
}
