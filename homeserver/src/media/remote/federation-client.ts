// Outbound federation GETs for media, signed with this server's key (X-Matrix).
// Server discovery (.well-known, SRV) belongs to federation/; until it exists a server name maps
// to `https://<server_name>` unless config (media.remote.base_urls) says otherwise.
import { signRequest } from '@parley/spec';
import { nodeCrypto } from '@parley/spec/crypto-node';
import type { SigningKey } from '../../keys/signing-key.js';

export type ServerResolver = (serverName: string) => string;

export function configuredResolver(baseUrls: Record<string, string>): ServerResolver {
  return (serverName) => (baseUrls[serverName] ?? `https://${serverName}`).replace(/\/$/, '');
}

export class FederationMediaClient {
  constructor(
    private readonly deps: { serverName: string; signingKey: SigningKey; resolve: ServerResolver; timeoutMs: number },
  ) {}

  /** GETs `uri` (path and query, starting /_matrix/) from `destination`; the caller reads the body. */
  async get(destination: string, uri: string): Promise<Response> {
    const authorization = signRequest(
      { method: 'GET', uri, origin: this.deps.serverName, destination },
      this.deps.signingKey.keyId,
      this.deps.signingKey.seed,
      nodeCrypto,
    );
    return fetch(this.deps.resolve(destination) + uri, {
      headers: { Authorization: authorization },
      redirect: 'follow',
      signal: AbortSignal.timeout(this.deps.timeoutMs),
    });
  }
}
