// The server's ed25519 signing key, in Synapse's file format: `ed25519 <key id> <unpadded base64 seed>`.
import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SigningKey {
  /** e.g. `ed25519:a_Xy12` */
  keyId: string;
  seed: Uint8Array;
  publicKeyBase64: string;
  privateKey: KeyObject;
}

// PKCS#8 DER prefix for a raw 32-byte Ed25519 seed.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const unpadded = (b: Uint8Array) => Buffer.from(b).toString('base64').replace(/=+$/, '');

export function signingKeyFromSeed(keyId: string, seed: Uint8Array): SigningKey {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { keyId, seed, privateKey, publicKeyBase64: unpadded(spki.subarray(spki.length - 32)) };
}

export function parseSigningKeyFile(text: string): SigningKey {
  const line = text.split('\n').find((l) => l.trim().length > 0);
  const parts = line?.trim().split(/\s+/) ?? [];
  if (parts.length !== 3 || parts[0] !== 'ed25519') throw new Error('signing key file must read "ed25519 <key id> <base64 seed>"');
  const seed = Buffer.from(parts[2], 'base64');
  if (seed.length !== 32) throw new Error('signing key seed must be 32 bytes');
  return signingKeyFromSeed(`ed25519:${parts[1]}`, seed);
}

export function serializeSigningKey(key: SigningKey): string {
  return `ed25519 ${key.keyId.slice('ed25519:'.length)} ${unpadded(key.seed)}\n`;
}

/** Loads the key, generating one on first start. */
export function loadOrCreateSigningKey(file: string): { key: SigningKey; created: boolean } {
  if (existsSync(file)) return { key: parseSigningKeyFile(readFileSync(file, 'utf8')), created: false };
  // Key versions are [a-zA-Z0-9_] (https://spec.matrix.org/v1.19/server-server-api/#publishing-keys): hex, not base64url.
  const version = 'a_' + randomBytes(3).toString('hex');
  const key = signingKeyFromSeed(`ed25519:${version}`, randomBytes(32));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, serializeSigningKey(key), { mode: 0o600 });
  return { key, created: true };
}
