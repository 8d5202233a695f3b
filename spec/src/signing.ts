// Signing JSON and checking signatures; signing keys and Synapse's signing key file.
// https://spec.matrix.org/v1.19/appendices/#signing-json
// https://spec.matrix.org/v1.19/appendices/#checking-for-a-signature
import { decodeBase64, encodeBase64, tryDecodeBase64 } from './base64.js';
import { canonicalJsonBytes, type CanonicalJsonOptions } from './canonical-json.js';
import { defaultCrypto, type CryptoBackend } from './crypto.js';
import type { JsonObject } from './events.js';

export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

export type Signatures = Record<string, Record<string, string>>;

/** A signing key of this server: id `ed25519:<version>` and the 32-byte seed. */
export interface SigningKey {
  keyId: string;
  seed: Uint8Array;
}

/** `algorithm:version` where the version is `[a-zA-Z0-9_]+`. https://spec.matrix.org/v1.19/server-server-api/#publishing-keys */
const KEY_ID = /^([a-z0-9_.-]+):([a-zA-Z0-9_]+)$/;

export function parseKeyId(keyId: string): { algorithm: string; version: string } | undefined {
  const m = typeof keyId === 'string' ? KEY_ID.exec(keyId) : null;
  return m === null ? undefined : { algorithm: m[1], version: m[2] };
}

export function isEd25519KeyId(keyId: string): boolean {
  return parseKeyId(keyId)?.algorithm === 'ed25519';
}

/** The object without `signatures` and `unsigned`: what a signature covers. */
export function signablePart(object: JsonObject): JsonObject {
  if (!('signatures' in object) && !('unsigned' in object)) return object;
  const { signatures: _s, unsigned: _u, ...rest } = object;
  return rest;
}

export function signBytes(bytes: Uint8Array, seed: Uint8Array, crypto: CryptoBackend = defaultCrypto()): string {
  return encodeBase64(crypto.ed25519.sign(seed, bytes));
}

/** The unpadded base64 signature of `object` (minus `signatures`/`unsigned`). */
export function signatureFor(object: JsonObject, seed: Uint8Array, crypto?: CryptoBackend, options?: CanonicalJsonOptions): string {
  return signBytes(canonicalJsonBytes(signablePart(object), options), seed, crypto);
}

/** Adds one signature to a copy of `signatures`, keeping those already there. */
export function withSignature(signatures: unknown, entity: string, keyId: string, signature: string): Signatures {
  const existing = isSignatures(signatures) ? signatures : {};
  return { ...existing, [entity]: { ...existing[entity], [keyId]: signature } };
}

/**
 * Returns a signed copy of `object`: existing signatures (of any entity) and `unsigned`
 * are kept and not covered by the signature.
 */
export function signJson<T extends JsonObject>(
  object: T,
  entity: string,
  keyId: string,
  seed: Uint8Array,
  crypto?: CryptoBackend,
): T & { signatures: Signatures } {
  const signature = signatureFor(object, seed, crypto);
  return { ...object, signatures: withSignature(object.signatures, entity, keyId, signature) };
}

// ---------------------------------------------------------------------------------------
// Verification

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: 'missing_signature' | 'malformed_signature' | 'bad_signature' | 'unencodable'; detail: string };

function isSignatures(value: unknown): value is Signatures {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const perEntity of Object.values(value)) {
    if (typeof perEntity !== 'object' || perEntity === null || Array.isArray(perEntity)) return false;
    for (const sig of Object.values(perEntity)) if (typeof sig !== 'string') return false;
  }
  return true;
}

/** Canonical bytes covered by the signatures, or undefined if `object` has no canonical form. */
export function signedBytes(object: JsonObject, options?: CanonicalJsonOptions): Uint8Array | undefined {
  try {
    return canonicalJsonBytes(signablePart(object), options);
  } catch {
    return undefined;
  }
}

/** Checks one signature (entity + key id) against a known public key. Never throws. */
export function verifyJsonSignature(
  object: JsonObject,
  entity: string,
  keyId: string,
  publicKey: Uint8Array,
  crypto: CryptoBackend = defaultCrypto(),
  options?: CanonicalJsonOptions & { bytes?: Uint8Array },
): SignatureCheck {
  const signatures = object?.signatures;
  const encoded = isSignatures(signatures) ? signatures[entity]?.[keyId] : undefined;
  if (typeof encoded !== 'string') return { ok: false, reason: 'missing_signature', detail: `no signature by ${entity} with ${keyId}` };
  const signature = tryDecodeBase64(encoded);
  if (signature === undefined) return { ok: false, reason: 'malformed_signature', detail: `${entity} ${keyId}: not base64` };
  const bytes = options?.bytes ?? signedBytes(object, options);
  if (bytes === undefined) return { ok: false, reason: 'unencodable', detail: 'object has no canonical JSON form' };
  return crypto.ed25519.verify(publicKey, bytes, signature)
    ? { ok: true }
    : { ok: false, reason: 'bad_signature', detail: `signature by ${entity} with ${keyId} does not verify` };
}

/** A public key known for an entity, with the end of its validity if known. */
export interface VerifyKey {
  key: Uint8Array;
  /** Last `origin_server_ts` for which the key may sign events (v5+). */
  validUntilTs?: number;
}

export type VerifyKeyLookup = (entity: string, keyId: string) => VerifyKey | Uint8Array | undefined;

