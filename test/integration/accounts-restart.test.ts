// Accounts survive a restart: users, tokens and half-finished UIA sessions live in Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';

let hs: TestServer;
beforeAll(async () => {
  hs = await startTestServer();
});
afterAll(async () => {
  await hs?.destroy();
});

describe('restart', () => {
  it('keeps accounts, access tokens and UIA sessions', async () => {
    const reg = await client(hs.url).post('/_matrix/client/v3/register', { username: 'rita', password: 'rita-password', auth: { type: 'm.login.dummy' } });
    expect(reg.status).toBe(200);
    const pending = await client(hs.url).post('/_matrix/client/v3/register', { username: 'sam', password: 'sam-password' });
    expect(pending.status).toBe(401);

    hs = await hs.restart();

    expect((await client(hs.url, reg.body.access_token).get('/_matrix/client/v3/account/whoami')).body.user_id).toBe('@rita:localhost');
    const login = await client(hs.url).post('/_matrix/client/v3/login', {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: 'rita' },
      password: 'rita-password',
    });
    expect(login.status).toBe(200);
    const resumed = await client(hs.url).post('/_matrix/client/v3/register', {
      username: 'sam',
      password: 'sam-password',
      auth: { type: 'm.login.dummy', session: pending.body.session },
    });
    expect(resumed.status).toBe(200);
  });
});
