// Secrets never reach the log: not in bodies, headers, or query strings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHomeserver, type Homeserver } from '../../homeserver/src/main.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testConfig } from '../support/server.js';
import { client, request } from '../support/http.js';

let hs: Homeserver;
let database: TestDatabase;
let dataDir: string;
let output = '';
const printed: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'parley-log-'));
  const sink = new Writable({
    write(chunk, _enc, done) {
      output += chunk.toString();
      done();
    },
  });
  const config = testConfig(database.url, dataDir, { log_level: 'debug' });
  hs = await startHomeserver(config, { log: pino({ level: 'debug' }, sink), print: (text) => printed.push(text) });
});
afterAll(async () => {
  await hs?.stop();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('logging', () => {
  it('prints the first-run token to the console but not to the log', async () => {
    const token = (await hs.context.accounts.registrationTokens.firstRunToken(false))!;
    expect(printed.join('\n')).toContain(`/#/register?token=${token}`);
    expect(output).toContain('first run');
    expect(output).not.toContain(token);
  });

  it('logs one line per request without passwords or access tokens', async () => {
    const password = 'very-secret-password-4711';
    const reg = await client(hs.url).post('/_matrix/client/v3/register', { username: 'logme', password, auth: { type: 'm.login.dummy' } });
    const accessToken: string = reg.body.access_token;
    await request(hs.url, 'GET', `/_matrix/client/v3/account/whoami?access_token=${accessToken}&password=${password}`);
    await request(hs.url, 'POST', `/_matrix/client/v3/login?access_token=${accessToken}`, {
      body: { type: 'm.login.password', user: 'logme', password: `${password}-wrong` },
    });
    // Force an error path too: its log line carries the error and request details.
    await hs.context.db.raw('ALTER TABLE devices RENAME TO devices_away');
    await request(hs.url, 'GET', `/_matrix/client/v3/devices?access_token=${accessToken}`);
    await hs.context.db.raw('ALTER TABLE devices_away RENAME TO devices');

    expect(output).toContain('"route":"/_matrix/client/v3/account/whoami"');
    expect(output).toContain('request failed');
    expect(output).not.toContain(password);
    expect(output).not.toContain(accessToken);
    expect(output).not.toContain(accessToken.slice(4, 20));
  });
});
