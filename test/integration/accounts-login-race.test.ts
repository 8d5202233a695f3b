// A login whose password check overlaps a password change or a deactivation must not come out
// with a token: the verified hash has to still be the user's when the token is written.
// https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3accountpassword
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { registerUser, type TestUser } from '../support/users.js';

let hs: TestServer;
beforeAll(async () => {
  hs = await startTestServer({ rate_limits: { enabled: false } });
});
afterAll(async () => {
  await hs?.destroy();
});

const LOGIN = '/_matrix/client/v3/login';
let racers = 0;

/** Runs `meanwhile` once, right after the next password verification and before the login goes on. */
function duringNextVerification(meanwhile: () => Promise<void>): void {
  const passwords = hs.context.accounts.passwords;
  const verify = passwords.verify.bind(passwords);
  passwords.verify = async (hash, password) => {
    passwords.verify = verify;
    const ok = await verify(hash, password);
    await meanwhile();
    return ok;
  };
}

function passwordLogin(user: TestUser, extra: Record<string, unknown> = {}) {
  const localpart = user.userId.slice(1).split(':')[0];
  return client(hs.url).post(LOGIN, { type: 'm.login.password', identifier: { type: 'm.id.user', user: localpart }, password: user.password, ...extra });
}

async function devicesOf(user: TestUser): Promise<string[]> {
  return (await hs.context.db('devices').where({ user_id: user.userId }).select('device_id')).map((d) => d.device_id as string);
}

async function changePassword(user: TestUser, newPassword: string): Promise<void> {
  const localpart = user.userId.slice(1).split(':')[0];
  const res = await client(hs.url, user.accessToken).post('/_matrix/client/v3/account/password', {
    new_password: newPassword,
    logout_devices: true,
    auth: { type: 'm.login.password', identifier: { type: 'm.id.user', user: localpart }, password: user.password },
  });
  expect(res.status).toBe(200);
}

describe('a login that overlaps a credential change', () => {
  it.each([
    ['a new device', {}],
    ['a refresh token', { refresh_token: true }],
    ['a chosen device id', { device_id: 'CHOSEN' }],
  ])('gets no token for %s when the password changes during its check', async (_what, extra) => {
    const user = await registerUser(hs, `racer${++racers}`);
    duringNextVerification(() => changePassword(user, 'the-new-password'));
    const res = await passwordLogin(user, extra);
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
    // Only the device that changed the password is left; the old password's login left nothing behind.
    expect(await devicesOf(user)).toEqual([user.deviceId]);
    expect(await hs.context.db('access_tokens').where({ user_id: user.userId }).count<{ count: number }[]>('* as count')).toEqual([{ count: 1 }]);
    expect((await passwordLogin({ ...user, password: 'the-new-password' })).status).toBe(200);
  });

  it('gets no token when the account is deactivated during its check', async () => {
    const user = await registerUser(hs, 'leaver');
    duringNextVerification(() => hs.context.accounts.account.deactivate(user.userId, false));
    const res = await passwordLogin(user);
    expect(res.status).toBe(403);
    expect(await devicesOf(user)).toEqual([]);
  });

  it('still logs in when the change left the password it checked in place (a profile update)', async () => {
    const user = await registerUser(hs, 'stayer');
    duringNextVerification(async () => {
      await client(hs.url, user.accessToken).put(`/_matrix/client/v3/profile/${user.userId}/displayname`, { displayname: 'Stayer' });
    });
    const res = await passwordLogin(user);
    expect(res.status).toBe(200);
    expect(await devicesOf(user)).toHaveLength(2);
  });
});
