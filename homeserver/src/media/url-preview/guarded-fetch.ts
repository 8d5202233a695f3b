// HTTP(S) GET for URL previews with a byte limit, a time limit, manual redirects and the
// AddressPolicy enforced on every hop: IP literals before any connection, host names on the
// addresses DNS returns (the socket connects to the checked address, so no rebinding window).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { AddressPolicy } from './address-policy.js';

export class RefusedTargetError extends Error {
  override readonly name = 'RefusedTargetError';
}

export class FetchFailedError extends Error {
  override readonly name = 'FetchFailedError';
}

export interface FetchedResource {
  url: string;
  status: number;
  contentType: string | undefined;
  body: Buffer;
  /** The body was cut at the byte limit. */
  truncated: boolean;
}

export interface GuardedFetchOptions {
  policy: AddressPolicy;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  userAgent?: string;
}

export function guardedLookup(policy: AddressPolicy): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      // Refuse the host when any of its addresses is refused: a client could be sent to any of them.
      const refused = addresses.find((a) => !policy.isAddressAllowed(a.address));
      if (refused || addresses.length === 0) {
        return callback(new RefusedTargetError(`${hostname} resolves to a refused address (${refused?.address ?? 'none'})`));
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  }) as LookupFunction;
}

function checkTarget(url: URL, policy: AddressPolicy): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RefusedTargetError(`scheme ${url.protocol} is not fetched`);
  if (url.username || url.password) throw new RefusedTargetError('URLs with credentials are not fetched');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.isHostAllowed(host)) throw new RefusedTargetError(`host ${host} is on the deny list`);
  if (isIP(host) !== 0 && !policy.isAddressAllowed(host)) throw new RefusedTargetError(`address ${host} is refused`);
}

function getOnce(url: URL, opts: GuardedFetchOptions, signal: AbortSignal): Promise<http.IncomingMessage> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.get(
      url,
      {
        lookup: guardedLookup(opts.policy),
        signal,
        headers: { 'User-Agent': opts.userAgent ?? 'Parley URL preview', Accept: 'text/html,application/xhtml+xml,image/*;q=0.9,*/*;q=0.5' },
        agent: false,
      },
      resolve,
    );
    req.on('error', reject);
  });
}

export async function guardedFetch(rawUrl: string, opts: GuardedFetchOptions): Promise<FetchedResource> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  let url = new URL(rawUrl);
  for (let hop = 0; ; hop++) {
    checkTarget(url, opts.policy);
    let res: http.IncomingMessage;
    try {
      res = await getOnce(url, opts, signal);
    } catch (err) {
      if (err instanceof RefusedTargetError) throw err;
      throw new FetchFailedError(signal.aborted ? `timed out fetching ${url.origin}` : `could not fetch ${url.origin}: ${(err as Error).message}`);
    }
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= (opts.maxRedirects ?? 5)) throw new FetchFailedError('too many redirects');
      url = new URL(res.headers.location, url);
      continue;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    try {
      for await (const chunk of res) {
        const room = opts.maxBytes - size;
        if ((chunk as Buffer).length > room) {
          chunks.push((chunk as Buffer).subarray(0, room));
          size = opts.maxBytes;
          truncated = true;
          break;
        }
        chunks.push(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
    } catch (err) {
      throw new FetchFailedError(signal.aborted ? `timed out reading ${url.origin}` : `could not read ${url.origin}: ${(err as Error).message}`);
    } finally {
      res.destroy();
    }
    return { url: url.toString(), status, contentType: res.headers['content-type'], body: Buffer.concat(chunks), truncated };
  }
}
