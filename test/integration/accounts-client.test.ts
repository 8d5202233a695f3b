// Accounts driven by matrix-js-sdk as a real client: register (dummy UIA), login, whoami, devices,
// profile, password change, refresh, logout, deactivation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, MatrixError, type MatrixClient } from 'matrix-js-sdk';
import { startTestServer, type TestServer } from '../support/server.js';

let hs: TestServer;
const clients: MatrixClient[] = [];
beforeAll(async () => {
  hs = await startTestServer();
});
afterAll(async () => {
  for (const c of clients) c.stopClient();
  await hs?.destroy();
});

function sdk(opts: { accessToken?: string; userId?: string; deviceId?: string; refreshToken?: string } = {}): MatrixClient {
  const c = createClient({ baseUrl: hs.url, ...opts, logger: silentLogger });
  clients.push(c);
  return c;
}

const noop = () => {};
const silentLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, getChild: () => silentLogger } as never;

async function uiaError(p: Promise<unknown>): Promise<MatrixError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MatrixError);
  return err as MatrixError;
}

async function loginAs(user: string, password: string, extra: Record<string, unknown> = {}) {
  return sdk().loginRequest({ type: 'm.login.password', identifier: { type: 'm.id.user', user }, password, ...extra });
}

describe('accounts through matrix-js-sdk', () => {
  it('registers with the dummy flow after reading the flows from the 401', async () => {
    const anon = sdk();
    const challenge = await uiaError(anon.registerRequest({ username: 'carol', password: 'carol-password-1' }));
    expect(challenge.httpStatus).toBe(401);
    expect(challenge.data.flows).toContainEqual({ stages: ['m.login.dummy'] });
    const session = challenge.data.session as string;
    const res = await anon.registerRequest({
      username: 'carol',
      password: 'carol-password-1',
      initial_device_display_name: 'Carol phone',
      auth: { type: 'm.login.dummy', session },
    });
    expect(res.user_id).toBe('@carol:localhost');
    expect(res.device_id).toBeTruthy();
    const carol = sdk({ accessToken: res.access_token, userId: res.user_id, deviceId: res.device_id });
    expect(await carol.whoami()).toMatchObject({ user_id: '@carol:localhost', device_id: res.device_id, is_guest: false });
    expect(await anon.isUsernameAvailable('nobody-yet')).toBe(true);
    expect(await anon.isUsernameAvailable('carol')).toBe(false);
  });

  it('logs in by localpart, by user id and with the legacy user field; rejects a wrong password', async () => {
    await sdk().register('dave', 'dave-password-1', null, { type: 'm.login.dummy' });
    expect(await sdk().loginFlows()).toEqual({ flows: [{ type: 'm.login.password' }] });
    const a = await loginAs('dave', 'dave-password-1');
    const b = await loginAs('@dave:localhost', 'dave-password-1');
    const c = await sdk().loginRequest({ type: 'm.login.password', user: 'DAVE', password: 'dave-password-1' } as never);
    expect(new Set([a.device_id, b.device_id, c.device_id]).size).toBe(3);
    for (const r of [a, b, c]) expect(r.user_id).toBe('@dave:localhost');
    await expect(loginAs('dave', 'wrong')).rejects.toMatchObject({ httpStatus: 403, errcode: 'M_FORBIDDEN' });
    await expect(loginAs('nobody', 'wrong')).rejects.toMatchObject({ httpStatus: 403, errcode: 'M_FORBIDDEN' });
  });

  it('lists, renames and deletes devices behind password UIA', async () => {
    await sdk().register('erin', 'erin-password-1', null, { type: 'm.login.dummy' }, undefined, undefined, true);
    const one = await loginAs('erin', 'erin-password-1', { initial_device_display_name: 'laptop' });
    const two = await loginAs('erin', 'erin-password-1', { device_id: 'ERINTWO' });
    const three = await loginAs('erin', 'erin-password-1');
    const erin = sdk({ accessToken: one.access_token, userId: one.user_id, deviceId: one.device_id });
    const { devices } = await erin.getDevices();
    expect(devices.map((d) => d.device_id).sort()).toEqual([one.device_id, 'ERINTWO', three.device_id].sort());
    expect(devices.find((d) => d.device_id === one.device_id)).toMatchObject({ display_name: 'laptop', last_seen_ip: expect.any(String) });
    await erin.setDeviceDetails('ERINTWO', { display_name: 'tablet' });
    expect(await erin.getDevice('ERINTWO')).toMatchObject({ device_id: 'ERINTWO', display_name: 'tablet' });
    await expect(erin.getDevice('NOPE')).rejects.toMatchObject({ httpStatus: 404 });

    const challenge = await uiaError(erin.deleteDevice('ERINTWO'));
    expect(challenge.data.flows).toEqual([{ stages: ['m.login.password'] }]);
    const wrong = await uiaError(
      erin.deleteDevice('ERINTWO', { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'erin' }, password: 'nope', session: challenge.data.session } as never),
    );
    expect(wrong.httpStatus).toBe(401);
    expect(wrong.data.errcode).toBe('M_FORBIDDEN');
    await erin.deleteDevice('ERINTWO', { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'erin' }, password: 'erin-password-1', session: challenge.data.session } as never);
    await expect(sdk({ accessToken: two.access_token }).whoami()).rejects.toMatchObject({ errcode: 'M_UNKNOWN_TOKEN' });

    await erin.deleteMultipleDevices([three.device_id], { type: 'm.login.password', identifier: { type: 'm.id.user', user: '@erin:localhost' }, password: 'erin-password-1' } as never);
    expect((await erin.getDevices()).devices.map((d) => d.device_id)).toEqual([one.device_id]);
  });

  it('sets and reads the profile and tells the profile hooks', async () => {
    const reg = await sdk().register('frank', 'frank-password-1', null, { type: 'm.login.dummy' });
    const frank = sdk({ accessToken: reg.access_token, userId: reg.user_id, deviceId: reg.device_id });
    const changes: unknown[] = [];
    hs.context.accounts.profiles.onProfileChanged.push((c) => void changes.push(c));
    expect(await frank.getProfileInfo('@frank:localhost')).toEqual({ displayname: 'frank' });
    await frank.setDisplayName('Frank Zappa');
    await frank.setAvatarUrl('mxc://localhost/abc');
    expect(await sdk().getProfileInfo('@frank:localhost')).toEqual({ displayname: 'Frank Zappa', avatar_url: 'mxc://localhost/abc' });
    expect(await sdk().getProfileInfo('@frank:localhost', 'displayname')).toEqual({ displayname: 'Frank Zappa' });
    expect(changes).toContainEqual({ userId: '@frank:localhost', displayname: 'Frank Zappa', avatar_url: 'mxc://localhost/abc' });
    await expect(sdk().getProfileInfo('@ghost:localhost')).rejects.toMatchObject({ httpStatus: 404 });
  });

  it('changes the password behind UIA and logs out the other devices', async () => {
    const reg = await sdk().register('gina', 'gina-password-1', null, { type: 'm.login.dummy' });
    const other = await loginAs('gina', 'gina-password-1');
    const gina = sdk({ accessToken: reg.access_token, userId: reg.user_id, deviceId: reg.device_id });
    await gina.setPassword({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'gina' }, password: 'gina-password-1' } as never, 'gina-password-2', true);
    await expect(sdk({ accessToken: other.access_token }).whoami()).rejects.toMatchObject({ errcode: 'M_UNKNOWN_TOKEN' });
    expect((await gina.whoami()).user_id).toBe('@gina:localhost');
    await expect(loginAs('gina', 'gina-password-1')).rejects.toMatchObject({ errcode: 'M_FORBIDDEN' });
    await loginAs('gina', 'gina-password-2');
  });

  it('refreshes tokens: the old refresh token works until the new pair is used, then dies', async () => {
    await sdk().register('hank', 'hank-password-1', null, { type: 'm.login.dummy' }, undefined, undefined, true);
    const first = await loginAs('hank', 'hank-password-1', { refresh_token: true });
    expect(first.refresh_token).toBeTruthy();
    expect(first.expires_in_ms).toBe(hs.config.auth.access_token_lifetime_ms);
    const anon = sdk();
    const second = await anon.refreshToken(first.refresh_token!);
    // Not used yet: the old refresh token may be exchanged again (e.g. the answer was lost).
    const third = await anon.refreshToken(first.refresh_token!);
    await expect(sdk({ accessToken: second.access_token }).whoami()).rejects.toMatchObject({ errcode: 'M_UNKNOWN_TOKEN' });
    expect((await sdk({ accessToken: third.access_token }).whoami()).user_id).toBe('@hank:localhost');
    await expect(anon.refreshToken(first.refresh_token!)).rejects.toMatchObject({ httpStatus: 401, errcode: 'M_UNKNOWN_TOKEN' });
    await expect(sdk({ accessToken: first.access_token }).whoami()).rejects.toMatchObject({ errcode: 'M_UNKNOWN_TOKEN' });
    const fourth = await anon.refreshToken(third.refresh_token!);
    expect((await sdk({ accessToken: fourth.access_token }).whoami()).device_id).toBe(first.device_id);
  });

  it('lets the SDK refresh an expired access token by itself', async () => {
    await sdk().register('ivy', 'ivy-password-1', null, { type: 'm.login.dummy' }, undefined, undefined, true);
    const login = await loginAs('ivy', 'ivy-password-1', { refresh_token: true });
    await hs.context.db('access_tokens').where({ device_id: login.device_id }).update({ expires_ts: Date.now() - 1 });
    const expired = await sdk({ accessToken: login.access_token }).whoami().catch((e: MatrixError) => e);
    expect(expired).toMatchObject({ httpStatus: 401, errcode: 'M_UNKNOWN_TOKEN', data: { soft_logout: true } });
    const ivy = createClient({
      baseUrl: hs.url,
      accessToken: login.access_token,
      refreshToken: login.refresh_token,
      userId: login.user_id,
      logger: silentLogger,
      tokenRefreshFunction: async (refreshToken) => {
        const r = await sdk().refreshToken(refreshToken);
        return { accessToken: r.access_token, refreshToken: r.refresh_token, expiry: new Date(Date.now() + (r.expires_in_ms ?? 0)) };
      },
    });
    clients.push(ivy);
    expect((await ivy.whoami()).user_id).toBe('@ivy:localhost');
  });

  it('logs out one device, then all', async () => {
    await sdk().register('jack', 'jack-password-1', null, { type: 'm.login.dummy' }, undefined, undefined, true);
    const a = await loginAs('jack', 'jack-password-1');
    const b = await loginAs('jack', 'jack-password-1');
    const c = await loginAs('jack', 'jack-password-1');
    const jackA = sdk({ accessToken: a.access_token, userId: a.user_id, deviceId: a.device_id });
    await jackA.logout();
    await expect(sdk({ accessToken: a.access_token }).whoami()).rejects.toMatchObject({ errcode: 'M_UNKNOWN_TOKEN' });
    const jackB = sdk({ accessToken: b.access_token, userId: b.user_id, deviceId: b.device_id });
    expect((await jackB.getDevices()).devices.map((d) => d.device_id).sort()).toEqual([b.device_id, c.device_id].sort());
    await jackB.http.authedRequest('POST' as never, '/logout/all');
    await expect(sdk({ accessToken: c.access_token }).whoami()).rejects.toMatchObject({ errcode: 'M_UNKNOWN_TOKEN' });
  });

  it('deactivates an account behind UIA', async () => {
    const reg = await sdk().register('kate', 'kate-password-1', null, { type: 'm.login.dummy' });
    const kate = sdk({ accessToken: reg.access_token, userId: reg.user_id, deviceId: reg.device_id });
    const deactivated: string[] = [];
    hs.context.accounts.account.onDeactivated.push((userId) => void deactivated.push(userId));
    const challenge = await uiaError(kate.deactivateAccount());
    expect(challenge.httpStatus).toBe(401);
    const res = await kate.deactivateAccount({ type: 'm.login.password', user: 'kate', password: 'kate-password-1', session: challenge.data.session } as never, true);
    expect(res).toEqual({ id_server_unbind_result: 'no-support' });
    expect(deactivated).toEqual(['@kate:localhost']);
    await expect(kate.whoami()).rejects.toMatchObject({ errcode: 'M_UNKNOWN_TOKEN' });
    await expect(loginAs('kate', 'kate-password-1')).rejects.toMatchObject({ httpStatus: 403 });
    expect(await sdk().isUsernameAvailable('kate')).toBe(false);
  });
});
