// Checking a server's key response: https://spec.matrix.org/v1.19/server-server-api/#retrieving-server-keys
// The response must name the server asked about and carry that server's signature by a key it lists.
import { decodeBase64, federationKeys, isEd25519KeyId, tryDecodeBase64, verifyJsonSignature, type CryptoBackend, type JsonObject } from '@parley/spec';
import type { StoredServerKey } from '../ports.js';

/** Spec: use the lesser of `valid_until_ts` and 7 days into the future. */
export const MAX_KEY_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

export type KeyResponseCheck = { ok: true; keys: StoredServerKey[]; validUntilTs: number } | { ok: false; reason: string };

function publicKey(encoded: string): Uint8Array | undefined {
  const key = tryDecodeBase64(encoded);
  return key?.length === 32 ? key : undefined;
}

export function verifyServerKeyResponse(
  json: unknown,
  opts: { serverName: string; now: number; crypto?: CryptoBackend },
): KeyResponseCheck {
  const parsed = federationKeys.ServerKeys.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `malformed key response: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  const body = parsed.data;
  if (body.server_name !== opts.serverName) return { ok: false, reason: `response is for ${body.server_name}, not ${opts.serverName}` };

  const current = new Map<string, string>();
  for (const [keyId, { key }] of Object.entries(body.verify_keys)) {
    if (!isEd25519KeyId(keyId)) continue;
    if (publicKey(key) === undefined) return { ok: false, reason: `${keyId} is not a 32-byte unpadded base64 key` };
    current.set(keyId, key);
  }
  const signedWith = Object.keys(body.signatures[opts.serverName] ?? {}).filter((id) => current.has(id));
  if (signedWith.length === 0) return { ok: false, reason: `not signed by ${opts.serverName} with any key it lists` };
  for (const keyId of signedWith) {
    const check = verifyJsonSignature(json as JsonObject, opts.serverName, keyId, decodeBase64(current.get(keyId)!), opts.crypto);
    if (!check.ok) return { ok: false, reason: check.detail };
  }

  const validUntilTs = Math.min(body.valid_until_ts, opts.now + MAX_KEY_VALIDITY_MS);
  const response = JSON.stringify(json);
  const base = { serverName: opts.serverName, fetchedTs: opts.now, response };
  const keys: StoredServerKey[] = [...current].map(([keyId, key]) => ({ ...base, keyId, publicKey: key, validUntilTs, expiredTs: null }));
  for (const [keyId, old] of Object.entries(body.old_verify_keys ?? {})) {
    if (current.has(keyId) || !isEd25519KeyId(keyId) || publicKey(old.key) === undefined) continue;
    keys.push({ ...base, keyId, publicKey: old.key, validUntilTs: Math.min(old.expired_ts, validUntilTs), expiredTs: old.expired_ts });
  }
  return { ok: true, keys, validUntilTs };
}
