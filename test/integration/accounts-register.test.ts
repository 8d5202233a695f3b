import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { registerUser } from '../support/users.js';

let hs: TestServer;
beforeAll(async () => {
  hs = await startTestServer();
});
afterAll(async () => {
  await hs?.destroy();
});

describe('registration', () => {
  it('registerUser helper gives a working token', async () => {
    const u = await registerUser(hs, 'helper');
    const who = await client(hs.url, u.accessToken).get('/_matrix/client/v3/account/whoami');
    expect(who.status).toBe(200);
    expect(who.body).toEqual({ user_id: '@helper:localhost', device_id: u.deviceId, is_guest: false });
  });

  it('registers with the dummy flow', async () => {
    const c = client(hs.url);
    const first = await c.post('/_matrix/client/v3/register', { username: 'alice', password: 'alice-password' });
    expect(first.status).toBe(401);
    expect(first.body.errcode).toBeUndefined();
    expect(first.body.flows).toContainEqual({ stages: ['m.login.dummy'] });
    const done = await c.post('/_matrix/client/v3/register', {
      username: 'alice',
      password: 'alice-password',
      auth: { type: 'm.login.dummy', session: first.body.session },
    });
    expect(done.status).toBe(200);
    expect(done.body.user_id).toBe('@alice:localhost');
    expect(done.body.access_token).toMatch(/^syt_/);
  });
});
