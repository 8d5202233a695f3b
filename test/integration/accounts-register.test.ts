// Registration rules: username checks, guest access, inhibit_login, registration tokens and the
// first-run token, closed registration, and Synapse's shared-secret admin registration.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { registerUser } from '../support/users.js';

const REGISTER = '/_matrix/client/v3/register';
const VALIDITY = '/_matrix/client/v1/register/m.login.registration_token/validity';

let open: TestServer;
let tokenOnly: TestServer;
beforeAll(async () => {
  [open, tokenOnly] = await Promise.all([
    startTestServer(),
    startTestServer({ registration: { require_token: true, tokens: ['config-token'] } }),
  ]);
});
afterAll(async () => {
  await Promise.all([open?.destroy(), tokenOnly?.destroy()]);
});

const isAdmin = async (hs: TestServer, userId: string) => (await hs.context.db('users').where({ user_id: userId }).first('admin')).admin;

describe('registration on an open server', () => {
  it('registerUser helper gives a working token', async () => {
    const u = await registerUser(open, 'helper');
    const who = await client(open.url, u.accessToken).get('/_matrix/client/v3/account/whoami');
    expect(who.status).toBe(200);
    expect(who.body).toEqual({ user_id: '@helper:localhost', device_id: u.deviceId, is_guest: false });
  });

  it('offers the dummy flow and completes it within the session', async () => {
    const c = client(open.url);
    const first = await c.post(REGISTER, { username: 'alice', password: 'alice-password' });
    expect(first.status).toBe(401);
    expect(first.body.errcode).toBeUndefined();
    expect(first.body.flows).toContainEqual({ stages: ['m.login.dummy'] });
    const done = await c.post(REGISTER, { username: 'Alice', password: 'alice-password', auth: { type: 'm.login.dummy', session: first.body.session } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ user_id: '@alice:localhost', access_token: expect.stringMatching(/^syt_/), device_id: expect.any(String) });
  });

  it('checks usernames before authentication', async () => {
    const c = client(open.url);
    const auth = { type: 'm.login.dummy' };
    expect((await c.post(REGISTER, { username: 'alice', password: 'x', auth })).body.errcode).toBe('M_USER_IN_USE');
    expect((await c.post(REGISTER, { username: 'bad name', password: 'x', auth })).body.errcode).toBe('M_INVALID_USERNAME');
    expect((await c.post(REGISTER, { username: 'a'.repeat(250), password: 'x', auth })).body.errcode).toBe('M_INVALID_USERNAME');
    expect((await c.post(REGISTER, { username: '_bridge_bot', password: 'x', auth })).body.errcode).toBe('M_EXCLUSIVE');
    const avail = await c.get('/_matrix/client/v3/register/available?username=ALICE');
    expect(avail).toMatchObject({ status: 400, body: { errcode: 'M_USER_IN_USE' } });
    expect((await c.get('/_matrix/client/v3/register/available?username=b%C3%A4d')).body.errcode).toBe('M_INVALID_USERNAME');
  });

  it('refuses guests', async () => {
    const res = await client(open.url).post(`${REGISTER}?kind=guest`, {});
    expect(res).toMatchObject({ status: 403, body: { errcode: 'M_GUEST_ACCESS_FORBIDDEN' } });
  });

  it('honours inhibit_login, device_id, refresh_token and generates a username when none is given', async () => {
    const c = client(open.url);
    const inhibited = await c.post(REGISTER, { username: 'bob', password: 'bob-password', inhibit_login: true, auth: { type: 'm.login.dummy' } });
    expect(inhibited.body).toEqual({ user_id: '@bob:localhost', home_server: 'localhost' });
    expect(await open.context.db('devices').where({ user_id: '@bob:localhost' })).toEqual([]);
    const withDevice = await c.post(REGISTER, {
      username: 'bea',
      password: 'bea-password',
      device_id: 'BEADEVICE',
      initial_device_display_name: 'Bea laptop',
      refresh_token: true,
      auth: { type: 'm.login.dummy' },
    });
    expect(withDevice.body).toMatchObject({ device_id: 'BEADEVICE', refresh_token: expect.any(String), expires_in_ms: expect.any(Number) });
    const anonymous = await c.post(REGISTER, { password: 'pw-123456', auth: { type: 'm.login.dummy' } });
    expect(anonymous.body.user_id).toMatch(/^@[a-z0-9]+:localhost$/);
  });

  it('registers through the shared-secret admin API as Synapse tools do', async () => {
    const c = client(open.url);
    const mac = (nonce: string, user: string, pw: string, admin: boolean) =>
      createHmac('sha1', 'test-shared-secret-0123456789').update(`${nonce}\0${user}\0${pw}\0${admin ? 'admin' : 'notadmin'}`).digest('hex');
    const { body: n1 } = await c.get('/_synapse/admin/v1/register');
    const ok = await c.post('/_synapse/admin/v1/register', { nonce: n1.nonce, username: 'boss', password: 'boss-pw', admin: true, mac: mac(n1.nonce, 'boss', 'boss-pw', true) });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ user_id: '@boss:localhost', access_token: expect.any(String), home_server: 'localhost' });
    expect(await isAdmin(open, '@boss:localhost')).toBe(true);
    const replay = await c.post('/_synapse/admin/v1/register', { nonce: n1.nonce, username: 'boss2', password: 'boss-pw', admin: true, mac: mac(n1.nonce, 'boss2', 'boss-pw', true) });
    expect(replay).toMatchObject({ status: 400, body: { error: 'unrecognised nonce' } });
    const { body: n2 } = await c.get('/_synapse/admin/v1/register');
    const forged = await c.post('/_synapse/admin/v1/register', { nonce: n2.nonce, username: 'mallory', password: 'pw', admin: true, mac: mac(n2.nonce, 'mallory', 'pw', false) });
    expect(forged).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
  });
});

