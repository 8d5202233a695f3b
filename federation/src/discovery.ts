// Resolving server names: https://spec.matrix.org/v1.19/server-server-api/#resolving-server-names
// Server name → where to connect, what Host header to send, which name the certificate must carry.
import { parseServerName } from '@parley/spec';
import { BoundedCache } from './cache.js';
import { readJson } from './http.js';
import type { DnsResolver, HttpTransport, ServerTarget, SrvRecord } from './ports.js';

const DEFAULT_PORT = 8448;
const HOUR = 60 * 60 * 1000;
/** Spec: cache `.well-known` for 24 hours unless Cache-Control says otherwise, and at most 48. */
const WELL_KNOWN_DEFAULT_MS = 24 * HOUR;
const WELL_KNOWN_MAX_MS = 48 * HOUR;
/** Spec: errors cached for up to an hour, with exponential backoff. */
const ERROR_FIRST_MS = 5 * 60 * 1000;
const ERROR_MAX_MS = HOUR;
const SRV_CACHE_MS = HOUR;
const MAX_CACHED = 10_000;

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
}

export interface DiscoveryOptions {
  dns: DnsResolver;
  http: HttpTransport;
  /** Server name → base URL (`https://10.0.0.5:8448`, `http://127.0.0.1:34567`), bypassing discovery. */
  overrides?: Record<string, string>;
  now?: () => number;
  wellKnownTimeoutMs?: number;
  /** Picks among SRV records of equal priority (RFC 2782 weights); injectable for tests. */
  random?: () => number;
}

interface WellKnownEntry {
  /** `m.server`, or undefined when there is no (valid) delegation. */
  delegated: string | undefined;
  expiresAt: number;
  failures: number;
}

/** max-age from a Cache-Control header, capped; undefined when absent. no-store/no-cache count as 0. */
export function cacheLifetime(cacheControl: string | undefined): number | undefined {
  if (!cacheControl) return undefined;
  if (/(^|[\s,])(no-store|no-cache)([\s,=]|$)/i.test(cacheControl)) return 0;
  const m = /(?:^|[\s,])max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
  return m ? Math.min(Number(m[1]) * 1000, WELL_KNOWN_MAX_MS) : undefined;
}

export function overrideTarget(baseUrl: string): ServerTarget {
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DiscoveryError(`override ${baseUrl} is not http(s)`);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return { scheme, host, port: url.port ? Number(url.port) : scheme === 'https' ? 443 : 80, hostHeader: url.host, tlsName: host, configured: true };
}

const bare = (host: string) => host.replace(/^\[|\]$/g, '');

function direct(host: string, port: number, hostHeader: string): ServerTarget {
  return { scheme: 'https', host: bare(host), port, hostHeader, tlsName: bare(host) };
}

export class ServerDiscovery {
  private readonly wellKnown = new BoundedCache<WellKnownEntry>(MAX_CACHED);
  private readonly srv = new BoundedCache<{ records: SrvRecord[]; expiresAt: number }>(MAX_CACHED);
  private readonly inflight = new Map<string, Promise<ServerTarget>>();
  private readonly now: () => number;
  private readonly overrides: Map<string, ServerTarget>;

  constructor(private readonly opts: DiscoveryOptions) {
    this.now = opts.now ?? Date.now;
    this.overrides = new Map(Object.entries(opts.overrides ?? {}).map(([name, url]) => [name, overrideTarget(url)]));
  }

  resolve(serverName: string): Promise<ServerTarget> {
    const configured = this.overrides.get(serverName);
    if (configured) return Promise.resolve(configured);
    let pending = this.inflight.get(serverName);
    if (!pending) {
      pending = this.discover(serverName).finally(() => this.inflight.delete(serverName));
      this.inflight.set(serverName, pending);
    }
    return pending;
  }