export type EntitySignatureCheck =
  | { ok: true; keyId: string }
  | { ok: false; reason: 'missing_signature' | 'unknown_key' | 'expired_key' | 'malformed_signature' | 'bad_signature' | 'unencodable'; detail: string };

/**
 * Passes if `entity` signed `object` with at least one ed25519 key that `lookup` knows and
 * that verifies (https://spec.matrix.org/v1.19/appendices/#checking-for-a-signature).
 * `atTs`: reject keys whose `validUntilTs` is before it (room versions 5+).
 */
export function verifyEntitySignature(
  object: JsonObject,
  entity: string,
  lookup: VerifyKeyLookup,
  options: CanonicalJsonOptions & { crypto?: CryptoBackend; atTs?: number; bytes?: Uint8Array } = {},
): EntitySignatureCheck {
  const signatures = object?.signatures;
  const ofEntity = isSignatures(signatures) ? signatures[entity] : undefined;
  const keyIds = ofEntity === undefined ? [] : Object.keys(ofEntity).filter(isEd25519KeyId);
  if (keyIds.length === 0) return { ok: false, reason: 'missing_signature', detail: `no ed25519 signature by ${entity}` };
  const crypto = options.crypto ?? defaultCrypto();
  let failure: EntitySignatureCheck = { ok: false, reason: 'unknown_key', detail: `no known key of ${entity} among ${keyIds.join(', ')}` };
  let bytes = options.bytes;
  for (const keyId of keyIds) {
    const found = lookup(entity, keyId);
    if (found === undefined) continue;
    const key = found instanceof Uint8Array ? { key: found } : found;
    if (options.atTs !== undefined && key.validUntilTs !== undefined && key.validUntilTs < options.atTs) {
      failure = { ok: false, reason: 'expired_key', detail: `${entity} ${keyId} expired at ${key.validUntilTs}` };
      continue;
    }
    bytes ??= signedBytes(object, options);
    if (bytes === undefined) return { ok: false, reason: 'unencodable', detail: 'object has no canonical JSON form' };
    const check = verifyJsonSignature(object, entity, keyId, key.key, crypto, { bytes });
    if (check.ok) return { ok: true, keyId };
    failure = check;
  }
  return failure;
}

/**
 * Checks that every entity in `entities` signed `object`; the first failure wins.
 * `bytes`: what the signatures cover, if not `object` minus `signatures`/`unsigned` (events: the redacted form).
 */
export function verifyJsonSignatures(
  object: JsonObject,
  entities: readonly string[],
  lookup: VerifyKeyLookup,
  options: CanonicalJsonOptions & { crypto?: CryptoBackend; atTs?: number; bytes?: Uint8Array } = {},
): { ok: true } | (Extract<EntitySignatureCheck, { ok: false }> & { entity: string }) {
  const bytes = options.bytes ?? signedBytes(object, options);
  if (bytes === undefined) return { ok: false, reason: 'unencodable', detail: 'object has no canonical JSON form', entity: entities[0] ?? '' };
  for (const entity of entities) {
    const check = verifyEntitySignature(object, entity, lookup, { ...options, bytes });
    if (!check.ok) return { ...check, entity };
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------
// Keys

export function publicKeyOf(seed: Uint8Array, crypto: CryptoBackend = defaultCrypto()): Uint8Array {
  return crypto.ed25519.publicKey(seed);
}

/** The unpadded base64 form used in `verify_keys`. */
export function encodePublicKey(publicKey: Uint8Array): string {
  return encodeBase64(publicKey);
}

/**
 * Synapse's signing key file: one key per line, `ed25519 <version> <unpadded base64 seed>`.
 * Throws `SigningKeyError` on a malformed line.
 */
export function parseSigningKeyFile(text: string): SigningKey[] {
  const keys: SigningKey[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const fields = line.split(/\s+/);
    if (fields.length !== 3) throw new SigningKeyError(`line ${index + 1}: expected "<algorithm> <version> <seed>"`);
    const [algorithm, version, seedText] = fields;
    const keyId = `${algorithm}:${version}`;
    if (algorithm !== 'ed25519' || !isEd25519KeyId(keyId)) throw new SigningKeyError(`line ${index + 1}: unsupported key ${keyId}`);
    let seed: Uint8Array;
    try {
      seed = decodeBase64(seedText);
    } catch {
      throw new SigningKeyError(`line ${index + 1}: seed is not base64`);
    }
    if (seed.length !== 32) throw new SigningKeyError(`line ${index + 1}: seed has ${seed.length} bytes, expected 32`);
    keys.push({ keyId, seed });
  }
  return keys;
}

export function serializeSigningKeyFile(keys: readonly SigningKey[]): string {
  return keys
    .map((key) => {
      const id = parseKeyId(key.keyId);
      if (id === undefined || key.seed.length !== 32) throw new SigningKeyError(`cannot write key ${key.keyId}`);
      return `${id.algorithm} ${id.version} ${encodeBase64(key.seed)}\n`;
    })
    .join('');
}

/** A new key from 32 random bytes (supplied by the caller, e.g. crypto.getRandomValues). */
export function signingKeyFromSeed(version: string, seed: Uint8Array): SigningKey {
  const keyId = `ed25519:${version}`;
  if (!isEd25519KeyId(keyId)) throw new SigningKeyError(`invalid key version ${JSON.stringify(version)}`);
  if (seed.length !== 32) throw new SigningKeyError(`seed has ${seed.length} bytes, expected 32`);
  return { keyId, seed };
}
