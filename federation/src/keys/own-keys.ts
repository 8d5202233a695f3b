// This server's key response (GET /_matrix/key/v2/server) and its notary signature.
// https://spec.matrix.org/v1.19/server-server-api/#publishing-keys
import { encodeBase64, publicKeyOf, signJson, type CryptoBackend, type federationKeys, type JsonObject } from '@parley/spec';

export interface OwnSigningKey {
  keyId: string;
  seed: Uint8Array;
}

export interface OwnKeysOptions {
  serverName: string;
  key: OwnSigningKey;
  /** How long a published response stays valid. Spec: avoid less than an hour. Default 24 h. */
  validityMs?: number;
  now?: () => number;
  crypto?: CryptoBackend;
}

export class OwnServerKeys {
  private cached: { json: federationKeys.ServerKeysJson; refreshAt: number } | undefined;
  readonly publicKey: string;

  constructor(private readonly opts: OwnKeysOptions) {
    this.publicKey = encodeBase64(publicKeyOf(opts.key.seed, opts.crypto));
  }

  get serverName(): string {
    return this.opts.serverName;
  }

  get keyId(): string {
    return this.opts.key.keyId;
  }

  /** The self-signed response, re-made once half of its validity has passed. */
  response(): federationKeys.ServerKeysJson {
    const now = (this.opts.now ?? Date.now)();
    if (this.cached && now < this.cached.refreshAt) return this.cached.json;
    const validity = this.opts.validityMs ?? 24 * 60 * 60 * 1000;
    const unsigned = {
      server_name: this.opts.serverName,
      verify_keys: { [this.opts.key.keyId]: { key: this.publicKey } },
      old_verify_keys: {},
      valid_until_ts: now + validity,
    };
    const json = this.sign(unsigned) as federationKeys.ServerKeysJson;
    this.cached = { json, refreshAt: now + validity / 2 };
    return json;
  }

  /** Adds this server's signature, keeping the others (notary responses). */
  sign<T extends JsonObject>(object: T): T {
    return signJson(object, this.opts.serverName, this.opts.key.keyId, this.opts.key.seed, this.opts.crypto);
  }
}
