// The homeserver serves the built web client at /: SPA fallback, caching, content types, CSP,
// CORS on the embeddable modules, and the API untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { startTestServer, type TestServer } from '../support/server.js';
import { webClient } from '../../homeserver/src/web/static.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.destroy();
});

describe('web client serving', () => {
  it('serves index.html at / with a CSP and no-cache', async () => {
    const res = await fetch(server.url + '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('<parley-app>');
  });

  it('falls back to index.html for client routes', async () => {
    const res = await fetch(server.url + '/rooms/somewhere');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<parley-app>');
  });

  it('serves hashed assets with a long cache and the right type', async () => {
    const html = await (await fetch(server.url + '/')).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const res = await fetch(server.url + asset);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toContain('immutable');
    const again = await fetch(server.url + asset, { headers: { 'If-None-Match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('serves the embeddable module to other origins', async () => {
    const res = await fetch(server.url + '/lib/parley-room.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('content-type')).toMatch(/javascript/);
  });

  it('answers 404 for missing files and leaves the API alone', async () => {
    expect((await fetch(server.url + '/assets/nope-123.js')).status).toBe(404);
    const api = await fetch(server.url + '/_matrix/client/v3/nonexistent');
    expect(api.status).toBe(404);
    expect((await api.json()).errcode).toBe('M_UNRECOGNIZED');
    for (const p of ['/../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fpackage.json'])
      expect(await (await fetch(server.url + p)).text()).not.toMatch(/root:|"workspaces"/);
  });

  it('says how to build when the client is missing', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'parley-nodist-'));
    const app = new Koa().use(webClient({ distDir: path.join(empty, 'dist') }));
    const http = app.listen(0);
    const port = (http.address() as { port: number }).port;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('npm run build');
    } finally {
      http.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
