// The Matrix error envelope on the account endpoints, with raw requests a client library would hide.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client, request } from '../support/http.js';
import { registerUser, type TestUser } from '../support/users.js';

let hs: TestServer;
let user: TestUser;
beforeAll(async () => {
  hs = await startTestServer();
  user = await registerUser(hs, 'olga');
});
afterAll(async () => {
  await hs?.destroy();
});

const LOGIN = '/_matrix/client/v3/login';

describe('error envelope', () => {
  it('400 M_NOT_JSON for malformed JSON and non-object bodies', async () => {
    for (const rawBody of ['{"type": ', '[1,2]', '"text"']) {
      const res = await request(hs.url, 'POST', LOGIN, { rawBody, headers: { 'Content-Type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ errcode: 'M_NOT_JSON', error: expect.any(String) });
    }
  });

  it('400 M_MISSING_PARAM / M_BAD_JSON / M_INVALID_PARAM for schema mismatches', async () => {
    const c = client(hs.url);
    expect((await c.post(LOGIN, { password: 'x' })).body.errcode).toBe('M_MISSING_PARAM');
    expect((await c.post(LOGIN, { type: 42 })).body.errcode).toBe('M_BAD_JSON');
    expect((await c.post(LOGIN, { type: 'm.login.password', refresh_token: 'yes' })).body.errcode).toBe('M_BAD_JSON');
    expect((await c.get('/_matrix/client/v3/register/available')).body.errcode).toBe('M_MISSING_PARAM');
    const badKind = await c.post('/_matrix/client/v3/register?kind=robot', {});
    expect(badKind).toMatchObject({ status: 400, body: { errcode: 'M_INVALID_PARAM' } });
    const badKey = await client(hs.url, user.accessToken).put(`/_matrix/client/v3/profile/${user.userId}/Not-A-Key`, { x: 1 });
    expect(badKey).toMatchObject({ status: 400, body: { errcode: 'M_INVALID_PARAM' } });
    const missingField = await client(hs.url, user.accessToken).put(`/_matrix/client/v3/profile/${user.userId}/displayname`, { other: 1 });
    expect(missingField.body.errcode).toBe('M_MISSING_PARAM');
    const unknownType = await c.post(LOGIN, { type: 'm.login.magic' });
    expect(unknownType).toMatchObject({ status: 400, body: { errcode: 'M_UNKNOWN' } });
  });

  it('413 M_TOO_LARGE for an oversized body', async () => {
    const big = JSON.stringify({ type: 'm.login.password', pad: 'x'.repeat(hs.config.max_request_body_bytes) });
    const res = await request(hs.url, 'POST', LOGIN, { rawBody: big, headers: { 'Content-Type': 'application/json' } });
    expect(res).toMatchObject({ status: 413, body: { errcode: 'M_TOO_LARGE' } });
  });

  it('404 for an unknown path and 405 for a wrong method', async () => {
    expect(await request(hs.url, 'GET', '/_matrix/client/v3/account/whoareyou')).toMatchObject({ status: 404, body: { errcode: 'M_UNRECOGNIZED' } });
    expect(await request(hs.url, 'PUT', '/_matrix/client/v3/login')).toMatchObject({ status: 405, body: { errcode: 'M_UNRECOGNIZED' } });
  });

  it('401 for missing, unknown and expired tokens', async () => {
    expect(await request(hs.url, 'GET', '/_matrix/client/v3/account/whoami')).toMatchObject({ status: 401, body: { errcode: 'M_MISSING_TOKEN' } });
    expect(await request(hs.url, 'GET', '/_matrix/client/v3/account/whoami', { token: 'syt_nope' })).toMatchObject({
      status: 401,
      body: { errcode: 'M_UNKNOWN_TOKEN', soft_logout: false },
    });
    const viaQuery = await request(hs.url, 'GET', `/_matrix/client/v3/account/whoami?access_token=${user.accessToken}`);
    expect(viaQuery.body.user_id).toBe(user.userId);
    const login = await client(hs.url).post(LOGIN, { type: 'm.login.password', user: 'olga', password: user.password, refresh_token: true });
    await hs.context.db('access_tokens').where({ device_id: login.body.device_id }).update({ expires_ts: Date.now() - 1 });
    expect(await request(hs.url, 'GET', '/_matrix/client/v3/account/whoami', { token: login.body.access_token })).toMatchObject({
      status: 401,
      body: { errcode: 'M_UNKNOWN_TOKEN', soft_logout: true },
    });
  });

  it('403 M_FORBIDDEN when editing someone else’s profile', async () => {
    const other = await registerUser(hs, 'pete');
    const res = await client(hs.url, other.accessToken).put(`/_matrix/client/v3/profile/${user.userId}/displayname`, { displayname: 'hacked' });
    expect(res).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
  });

  it('500 M_UNKNOWN with a request id and no stack for an unexpected failure', async () => {
    const db = hs.context.db;
    await db.raw('ALTER TABLE devices RENAME TO devices_away');
    try {
      const res = await request(hs.url, 'GET', '/_matrix/client/v3/devices', { token: user.accessToken });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ errcode: 'M_UNKNOWN', error: 'Internal server error', request_id: res.headers.get('x-request-id') });
      expect(JSON.stringify(res.body)).not.toMatch(/devices_away|at .*\.ts/);
    } finally {
      await db.raw('ALTER TABLE devices_away RENAME TO devices');
    }
  });
});

describe('timing of failed logins', () => {
  it('answers a wrong password, an unknown user and a right password after about the same time', async () => {
    const c = client(hs.url);
    const time = async (user: string, password: string) => {
      const started = performance.now();
      await c.post(LOGIN, { type: 'm.login.password', identifier: { type: 'm.id.user', user }, password });
      return performance.now() - started;
    };
    await time('nobody-warmup', 'x');
    // Interleaved rounds, so a burst of load elsewhere on the machine hits all three alike.
    const rounds = { right: [] as number[], wrong: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 7; i++) {
      rounds.right.push(await time('olga', user.password));
      rounds.wrong.push(await time('olga', 'wrong-password'));
      rounds.unknown.push(await time('nobody', 'wrong-password'));
    }
    const median = (t: number[]) => [...t].sort((a, b) => a - b)[3];
    const [right, wrong, unknown] = [median(rounds.right), median(rounds.wrong), median(rounds.unknown)];
    // All three spend one argon2 verification (tens of ms); the rest is a few ms of database work.
    expect(Math.abs(wrong - right)).toBeLessThan(right * 0.5);
    expect(Math.abs(unknown - right)).toBeLessThan(right * 0.5);
  });
});
