// X-Matrix authentication of received requests: https://spec.matrix.org/v1.19/server-server-api/#request-authentication
// Unknown keys are fetched from the origin; a request is accepted only once a signature verifies.
import { isValidServerName, parseXMatrixHeader, verifyRequestAuthorization, type CryptoBackend, type JsonValue } from '@parley/spec';
import type { KeyRing } from './keys/key-ring.js';

export interface ReceivedRequest {
  method: string;
  /** Path and query exactly as received. */
  uri: string;
  /** Every Authorization header of the request. */
  authorizations: string[];
  /** The parsed JSON body, when there is one. */
  content?: JsonValue;
}

export type RequestAuthResult = { ok: true; origin: string } | { ok: false; reason: string };

/**
 * Every X-Matrix header must name the same origin and this server as destination (when it names
 * one); each signature whose key can be obtained must verify, and at least one must.
 */
export async function authenticateRequest(
  request: ReceivedRequest,
  deps: { serverName: string; keys: KeyRing; crypto?: CryptoBackend },
): Promise<RequestAuthResult> {
  const headers = request.authorizations.filter((h) => /^X-Matrix\s/i.test(h));
  if (headers.length === 0) return { ok: false, reason: 'Missing X-Matrix Authorization header' };
  const parsed = headers.map(parseXMatrixHeader);
  const params = [];
  for (const p of parsed) {
    if (!p.ok) return { ok: false, reason: `Bad X-Matrix header: ${p.reason}` };
    params.push(p.params);
  }
  const origin = params[0].origin;
  if (!isValidServerName(origin)) return { ok: false, reason: 'X-Matrix origin is not a server name' };
  if (params.some((p) => p.origin !== origin)) return { ok: false, reason: 'X-Matrix headers name different origins' };

  let verified = 0;
  const unknown: string[] = [];
  for (const [i, p] of params.entries()) {
    if (p.destination !== undefined && p.destination !== deps.serverName) return { ok: false, reason: `Request is for ${p.destination}` };
    const key = await deps.keys.verifyKey(origin, p.key, { purpose: 'request' });
    if (key === undefined) {
      unknown.push(p.key);
      continue;
    }
    const check = verifyRequestAuthorization(
      { method: request.method, uri: request.uri, destination: deps.serverName, ...(request.content !== undefined ? { content: request.content } : {}) },
      headers[i],
      () => key,
      deps.crypto,
    );
    if (!check.ok) return { ok: false, reason: `Invalid X-Matrix signature: ${check.detail}` };
    verified++;
  }
  return verified > 0 ? { ok: true, origin } : { ok: false, reason: `Could not obtain ${origin}'s key ${unknown.join(', ')}` };
}
