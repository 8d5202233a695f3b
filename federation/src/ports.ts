// What federation/ needs from the process around it. The homeserver implements these
// (Postgres, node:http/https, node:dns); tests pass fakes.

/** Where and how to reach a server, as discovery decided. */
export interface ServerTarget {
  /** `https` for real federation; `http` only through a configured override (tests on loopback). */
  scheme: 'https' | 'http';
  /** Host name or IP literal (no brackets) to connect to. */
  host: string;
  port: number;
  /** Value of the Host header. */
  hostHeader: string;
  /** Name the TLS certificate must be valid for (a host name or an IP literal). */
  tlsName: string;
  /** Chosen by configuration rather than discovery: address restrictions do not apply. */
  configured?: boolean;
}

export interface OutboundRequest {
  target: ServerTarget;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query, starting with `/`. */
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  timeoutMs: number;
  /** Follow up to this many 30x redirects (only `.well-known` lookups do). Default 0. */
  maxRedirects?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: AsyncIterable<Uint8Array>;
  /** Releases the connection when the body will not be read to the end. */
  cancel(): void;
}

export interface HttpTransport {
  /** Rejects on connection failures and timeouts; any HTTP status resolves. */
  request(req: OutboundRequest): Promise<HttpResponse>;
}

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

export interface DnsResolver {
  /** SRV records of `name`; `[]` when there are none (NXDOMAIN, NODATA). Rejects on other failures. */
  resolveSrv(name: string): Promise<SrvRecord[]>;
}

/** A public key of a remote server, as learnt from a verified key response. */
export interface StoredServerKey {
  serverName: string;
  keyId: string;
  /** Unpadded base64 ed25519 public key. */
  publicKey: string;
  /** The response's `valid_until_ts`, capped at fetch time + 7 days. */
  validUntilTs: number;
  /** Set for keys learnt from `old_verify_keys`. */
  expiredTs: number | null;
  fetchedTs: number;
  /** The signed response the key came from, exactly as received (for notary answers). */
  response: string;
}

export interface KeyStore {
  load(serverName: string): Promise<StoredServerKey[]>;
  /** Inserts or replaces keys by (serverName, keyId). */
  save(keys: StoredServerKey[]): Promise<void>;
}
