// Request authentication between servers: the signed request JSON and the X-Matrix
// Authorization header. https://spec.matrix.org/v1.19/server-server-api/#request-authentication
import { canonicalJsonBytes } from './canonical-json.js';
import type { CryptoBackend } from './crypto.js';
import type { JsonObject, JsonValue } from './events.js';
import { signBytes, verifyJsonSignature, type SignatureCheck } from './signing.js';

export class XMatrixError extends Error {
  override readonly name = 'XMatrixError';
}

export interface FederationRequest {
  method: string;
  /** Path and query exactly as sent, starting with `/_matrix/` (no scheme or host). */
  uri: string;
  origin: string;
  destination: string;
  /** The parsed JSON body; omit when the request has none. */
  content?: JsonValue;
}

export interface XMatrixParams {
  origin: string;
  /** Absent from requests of servers older than spec v1.3. */
  destination?: string;
  key: string;
  sig: string;
}

/** The object whose canonical JSON the requesting server signs. */
export function requestJson(request: FederationRequest): JsonObject {
  const json: JsonObject = {
    method: request.method,
    uri: request.uri,
    origin: request.origin,
    destination: request.destination,
  };
  if (request.content !== undefined) json.content = request.content;
  return json;
}

// RFC 9110 §5.6.2 token characters.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function headerValue(value: string): string {
  if (/[\\"]/.test(value) || /[\u0000-\u001f\u007f]/.test(value)) throw new XMatrixError(`cannot put ${JSON.stringify(value)} in an X-Matrix header`);
  return `"${value}"`;
}

/** `X-Matrix origin="…",destination="…",key="…",sig="…"` (lower-case names, quoted values). */
export function formatXMatrixHeader(params: XMatrixParams): string {
  const parts = [`origin=${headerValue(params.origin)}`];
  if (params.destination !== undefined) parts.push(`destination=${headerValue(params.destination)}`);
  parts.push(`key=${headerValue(params.key)}`, `sig=${headerValue(params.sig)}`);
  return `X-Matrix ${parts.join(',')}`;
}

/** Signs a request and returns the value of its `Authorization` header. */
export function signRequest(request: FederationRequest, keyId: string, seed: Uint8Array, crypto?: CryptoBackend): string {
  const sig = signBytes(canonicalJsonBytes(requestJson(request)), seed, crypto);
  return formatXMatrixHeader({ origin: request.origin, destination: request.destination, key: keyId, sig });
}

export type XMatrixParse = { ok: true; params: XMatrixParams } | { ok: false; reason: string };

/**
 * Parses an `Authorization` header value (RFC 9110 §11.4 credentials): case-insensitive
 * scheme and names, any order, token or quoted-string values (unquoted values may hold `:`),
 * optional whitespace around commas, unknown parameters ignored. Never throws.
 */
export function parseXMatrixHeader(header: string): XMatrixParse {
  if (typeof header !== 'string') return { ok: false, reason: 'no header' };
  const scheme = /^X-Matrix[ ]+/i.exec(header);
  if (scheme === null) return { ok: false, reason: 'not an X-Matrix header' };
  const params = new Map<string, string>();
  let i = scheme[0].length;
  const n = header.length;
  const skipSpace = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  while (i < n) {
    skipSpace();
    const nameMatch = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(header.slice(i));
    if (nameMatch === null) return { ok: false, reason: `expected a parameter name at offset ${i}` };
    const name = nameMatch[0].toLowerCase();
    i += nameMatch[0].length;
    skipSpace();
    if (header[i] !== '=') return { ok: false, reason: `expected "=" after ${name}` };
    i++;
    skipSpace();
    let value = '';
    if (header[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) return { ok: false, reason: `unterminated quoted value of ${name}` };
        const c = header[i++];
        if (c === '"') break;
        if (c === '\\') {
          if (i >= n) return { ok: false, reason: `unterminated quoted value of ${name}` };
          value += header[i++];
        } else value += c;
      }
    } else {
      const start = i;
      while (i < n && header[i] !== ',' && header[i] !== ' ' && header[i] !== '\t') i++;
      value = header.slice(start, i);
      if (!TOKEN.test(value.replaceAll(':', '_'))) return { ok: false, reason: `invalid value of ${name}` };
    }
    if (!params.has(name)) params.set(name, value);
    skipSpace();
    if (i < n) {
      if (header[i] !== ',') return { ok: false, reason: `expected "," at offset ${i}` };
      i++;
    }
  }
  const origin = params.get('origin');
  const key = params.get('key');
  const sig = params.get('sig');
  if (origin === undefined || key === undefined || sig === undefined) {
    return { ok: false, reason: 'X-Matrix header needs origin, key and sig' };
  }
  const destination = params.get('destination');
  return { ok: true, params: { origin, key, sig, ...(destination !== undefined ? { destination } : {}) } };
}

export type RequestAuthCheck =
  | { ok: true; origin: string; keyId: string }
  | { ok: false; reason: 'bad_header' | 'wrong_destination' | 'unknown_key' | Extract<SignatureCheck, { ok: false }>['reason']; detail: string };

/**
 * Checks one Authorization header of a received request. `destination` is this server's name;
 * `lookupKey` returns the origin's public key for the key id, if known. Never throws.
 */
export function verifyRequestAuthorization(
  request: Omit<FederationRequest, 'origin' | 'destination'> & { destination: string },
  authorization: string,
  lookupKey: (origin: string, keyId: string) => Uint8Array | undefined,
  crypto?: CryptoBackend,
): RequestAuthCheck {
  const parsed = parseXMatrixHeader(authorization);
  if (!parsed.ok) return { ok: false, reason: 'bad_header', detail: parsed.reason };
  const { origin, destination, key, sig } = parsed.params;
  if (destination !== undefined && destination !== request.destination) {
    return { ok: false, reason: 'wrong_destination', detail: `request is for ${destination}, not ${request.destination}` };
  }
  const publicKey = lookupKey(origin, key);
  if (publicKey === undefined) return { ok: false, reason: 'unknown_key', detail: `no key ${key} known for ${origin}` };
  const signed = requestJson({ ...request, origin, destination: request.destination });
  signed.signatures = { [origin]: { [key]: sig } };
  const check = verifyJsonSignature(signed, origin, key, publicKey, crypto);
  return check.ok ? { ok: true, origin, keyId: key } : check;
}