  private async discover(serverName: string): Promise<ServerTarget> {
    const name = parseServerName(serverName);
    if (!name) throw new DiscoveryError(`invalid server name ${JSON.stringify(serverName)}`);
    if (name.port !== undefined && (name.port < 1 || name.port > 65535)) throw new DiscoveryError(`invalid port in ${serverName}`);
    // 1. IP literal, 2. explicit port: connect directly, Host is the server name as given.
    if (name.hostKind !== 'dns' || name.port !== undefined) return direct(name.host, name.port ?? DEFAULT_PORT, serverName);
    // 3. .well-known delegation.
    const delegated = await this.delegation(name.host);
    if (delegated !== undefined) {
      const d = parseServerName(delegated)!;
      // 3.1 IP literal, 3.2 explicit port: Host is the delegated name as given.
      if (d.hostKind !== 'dns' || d.port !== undefined) return direct(d.host, d.port ?? DEFAULT_PORT, delegated);
      // 3.3–3.5 SRV of the delegated host, else its port 8448; Host is the delegated host name.
      return (await this.viaSrv(d.host)) ?? direct(d.host, DEFAULT_PORT, d.host);
    }
    // 4–6. SRV of the server name, else port 8448.
    return (await this.viaSrv(name.host)) ?? direct(name.host, DEFAULT_PORT, name.host);
  }

  /** `_matrix-fed._tcp` then the deprecated `_matrix._tcp`; Host header and certificate stay `hostname`. */
  private async viaSrv(hostname: string): Promise<ServerTarget | undefined> {
    for (const prefix of ['_matrix-fed._tcp.', '_matrix._tcp.']) {
      const records = await this.srvRecords(prefix + hostname);
      if (records.length === 0) continue;
      const chosen = this.pick(records);
      // RFC 2782: a target of "." means the service is decidedly not available.
      if (chosen.name === '' || chosen.name === '.') throw new DiscoveryError(`${hostname} does not offer federation (SRV target ".")`);
      return { scheme: 'https', host: chosen.name.replace(/\.$/, ''), port: chosen.port, hostHeader: hostname, tlsName: hostname };
    }
    return undefined;
  }

  private async srvRecords(name: string): Promise<SrvRecord[]> {
    const cached = this.srv.get(name);
    if (cached && cached.expiresAt > this.now()) return cached.records;
    let records: SrvRecord[];
    try {
      records = await this.opts.dns.resolveSrv(name);
    } catch {
      return [];
    }
    this.srv.set(name, { records, expiresAt: this.now() + SRV_CACHE_MS });
    return records;
  }

  /** Lowest priority first; among equals, weighted random (RFC 2782). */
  private pick(records: SrvRecord[]): SrvRecord {
    const best = Math.min(...records.map((r) => r.priority));
    const candidates = records.filter((r) => r.priority === best);
    const total = candidates.reduce((n, r) => n + r.weight, 0);
    if (total === 0) return candidates[0];
    let roll = (this.opts.random ?? Math.random)() * total;
    for (const r of candidates) {
      roll -= r.weight;
      if (roll < 0) return r;
    }
    return candidates[candidates.length - 1];
  }

  private async delegation(hostname: string): Promise<string | undefined> {
    const now = this.now();
    const cached = this.wellKnown.get(hostname);
    if (cached && cached.expiresAt > now) return cached.delegated;
    const failures = cached && cached.delegated === undefined ? cached.failures : 0;
    let delegated: string | undefined;
    let lifetime: number;
    try {
      const res = await this.opts.http.request({
        target: direct(hostname, 443, hostname),
        method: 'GET',
        path: '/.well-known/matrix/server',
        timeoutMs: this.opts.wellKnownTimeoutMs ?? 10_000,
        maxRedirects: 5,
      });
      if (res.status !== 200) {
        res.cancel();
        throw new DiscoveryError(`status ${res.status}`);
      }
      // Spec: the body is JSON whatever its Content-Type; anything invalid means "no delegation".
      const body = await readJson(res, 64 * 1024);
      const server = (body as Record<string, unknown> | undefined)?.['m.server'];
      if (typeof server !== 'string' || parseServerName(server) === undefined) throw new DiscoveryError('invalid m.server');
      delegated = server;
      lifetime = cacheLifetime(res.headers['cache-control']) ?? WELL_KNOWN_DEFAULT_MS;
    } catch {
      lifetime = Math.min(ERROR_FIRST_MS * 2 ** failures, ERROR_MAX_MS);
    }
    this.wellKnown.set(hostname, { delegated, expiresAt: now + lifetime, failures: delegated === undefined ? failures + 1 : 0 });
    return delegated;
  }
}
