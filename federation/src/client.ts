// Outbound requests to other servers: discovery, then an X-Matrix signed request.
// https://spec.matrix.org/v1.19/server-server-api/#request-authentication
import { canonicalJsonBytes, signRequest, type CryptoBackend, type JsonValue } from '@parley/spec';
import type { ServerDiscovery } from './discovery.js';
import { readJson, ResponseError } from './http.js';
import type { OwnSigningKey } from './keys/own-keys.js';
import type { HttpResponse, HttpTransport, OutboundRequest } from './ports.js';

export interface FederationClientOptions {
  serverName: string;
  key: OwnSigningKey;
  discovery: ServerDiscovery;
  http: HttpTransport;
  timeoutMs?: number;
  crypto?: CryptoBackend;
}

export interface RequestOptions {
  body?: JsonValue;
  timeoutMs?: number;
  /** Key requests are not signed: the other side may not know our key yet. Default true. */
  signed?: boolean;
}

export class FederationClient {
  constructor(private readonly opts: FederationClientOptions) {}

  get serverName(): string {
    return this.opts.serverName;
  }

  /** `path` is the path and query, starting with `/_matrix/`; the caller reads (or cancels) the body. */
  async request(destination: string, method: OutboundRequest['method'], path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const target = await this.opts.discovery.resolve(destination);
    const headers: Record<string, string> = { Accept: 'application/json' };
    let body: Uint8Array | undefined;
    if (options.body !== undefined) {
      body = canonicalJsonBytes(options.body);
      headers['Content-Type'] = 'application/json';
    }
    if (options.signed !== false) {
      const { serverName: origin, key, crypto } = this.opts;
      const request = { method, uri: path, origin, destination, ...(options.body !== undefined ? { content: options.body } : {}) };
      headers.Authorization = signRequest(request, key.keyId, key.seed, crypto);
    }
    return this.opts.http.request({ target, method, path, headers, body, timeoutMs: options.timeoutMs ?? this.opts.timeoutMs ?? 30_000 });
  }

  /** A request whose 200 answer is JSON; other statuses reject with a ResponseError. */
  async requestJson(destination: string, method: OutboundRequest['method'], path: string, options: RequestOptions & { maxBytes?: number } = {}): Promise<unknown> {
    const res = await this.request(destination, method, path, options);
    if (res.status !== 200) {
      res.cancel();
      throw new ResponseError(`${destination} answered ${res.status}`);
    }
    return readJson(res, options.maxBytes ?? 1024 * 1024);
  }
}
