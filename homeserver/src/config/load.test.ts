import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, validateConfig } from './load.js';
import { generateConfigYaml } from './generate.js';

function configFile(yaml: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'parley-config-')), 'parley.yaml');
  writeFileSync(file, yaml);
  return file;
}

describe('configuration', () => {
  it('works without a file, with defaults', () => {
    const c = loadConfig({ env: {}, cwd: '/srv/parley' });
    expect(c.server_name).toBe('localhost');
    expect(c.listeners.client.port).toBe(8008);
    expect(c.database.url).toBe('embedded');
    expect(c.registration).toMatchObject({ enabled: true, require_token: true });
    expect(c.paths.embeddedPostgres).toBe('/srv/parley/data/postgres');
    expect(c.public_baseurl).toBe('http://localhost:8008');
  });

  it('stops on a bad value with a message naming the key', () => {
    const file = configFile('server_name: example.org\nlisteners:\n  client:\n    port: 99999\n');
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ file, env: {} })).toThrow(/config key "listeners\.client\.port"/);
    expect(() => validateConfig({ server_name: 'x', registration: { enabled: 'yes' } })).toThrow(/registration\.enabled/);
    expect(() => validateConfig({ server_name: 'x', surprise: 1 })).toThrow(/surprise/);
    expect(() => loadConfig({ file: configFile('- a list'), env: {} })).toThrow(/mapping/);
  });

  it('lets environment variables override the file', () => {
    const file = configFile('server_name: file.example\nregistration:\n  require_token: true\n');
    const c = loadConfig({
      file,
      env: {
        PARLEY_SERVER_NAME: 'env.example',
        PARLEY_PORT: '9000',
        PARLEY_DATA_DIR: '/var/lib/parley',
        PARLEY_REGISTRATION: 'open',
        DATABASE_URL: 'postgres://u@db/parley',
        REDIS_URL: 'redis://cache:6379',
      },
    });
    expect(c.server_name).toBe('env.example');
    expect(c.listeners.client.port).toBe(9000);
    expect(c.paths.dataDir).toBe('/var/lib/parley');
    expect(c.registration).toMatchObject({ enabled: true, require_token: false });
    expect(c.database.url).toBe('postgres://u@db/parley');
    expect(c.redis_url).toBe('redis://cache:6379');
    expect(loadConfig({ env: { PARLEY_REGISTRATION: 'closed' } }).registration.enabled).toBe(false);
    expect(() => loadConfig({ env: { PARLEY_REGISTRATION: 'maybe' } })).toThrow(/PARLEY_REGISTRATION/);
    expect(() => loadConfig({ env: { PARLEY_PORT: 'eighty' } })).toThrow(/PARLEY_PORT/);
  });

  it('generates a file that parses and validates', () => {
    const yaml = generateConfigYaml({ serverName: 'chat.example.org' });
    const c = loadConfig({ file: configFile(yaml), env: {} });
    expect(c.server_name).toBe('chat.example.org');
    expect(c.registration.shared_secret).toMatch(/.{16,}/);
    expect(parseYaml(yaml)).toMatchObject({ server_name: 'chat.example.org', log_level: 'info' });
  });
});
