// URL previews: Open Graph from a local page (only 127.0.0.2 allowed, explicitly), and SSRF
// refusals for loopback, private and IPv6 loopback targets, names resolving to loopback, and
// redirects to them. Sentinel listeners on 127.0.0.1 and ::1 record anything that slips through.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { registerUser, type TestUser } from '../support/users.js';

let open: TestServer; // allows 127.0.0.2/32
let strict: TestServer; // default policy
let user: TestUser;
let strictUser: TestUser;
const sites: Server[] = [];
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#09c' } }).png().toBuffer();
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    hits.push(`${req.socket.localAddress} ${req.url}`);
    const url = req.url ?? '/';
    if (url === '/page') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(`<html><head><title>Fallback</title><meta property="og:title" content="Parley &amp; friends">
        <meta property="og:description" content="A test page"><meta property="og:image" content="/logo.png"></head><body>hi</body></html>`);
    } else if (url === '/logo.png') {
      res.setHeader('Content-Type', 'image/png');
      res.end(png);
    } else if (url.startsWith('/redirect?to=')) {
      res.writeHead(302, { Location: decodeURIComponent(url.slice('/redirect?to='.length)) });
      res.end();
    } else if (url === '/slow') {
      setTimeout(() => res.end('<title>late</title>'), 3000);
    } else {
      res.setHeader('Content-Type', 'text/html');
      res.end('<title>other</title>');
    }
  };
  const site = createServer(handler);
  await new Promise<void>((r) => site.listen(0, '127.0.0.2', r));
  port = (site.address() as AddressInfo).port;
  sites.push(site);
  for (const host of ['127.0.0.1', '::1']) {
    const sentinel = createServer(handler);
    await new Promise<void>((r) => sentinel.once('error', () => r()).listen(port, host, r));
    sites.push(sentinel);
  }

  [open, strict] = await Promise.all([
    startTestServer({ media: { url_preview: { ip_range_allowlist: ['127.0.0.2/32'], timeout_ms: 1000 } } }),
    startTestServer(),
  ]);
  user = await registerUser(open, 'alice');
  strictUser = await registerUser(strict, 'bob');
});
afterAll(async () => {
  for (const s of sites) s.close();
  await Promise.all([open?.destroy(), strict?.destroy()]);
});

const preview = (hs: TestServer, token: string, url: string) =>
  request(hs.url, 'GET', `/_matrix/client/v1/media/preview_url?url=${encodeURIComponent(url)}`, { token });

describe('URL previews', () => {
  it('reads Open Graph from an allowed page and stores its image as media', async () => {
    const res = await preview(open, user.accessToken, `http://127.0.0.2:${port}/page`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      'og:title': 'Parley & friends',
      'og:description': 'A test page',
      'og:image:type': 'image/png',
      'og:image:width': 64,
      'og:image:height': 48,
    });
    expect(res.body['og:image']).toMatch(/^mxc:\/\/localhost\//);
    expect(res.body['matrix:image:size']).toBeGreaterThan(0);
    const image = await request(open.url, 'GET', `/_matrix/client/v1/media/download/${res.body['og:image'].slice(6)}`, { token: user.accessToken });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');

    const before = hits.length;
    const cached = await preview(open, user.accessToken, `http://127.0.0.2:${port}/page`);
    expect(cached.body).toEqual(res.body);
    expect(hits.length).toBe(before); // served from the cache
  });

  it('gives up on a slow page at the time limit', async () => {
    const res = await preview(open, user.accessToken, `http://127.0.0.2:${port}/slow`);
    expect(res.status).toBe(502);
  });

  it('refuses loopback, private and link-local targets before connecting', async () => {
    const before = hits.length;
    for (const target of [
      `http://127.0.0.1:${port}/other`,
      `http://[::1]:${port}/other`,
      `http://localhost:${port}/other`,
      `http://127.0.0.2:${port}/other`,
      'http://10.0.0.1/',
      'http://10.255.1.2:8080/admin',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:10.0.0.1]/',
      'http://192.168.1.1/',
    ]) {
      const res = await preview(strict, strictUser.accessToken, target);
      expect(res.status, target).toBe(403);
      expect(res.body.errcode, target).toBe('M_FORBIDDEN');
    }
    expect(hits.slice(before)).toEqual([]);
  });

  it('checks every redirect hop with the same rules', async () => {
    for (const target of [`http://[::1]:${port}/other`, `http://localhost:${port}/other`, `http://127.0.0.1:${port}/other`, 'http://10.0.0.1/']) {
      const before = hits.length;
      const res = await preview(open, user.accessToken, `http://127.0.0.2:${port}/redirect?to=${encodeURIComponent(target)}`);
      expect(res.status, target).toBe(403);
      // Only the allowed first hop reached a listener.
      expect(hits.slice(before), target).toEqual([`127.0.0.2 /redirect?to=${encodeURIComponent(target)}`]);
    }
  });

  it('refuses other schemes and requires a token', async () => {
    expect((await preview(open, user.accessToken, 'file:///etc/passwd')).status).toBe(400);
    expect((await request(open.url, 'GET', '/_matrix/client/v1/media/preview_url?url=http://127.0.0.1/')).status).toBe(401);
  });
});
