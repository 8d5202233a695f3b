// The cryptographic primitives the protocol needs, behind a small interface so that spec/
// runs in Node (crypto-node.ts, backed by node:crypto) and in a browser (supply your own).
// https://spec.matrix.org/v1.19/appendices/#signing-details

export interface Ed25519 {
  /** Signs `msg` with the key derived from the 32-byte RFC 8032 `seed`; 64-byte signature. */
  sign(seed: Uint8Array, msg: Uint8Array): Uint8Array;
  /** False for a wrong signature, and for malformed keys or signatures (never throws). */
  verify(publicKey: Uint8Array, msg: Uint8Array, signature: Uint8Array): boolean;
  publicKey(seed: Uint8Array): Uint8Array;
}

export interface CryptoBackend {
  readonly ed25519: Ed25519;
  sha256(bytes: Uint8Array): Uint8Array;
}

export class CryptoBackendMissingError extends Error {
  override readonly name = 'CryptoBackendMissingError';
  constructor() {
    super(
      "no crypto backend: in Node import '@parley/spec/crypto-node' (it installs itself), " +
        'elsewhere call setDefaultCrypto(backend), or pass a backend explicitly',
    );
  }
}

let defaultBackend: CryptoBackend | undefined;

/** Used by every function here whose `crypto` argument is omitted. */
export function setDefaultCrypto(backend: CryptoBackend): void {
  defaultBackend = backend;
}

export function defaultCrypto(): CryptoBackend {
  if (defaultBackend === undefined) throw new CryptoBackendMissingError();
  return defaultBackend;
}

/** Whether a default backend has been installed. */
export function hasDefaultCrypto(): boolean {
  return defaultBackend !== undefined;
}
