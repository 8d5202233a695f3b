// Canonical JSON: sorted keys (by Unicode code point), no insignificant whitespace,
// integers only in [-(2^53)+1, 2^53-1], UTF-8.
// https://spec.matrix.org/v1.19/appendices/#canonical-json

export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
}

export interface CanonicalJsonOptions {
  /**
   * `true` (default): reject floats and integers outside the safe range, as room versions 6+
   * require (https://spec.matrix.org/v1.19/rooms/v6/#canonical-json).
   * `false`: encode them anyway, for hashing events of room versions 1–5, which MAY carry
   * non-compliant numbers (e.g. float power levels). Non-integers are written as ECMAScript
   * does (`50.5`); integral values in full (`1e21` → `1000000000000000000000`).
   */
  strict?: boolean;
}

const encoder = new TextEncoder();
// Node's Buffer encodes UTF-8 about twice as fast as TextEncoder; browsers use the latter.
const NodeBuffer = (globalThis as { Buffer?: { from(s: string, encoding: 'utf8'): Uint8Array } }).Buffer;
export const encodeUtf8: (s: string) => Uint8Array = NodeBuffer !== undefined ? (s) => NodeBuffer.from(s, 'utf8') : (s) => encoder.encode(s);

interface WellFormedString {
  isWellFormed(): boolean;
}

/** Orders strings by Unicode code point (which is also UTF-8 byte order). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800–DFFF) encode code points above FFFF: lift them above E000–FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x < 0xe000 ? x + 0x2000 : x - 0x800;
      y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Sorts in UTF-16 code unit order, which is code point order unless a key holds a surrogate. */
function sortKeys(keys: string[]): string[] {
  const n = keys.length;
  if (n > 16) return keys.sort();
  // Insertion sort beats Array.prototype.sort on the small objects events are made of.
  for (let i = 1; i < n; i++) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

// Strings that need no escaping and hold no surrogates can be quoted as they are.
const PLAIN_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
const SURROGATE = /[\ud800-\udfff]/;

function encodeString(s: string): string {
  if (PLAIN_STRING.test(s)) return '"' + s + '"';
  if (!(s as unknown as WellFormedString).isWellFormed()) {
    throw new CanonicalJsonError('string contains a lone surrogate and has no UTF-8 encoding');
  }
  // JSON.stringify escapes exactly what canonical JSON escapes: `"`, `\` and C0 controls
  // (short forms \b \t \n \f \r, otherwise lower-case \u00XX); everything else is literal.
  return JSON.stringify(s);
}

function encodeNumber(n: number, strict: boolean): string {
  if (Number.isSafeInteger(n)) return '' + n; // also maps -0 to "0"
  if (strict) {
    throw new CanonicalJsonError(
      Number.isInteger(n) ? `integer ${n} is outside [-(2^53)+1, 2^53-1]` : `${n} is not an integer`,
    );
  }
  if (!Number.isFinite(n)) throw new CanonicalJsonError(`${n} is not a JSON number`);
  return Number.isInteger(n) ? BigInt(n).toString() : '' + n;
}

function encodeArray(array: unknown[], strict: boolean): string {
  let out = '[';
  for (let i = 0; i < array.length; i++) {
    const item: unknown = array[i];
    if (item === undefined) throw new CanonicalJsonError('array holds undefined');
    out += (i === 0 ? '' : ',') + encodeValue(item, strict);
  }
  return out + ']';
}

function encodeMembers(record: Record<string, unknown>, keys: readonly string[], strict: boolean): string {
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const item = record[key];
    if (item === undefined) continue; // absent, as with JSON.stringify
    out += (out.length === 1 ? '' : ',') + encodeString(key) + ':' + encodeValue(item, strict);
  }
  return out + '}';
}

function encodeObject(object: object, strict: boolean): string {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    throw new CanonicalJsonError(`cannot encode a ${object.constructor?.name ?? 'non-plain'} object`);
  }
  const record = object as Record<string, unknown>;
  const keys = sortKeys(Object.keys(object));
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const item = record[key];
    if (item === undefined) continue; // absent, as with JSON.stringify
    let encodedKey: string;
    if (PLAIN_STRING.test(key)) encodedKey = '"' + key + '"';
    else if (SURROGATE.test(key)) return encodeMembers(record, keys.sort(compareCodePoints), strict); // beyond the BMP
    else encodedKey = encodeString(key);
    out += (out.length === 1 ? '' : ',') + encodedKey + ':' + encodeValue(item, strict);
  }
  return out + '}';
}

function encodeValue(value: unknown, strict: boolean): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'number':
      return encodeNumber(value, strict);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? encodeArray(value, strict) : encodeObject(value, strict);
    default:
      throw new CanonicalJsonError(`cannot encode a value of type ${typeof value}`);
  }
}

/** Canonical JSON text. Throws `CanonicalJsonError` for values that have no canonical form. */
export function encodeCanonicalJson(value: unknown, options?: CanonicalJsonOptions): string {
  try {
    return encodeValue(value, options?.strict ?? true);
  } catch (err) {
    throw err instanceof RangeError ? new CanonicalJsonError('value is nested too deeply') : err;
  }
}

/** Canonical JSON as UTF-8 bytes: what gets hashed and signed. */
export function canonicalJsonBytes(value: unknown, options?: CanonicalJsonOptions): Uint8Array {
  return encodeUtf8(encodeCanonicalJson(value, options));
}

/** Sorts strings (in place) by Unicode code point, the order of canonical JSON keys. */
export function sortCanonically(keys: string[]): string[] {
  sortKeys(keys);
  for (let i = 0; i < keys.length; i++) {
    if (SURROGATE.test(keys[i])) return keys.sort(compareCodePoints);
  }
  return keys;
}

export type CanonicalJsonResult = { ok: true; json: string } | { ok: false; reason: string };

/** For untrusted input: the canonical text or the reason there is none. Never throws. */
export function tryEncodeCanonicalJson(value: unknown, options?: CanonicalJsonOptions): CanonicalJsonResult {
  try {
    return { ok: true, json: encodeCanonicalJson(value, options) };
  } catch (err) {
    if (err instanceof CanonicalJsonError) return { ok: false, reason: err.message };
    throw err;
  }
}

/** Byte length of a string once encoded as UTF-8, without allocating. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n += 2; // surrogate pair: 2 units, 4 bytes
        i++;
        continue;
      }
      n += 2;
    } else n += 2;
  }
  return n;
}
