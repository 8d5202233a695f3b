// node:crypto implementation of the crypto interface (the only module of spec/ that
// imports a Node built-in). Importing it installs it as the default backend unless one
// is already set.
import { createPrivateKey, createPublicKey, hash, sign, verify, type KeyObject } from 'node:crypto';
import { hasDefaultCrypto, setDefaultCrypto, type CryptoBackend, type Ed25519 } from './crypto.js';

// DER prefixes that wrap a raw 32-byte Ed25519 key (RFC 8410).
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
const MAX_CACHED_KEYS = 10_000;

function withPrefix(prefix: Uint8Array, key: Uint8Array): Buffer {
  const der = Buffer.allocUnsafe(prefix.length + key.length);
  der.set(prefix, 0);
  der.set(key, prefix.length);
  return der;
}

/** KeyObjects are costly to build: cache them by key bytes, the last one used checked first. */
class KeyCache {
  private readonly byBytes = new Map<string, KeyObject>();
  private lastKey: Uint8Array = new Uint8Array(0);
  private lastObject: KeyObject | undefined;
  constructor(private readonly build: (key: Uint8Array) => KeyObject) {}

  get(key: Uint8Array): KeyObject {
    if (this.lastObject !== undefined && sameBytes(key, this.lastKey)) return this.lastObject;
    const id = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
    let keyObject = this.byBytes.get(id);
    if (keyObject === undefined) {
      keyObject = this.build(key);
      if (this.byBytes.size >= MAX_CACHED_KEYS) this.byBytes.clear();
      this.byBytes.set(id, keyObject);
    }
    this.lastKey = Uint8Array.from(key); // a copy: callers may reuse their array
    this.lastObject = keyObject;
    return keyObject;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const privateKeys = new KeyCache((seed) => {
  if (seed.length !== 32) throw new RangeError(`an ed25519 seed has 32 bytes, got ${seed.length}`);
  return createPrivateKey({ key: withPrefix(PKCS8_PREFIX, seed), format: 'der', type: 'pkcs8' });
});
const publicKeys = new KeyCache((pub) => createPublicKey({ key: withPrefix(SPKI_PREFIX, pub), format: 'der', type: 'spki' }));

export const nodeEd25519: Ed25519 = {
  sign(seed, msg) {
    return sign(null, msg, privateKeys.get(seed));
  },
  verify(publicKey, msg, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      return verify(null, msg, publicKeys.get(publicKey), signature);
    } catch {
      return false;
    }
  },
  publicKey(seed) {
    const jwk = createPublicKey(privateKeys.get(seed)).export({ format: 'jwk' });
    return new Uint8Array(Buffer.from(jwk.x as string, 'base64url'));
  },
};

export const nodeCrypto: CryptoBackend = {
  ed25519: nodeEd25519,
  sha256(bytes) {
    return hash('sha256', bytes, 'buffer');
  },
};

if (!hasDefaultCrypto()) setDefaultCrypto(nodeCrypto);
