import { describe, expect, it } from 'vitest';
import { cacheLifetime, DiscoveryError, ServerDiscovery } from './discovery.js';
import type { SrvRecord } from './ports.js';
import { FakeHttp, jsonResponse } from './test-support/fakes.js';

function world(opts: { wellKnown?: Record<string, ReturnType<typeof jsonResponse> | Error>; srv?: Record<string, SrvRecord[]>; overrides?: Record<string, string> } = {}) {
  let now = 0;
  const srvQueries: string[] = [];
  const http = new FakeHttp((req) => {
    const answer = opts.wellKnown?.[req.target.host];
    if (answer instanceof Error) throw answer;
    return answer ?? jsonResponse(404, {});
  });
  const discovery = new ServerDiscovery({
    http,
    dns: {
      resolveSrv: async (name) => {
        srvQueries.push(name);
        return opts.srv?.[name] ?? [];
      },
    },
    overrides: opts.overrides,
    now: () => now,
    random: () => 0,
  });
  return { discovery, http, srvQueries, advance: (ms: number) => void (now += ms) };
}

const srv = (name: string, port: number, priority = 10, weight = 5): SrvRecord => ({ name, port, priority, weight });

describe('server discovery (https://spec.matrix.org/v1.19/server-server-api/#resolving-server-names)', () => {
  it('1. uses an IP literal directly, default port 8448, Host = the server name', async () => {
    const { discovery, http } = world();
    expect(await discovery.resolve('1.2.3.4')).toEqual({ scheme: 'https', host: '1.2.3.4', port: 8448, hostHeader: '1.2.3.4', tlsName: '1.2.3.4' });
    expect(await discovery.resolve('[2001:db8::1]:8000')).toEqual({ scheme: 'https', host: '2001:db8::1', port: 8000, hostHeader: '[2001:db8::1]:8000', tlsName: '2001:db8::1' });
    expect(http.requests).toEqual([]);
  });

  it('2. uses a host name with an explicit port directly, without .well-known or SRV', async () => {
    const { discovery, http, srvQueries } = world();
    expect(await discovery.resolve('example.org:1234')).toEqual({ scheme: 'https', host: 'example.org', port: 1234, hostHeader: 'example.org:1234', tlsName: 'example.org' });
    expect(http.requests).toEqual([]);
    expect(srvQueries).toEqual([]);
  });

  it('3. follows .well-known delegation (IP, explicit port, SRV of the delegated name, 8448)', async () => {
    const { discovery, http } = world({
      wellKnown: {
        'ip.example': jsonResponse(200, { 'm.server': '5.6.7.8' }),
        'port.example': jsonResponse(200, { 'm.server': 'matrix.port.example:443' }),
        'srv.example': jsonResponse(200, { 'm.server': 'matrix.srv.example' }),
        'plain.example': jsonResponse(200, { 'm.server': 'matrix.plain.example' }),
      },
      srv: { '_matrix-fed._tcp.matrix.srv.example': [srv('fed1.srv.example.', 8449)] },
    });
    expect(await discovery.resolve('ip.example')).toMatchObject({ host: '5.6.7.8', port: 8448, hostHeader: '5.6.7.8', tlsName: '5.6.7.8' });
    expect(await discovery.resolve('port.example')).toMatchObject({ host: 'matrix.port.example', port: 443, hostHeader: 'matrix.port.example:443', tlsName: 'matrix.port.example' });
    expect(await discovery.resolve('srv.example')).toMatchObject({ host: 'fed1.srv.example', port: 8449, hostHeader: 'matrix.srv.example', tlsName: 'matrix.srv.example' });
    expect(await discovery.resolve('plain.example')).toMatchObject({ host: 'matrix.plain.example', port: 8448, hostHeader: 'matrix.plain.example' });
    expect(http.requests[0]).toMatchObject({ method: 'GET', path: '/.well-known/matrix/server', maxRedirects: 5, target: { host: 'ip.example', port: 443, scheme: 'https' } });
  });

  it('4–6. without delegation: _matrix-fed._tcp, then the deprecated _matrix._tcp, then port 8448', async () => {
    const { discovery, srvQueries } = world({
      wellKnown: { 'bad.example': jsonResponse(200, 'not json'), 'err.example': new Error('ECONNREFUSED') },
      srv: {
        '_matrix-fed._tcp.fed.example': [srv('b.fed.example', 2, 20), srv('a.fed.example', 1, 10)],
        '_matrix._tcp.old.example': [srv('legacy.old.example', 8000)],
        '_matrix-fed._tcp.gone.example': [srv('.', 0)],
      },
    });
    expect(await discovery.resolve('fed.example')).toMatchObject({ host: 'a.fed.example', port: 1, hostHeader: 'fed.example', tlsName: 'fed.example' });
    expect(await discovery.resolve('old.example')).toMatchObject({ host: 'legacy.old.example', port: 8000, hostHeader: 'old.example' });
    expect(await discovery.resolve('bad.example')).toMatchObject({ host: 'bad.example', port: 8448, hostHeader: 'bad.example' });
    expect(await discovery.resolve('err.example')).toMatchObject({ host: 'err.example', port: 8448 });
    await expect(discovery.resolve('gone.example')).rejects.toThrow(DiscoveryError);
    expect(srvQueries).toContain('_matrix._tcp.bad.example');
  });

  it('caches .well-known as Cache-Control says (24 h by default, 48 h at most) and errors with backoff', async () => {
    const { discovery, http, advance } = world({
      wellKnown: { 'a.example': jsonResponse(200, { 'm.server': 'b.example:1' }, { 'cache-control': 'public, max-age=60' }), 'c.example': jsonResponse(200, { 'm.server': 'd.example:1' }) },
    });
    const count = (host: string) => http.requests.filter((r) => r.target.host === host).length;
    await discovery.resolve('a.example');
    await discovery.resolve('c.example');
    await discovery.resolve('e.example'); // 404: an error
    advance(59_000);
    await Promise.all([discovery.resolve('a.example'), discovery.resolve('c.example'), discovery.resolve('e.example')]);
    expect([count('a.example'), count('c.example'), count('e.example')]).toEqual([1, 1, 1]);
    advance(2_000);
    await discovery.resolve('a.example');
    expect(count('a.example')).toBe(2);
    advance(5 * 60_000);
    await discovery.resolve('e.example');
    await discovery.resolve('e.example');
    expect(count('e.example')).toBe(2); // next retry after 10 minutes
    advance(9 * 60_000);
    await discovery.resolve('e.example');
    expect(count('e.example')).toBe(2);
    advance(24 * 3_600_000);
    await discovery.resolve('c.example');
    expect(count('c.example')).toBe(2);

    expect(cacheLifetime('max-age=999999999')).toBe(48 * 3_600_000);
    expect(cacheLifetime('no-store')).toBe(0);
    expect(cacheLifetime(undefined)).toBeUndefined();
  });

  it('takes configured overrides as given, and refuses invalid server names', async () => {
    const { discovery, http } = world({ overrides: { 'b.test': 'http://127.0.0.1:34567', 'c.test': 'https://[::1]' } });
    expect(await discovery.resolve('b.test')).toEqual({ scheme: 'http', host: '127.0.0.1', port: 34567, hostHeader: '127.0.0.1:34567', tlsName: '127.0.0.1', configured: true });
    expect(await discovery.resolve('c.test')).toMatchObject({ scheme: 'https', host: '::1', port: 443 });
    await expect(discovery.resolve('bad name')).rejects.toThrow(DiscoveryError);
    await expect(discovery.resolve('example.org:99999')).rejects.toThrow(DiscoveryError);
    expect(http.requests).toEqual([]);
  });
});
