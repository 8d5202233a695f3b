// Rate limits on login and registration: per IP, per account, and shared by processes on one Redis.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { registerUser } from '../support/users.js';

const LOGIN = '/_matrix/client/v3/login';
const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.destroy()));
});

async function start(overrides: Record<string, unknown>) {
  const s = await startTestServer(overrides);
  servers.push(s);
  return s;
}

const limits = (login: { per_second: number; burst: number }, register = { per_second: 0.01, burst: 2 }) => ({
  rate_limits: { enabled: true, login, register },
});

describe('rate limits', () => {
  it('limits login per IP with 429 M_LIMIT_EXCEEDED and retry_after_ms', async () => {
    const hs = await start(limits({ per_second: 0.01, burst: 3 }));
    const c = client(hs.url);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await c.post(LOGIN, { type: 'm.login.password', user: `u${i}`, password: 'x' })).status);
    expect(statuses).toEqual([403, 403, 403, 429]);
    const limited = await c.post(LOGIN, { type: 'm.login.password', user: 'u9', password: 'x' });
    expect(limited.body).toMatchObject({ errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: expect.any(Number) });
    expect(limited.body.retry_after_ms).toBeGreaterThan(1000);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('limits login per account as well as per IP', async () => {
    const hs = await start(limits({ per_second: 0.01, burst: 3 }));
    const victim = await registerUser(hs, 'victim');
    const c = client(hs.url);
    // Two of the account's three attempts come from other IPs; this IP has all of its own left.
    await hs.context.bus.store.takeToken('login:account:victim', 0.01, 3);
    await hs.context.bus.store.takeToken('login:account:victim', 0.01, 3);
    expect((await c.post(LOGIN, { type: 'm.login.password', user: 'victim', password: 'guess' })).status).toBe(403);
    const res = await c.post(LOGIN, { type: 'm.login.password', user: 'victim', password: victim.password });
    expect(res).toMatchObject({ status: 429, body: { errcode: 'M_LIMIT_EXCEEDED' } });
  });

  it('limits registration per IP', async () => {
    const hs = await start(limits({ per_second: 10, burst: 10 }));
    const c = client(hs.url);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await c.post('/_matrix/client/v3/register', { username: `r${i}`, password: 'pw' })).status);
    expect(statuses).toEqual([401, 401, 429]);
  });

  it.runIf(!!inject('redisUrl'))('shares the limits between two processes on one Redis', async () => {
    // A fast refill so a leftover bucket in the shared Redis does not outlive the test.
    const overrides = { ...limits({ per_second: 1, burst: 3 }), redis_url: inject('redisUrl') };
    const [a, b] = await Promise.all([start(overrides), start(overrides)]);
    const user = `shared-${randomBytes(4).toString('hex')}`;
    const attempt = (hs: TestServer) => client(hs.url).post(LOGIN, { type: 'm.login.password', user, password: 'x' });
    // Let the per-IP bucket (shared by every test on this Redis) fill up first.
    await new Promise((r) => setTimeout(r, 3000));
    const statuses = [(await attempt(a)).status, (await attempt(b)).status, (await attempt(a)).status, (await attempt(b)).status];
    expect(statuses).toEqual([403, 403, 403, 429]);
  });
});