describe('registration with tokens', () => {
  it('makes the holder of the first-run token the admin, once', async () => {
    const c = client(tokenOnly.url);
    const firstRun = (await tokenOnly.context.accounts.registrationTokens.firstRunToken(false))!;
    expect((await c.get(`${VALIDITY}?token=${firstRun}`)).body).toEqual({ valid: true });
    expect((await c.get(`${VALIDITY}?token=bogus`)).body).toEqual({ valid: false });

    const challenge = await c.post(REGISTER, { username: 'owner', password: 'owner-password' });
    expect(challenge.body.flows).toEqual([{ stages: ['m.login.registration_token'] }]);
    const dummy = await c.post(REGISTER, { username: 'owner', password: 'owner-password', auth: { type: 'm.login.dummy', session: challenge.body.session } });
    expect(dummy.status).toBe(401);
    const wrong = await c.post(REGISTER, { username: 'owner', password: 'owner-password', auth: { type: 'm.login.registration_token', token: 'bogus', session: challenge.body.session } });
    expect(wrong).toMatchObject({ status: 401, body: { errcode: 'M_FORBIDDEN', session: challenge.body.session } });
    const done = await c.post(REGISTER, { username: 'owner', password: 'owner-password', auth: { type: 'm.login.registration_token', token: firstRun, session: challenge.body.session } });
    expect(done.status).toBe(200);
    expect(await isAdmin(tokenOnly, '@owner:localhost')).toBe(true);
    expect((await c.get(`${VALIDITY}?token=${firstRun}`)).body).toEqual({ valid: false });
    const again = await c.post(REGISTER, { username: 'second', password: 'pw-second', auth: { type: 'm.login.registration_token', token: firstRun } });
    expect(again).toMatchObject({ status: 401, body: { errcode: 'M_FORBIDDEN' } });
  });

  it('accepts configured tokens and honours uses_allowed', async () => {
    const c = client(tokenOnly.url);
    const viaConfig = await c.post(REGISTER, { username: 'member', password: 'member-password', auth: { type: 'm.login.registration_token', token: 'config-token' } });
    expect(viaConfig.status).toBe(200);
    expect(await isAdmin(tokenOnly, '@member:localhost')).toBe(false);

    const single = await tokenOnly.context.accounts.registrationTokens.create({ usesAllowed: 1 });
    const a = await c.post(REGISTER, { username: 'racer1', password: 'pw-racer1' });
    const b = await c.post(REGISTER, { username: 'racer2', password: 'pw-racer2' });
    const stageA = await c.post(REGISTER, { username: 'racer1', password: 'pw-racer1', auth: { type: 'm.login.registration_token', token: single, session: a.body.session } });
    expect(stageA.status).toBe(200);
    expect((await c.get(`${VALIDITY}?token=${single}`)).body).toEqual({ valid: false });
    const stageB = await c.post(REGISTER, { username: 'racer2', password: 'pw-racer2', auth: { type: 'm.login.registration_token', token: single, session: b.body.session } });
    expect(stageB.body.errcode).toBe('M_FORBIDDEN');
    const row = await tokenOnly.context.db('registration_tokens').where({ token: single }).first();
    expect(row).toMatchObject({ pending: 0, completed: 1 });
  });

  it('answers 403 when registration is closed', async () => {
    const closed = await startTestServer({ registration: { enabled: false } });
    try {
      const res = await client(closed.url).post(REGISTER, { username: 'x', password: 'y', auth: { type: 'm.login.dummy' } });
      expect(res).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    } finally {
      await closed.destroy();
    }
  });
});
