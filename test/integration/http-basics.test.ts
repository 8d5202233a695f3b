import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';

let hs: TestServer;
beforeAll(async () => {
  hs = await startTestServer();
});
afterAll(async () => {
  await hs?.destroy();
});

describe('HTTP basics', () => {
  it('answers /versions with CORS headers', async () => {
    const res = await request(hs.url, 'GET', '/_matrix/client/versions');
    expect(res.status).toBe(200);
    expect(res.body.versions).toContain('v1.1');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers CORS preflight on any API path', async () => {
    const res = await request(hs.url, 'OPTIONS', '/_matrix/client/v3/login', { headers: { Origin: 'https://example.org' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(res.headers.get('access-control-allow-headers')).toContain('Authorization');
  });

  it('gives 404 M_UNRECOGNIZED for an unknown path', async () => {
    const res = await request(hs.url, 'GET', '/_matrix/client/v3/no/such/thing');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errcode: 'M_UNRECOGNIZED', error: expect.any(String) });
  });

  it('gives 405 M_UNRECOGNIZED for a known path with the wrong method', async () => {
    const res = await request(hs.url, 'DELETE', '/_matrix/client/versions');
    expect(res.status).toBe(405);
    expect(res.body.errcode).toBe('M_UNRECOGNIZED');
  });

  it('gives 401 M_MISSING_TOKEN without a token and M_UNKNOWN_TOKEN with a bad one', async () => {
    const missing = await request(hs.url, 'GET', '/_matrix/client/v3/capabilities');
    expect(missing.status).toBe(401);
    expect(missing.body.errcode).toBe('M_MISSING_TOKEN');
    const bad = await request(hs.url, 'GET', '/_matrix/client/v3/capabilities', { token: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN', soft_logout: false });
  });

  it('serves /health, /metrics and the OpenAPI document', async () => {
    expect((await request(hs.url, 'GET', '/health')).status).toBe(200);
    const metrics = await request(hs.url, 'GET', '/metrics');
    expect(metrics.body).toContain('parley_http_requests_total');
    expect(metrics.body).toContain('parley_db_pool_connections');
    const doc = await request(hs.url, 'GET', '/_parley/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.paths['/_matrix/client/versions'].get.operationId).toBe('getVersions');
    const page = await request(hs.url, 'GET', '/docs');
    expect(page.body).toContain('/_matrix/client/versions');
  });

  it('serves .well-known discovery', async () => {
    const res = await request(hs.url, 'GET', '/.well-known/matrix/client');
    expect(res.body['m.homeserver'].base_url).toBe(hs.url);
  });
});
