// Unpadded Base64, standard and URL-safe alphabets.
// https://spec.matrix.org/v1.19/appendices/#unpadded-base64
// Pure implementation (no Buffer) so that spec/ runs in a browser too.

export class Base64Error extends Error {
  override readonly name = 'Base64Error';
}

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function decodeTable(alphabet: string): Int16Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}
const STANDARD_DECODE = decodeTable(STANDARD);
const URL_SAFE_DECODE = decodeTable(URL_SAFE);

function encode(bytes: Uint8Array, alphabet: string): string {
  let out = '';
  const full = bytes.length - (bytes.length % 3);
  for (let i = 0; i < full; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + alphabet[n & 63];
  }
  const rest = bytes.length - full;
  if (rest === 1) {
    const n = bytes[full] << 16;
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[full] << 16) | (bytes[full + 1] << 8);
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63];
  }
  return out;
}

/**
 * Decodes with or without `=` padding (the spec says decoders SHOULD accept both).
 * Non-zero trailing bits are accepted: the spec's own test seed has them.
 */
function decode(text: string, table: Int16Array, what: string): Uint8Array {
  let end = text.length;
  if (end % 4 === 0) {
    if (end > 0 && text.charCodeAt(end - 1) === 61) end--;
    if (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  }
  if (end % 4 === 1) throw new Base64Error(`invalid ${what} length`);
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? table[c] : -1;
    if (v < 0) throw new Base64Error(`invalid ${what} character at offset ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

// Node's Buffer is several times faster than the loop above; browsers use the loop.
type NodeBufferClass = { from(b: ArrayBufferLike, offset: number, length: number): { toString(encoding: string): string } };
const NodeBuffer = (globalThis as { Buffer?: NodeBufferClass }).Buffer;

export function encodeBase64(bytes: Uint8Array): string {
  if (NodeBuffer === undefined) return encode(bytes, STANDARD);
  const padded = NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return padded.charCodeAt(padded.length - 1) !== 61 ? padded : padded.slice(0, padded.charCodeAt(padded.length - 2) === 61 ? -2 : -1);
}

export function encodeBase64Url(bytes: Uint8Array): string {
  if (NodeBuffer === undefined) return encode(bytes, URL_SAFE);
  return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** The pure implementation, exported for tests (Node uses Buffer). */
export const encodeBase64Portable = (bytes: Uint8Array): string => encode(bytes, STANDARD);
export const encodeBase64UrlPortable = (bytes: Uint8Array): string => encode(bytes, URL_SAFE);

/** Standard alphabet; throws `Base64Error` on any other character. */
export function decodeBase64(text: string): Uint8Array {
  return decode(text, STANDARD_DECODE, 'base64');
}

/** URL-safe alphabet (`-`, `_`); throws `Base64Error` on any other character. */
export function decodeBase64Url(text: string): Uint8Array {
  return decode(text, URL_SAFE_DECODE, 'url-safe base64');
}

/** Decodes untrusted input: `undefined` instead of an exception. */
export function tryDecodeBase64(text: string): Uint8Array | undefined {
  try {
    return decodeBase64(text);
  } catch {
    return undefined;
  }
}
