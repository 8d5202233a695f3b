// X-Matrix authentication of inbound federation media requests.
// https://spec.matrix.org/v1.19/server-server-api/#request-authentication
// Keys come from a lookup (for now media.remote.trusted_keys; federation/'s key store later).
// A request whose key is known must carry a valid signature; one whose key is not known yet is
// accepted with a warning, because without key fetching nothing could be served at all.
import { decodeBase64, MatrixError, parseXMatrixHeader, verifyRequestAuthorization } from '@parley/spec';
import { nodeCrypto } from '@parley/spec/crypto-node';

export type ServerKeyLookup = (serverName: string, keyId: string) => Uint8Array | undefined;

export function configuredKeys(keys: Record<string, Record<string, string>>): ServerKeyLookup {
  return (serverName, keyId) => {
    const key = keys[serverName]?.[keyId];
    return key === undefined ? undefined : decodeBase64(key);
  };
}

const unauthorized = (why: string) => new MatrixError(401, 'M_UNAUTHORIZED', why);

export interface InboundAuthResult {
  origin: string;
  verified: boolean;
}

export function authenticateServerRequest(
  request: { method: string; uri: string; authorization: string | undefined; destination: string },
  lookup: ServerKeyLookup,
): InboundAuthResult {
  if (!request.authorization) throw unauthorized('Missing X-Matrix Authorization header');
  const parsed = parseXMatrixHeader(request.authorization);
  if (!parsed.ok) throw unauthorized(`Bad X-Matrix header: ${parsed.reason}`);
  const { origin, key, destination } = parsed.params;
  if (destination !== undefined && destination !== request.destination) throw unauthorized(`Request is for ${destination}`);
  if (lookup(origin, key) === undefined) return { origin, verified: false };
  const check = verifyRequestAuthorization(
    { method: request.method, uri: request.uri, destination: request.destination },
    request.authorization,
    lookup,
    nodeCrypto,
  );
  if (!check.ok) throw unauthorized(`Invalid X-Matrix signature: ${check.detail}`);
  return { origin, verified: true };
}
