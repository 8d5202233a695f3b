// federation/'s HttpTransport over node:http/https. Connects to the target discovery chose while
// sending its Host header and checking the certificate against its TLS name (which differ after
// SRV). Discovered addresses pass the AddressPolicy; configured overrides are trusted as given.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, rootCertificates } from 'node:tls';
import type { HttpResponse, HttpTransport, OutboundRequest, ServerTarget } from '@parley/federation';
import type { AddressPolicy } from '../media/url-preview/address-policy.js';
import { guardedLookup, RefusedTargetError } from '../media/url-preview/guarded-fetch.js';
import { PARLEY_VERSION } from '../version.js';

export interface TransportOptions {
  /** Extra CA certificates (PEM) trusted besides the system's. */
  extraCa?: string;
  policy: AddressPolicy;
}

function targetOf(url: URL): ServerTarget {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const scheme = url.protocol === 'http:' ? 'http' : 'https';
  return { scheme, host, port: url.port ? Number(url.port) : scheme === 'https' ? 443 : 80, hostHeader: url.host, tlsName: host };
}

export class NodeHttpTransport implements HttpTransport {
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });

  constructor(private readonly opts: TransportOptions) {
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16, ...(opts.extraCa ? { ca: [...rootCertificates, opts.extraCa] } : {}) });
  }

  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  async request(req: OutboundRequest): Promise<HttpResponse> {
    const signal = AbortSignal.timeout(req.timeoutMs);
    let target = req.target;
    for (let hop = 0; ; hop++) {
      const res = await this.once(target, req, signal);
      const location = res.headers.location;
      if (res.statusCode! >= 300 && res.statusCode! < 400 && location && hop < (req.maxRedirects ?? 0)) {
        res.resume();
        const base = `${target.scheme}://${target.hostHeader}`;
        const next = new URL(location, base + req.path);
        if (next.protocol !== 'https:' && !(next.protocol === 'http:' && target.configured)) throw new RefusedTargetError(`redirect to ${next.protocol}`);
        target = targetOf(next);
        req = { ...req, path: next.pathname + next.search };
        continue;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      return { status: res.statusCode ?? 0, headers, body: res, cancel: () => res.destroy() };
    }
  }

  private once(target: ServerTarget, req: OutboundRequest, signal: AbortSignal): Promise<http.IncomingMessage> {
    const guarded = !target.configured;
    if (guarded && isIP(target.host) !== 0 && !this.opts.policy.isAddressAllowed(target.host)) {
      return Promise.reject(new RefusedTargetError(`address ${target.host} is refused`));
    }
    const headers: Record<string, string> = { 'User-Agent': `Parley/${PARLEY_VERSION}`, ...req.headers, Host: target.hostHeader };
    if (req.body) headers['Content-Length'] = String(req.body.length);
    const common = {
      host: target.host,
      port: target.port,
      method: req.method,
      path: req.path,
      headers,
      signal,
      ...(guarded ? { lookup: guardedLookup(this.opts.policy) } : {}),
    };
    return new Promise((resolve, reject) => {
      const outgoing =
        target.scheme === 'https'
          ? https.request({
              ...common,
              agent: this.httpsAgent,
              // SNI carries host names only; the certificate must be valid for the TLS name either way.
              servername: isIP(target.tlsName) ? undefined : target.tlsName,
              checkServerIdentity: (_host, cert) => checkServerIdentity(target.tlsName, cert),
            })
          : http.request({ ...common, agent: this.httpAgent });
      outgoing.on('response', resolve);
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  }
}
