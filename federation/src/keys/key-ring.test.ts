import { describe, expect, it } from 'vitest';
import { encodeBase64, publicKeyOf, signJson } from '@parley/spec';
import '@parley/spec/crypto-node';
import { MemoryKeyStore } from '../test-support/fakes.js';
import { KeyRing } from './key-ring.js';
import { OwnServerKeys } from './own-keys.js';

const seedA = new Uint8Array(32).fill(1);
const seedB = new Uint8Array(32).fill(2);
const pub = (seed: Uint8Array) => encodeBase64(publicKeyOf(seed));

function keyResponse(server: string, keys: Record<string, Uint8Array>, validUntil: number, signWith = Object.entries(keys)[0]) {
  const body = {
    server_name: server,
    verify_keys: Object.fromEntries(Object.entries(keys).map(([id, seed]) => [id, { key: pub(seed) }])),
    old_verify_keys: {},
    valid_until_ts: validUntil,
  };
  return signJson(body, server, signWith[0], signWith[1]);
}

function setup(opts: { published?: Record<string, Uint8Array>; fail?: boolean; interval?: number } = {}) {
  let now = 1_000_000;
  const store = new MemoryKeyStore();
  const fetches: string[] = [];
  const failures: string[] = [];
  let published = opts.published ?? { 'ed25519:a': seedA };
  const ring = new KeyRing({
    store,
    own: new OwnServerKeys({ serverName: 'me.test', key: { keyId: 'ed25519:me', seed: seedB }, now: () => now }),
    pinned: { 'pinned.test': { 'ed25519:p': pub(seedB) } },
    minRefetchIntervalMs: opts.interval ?? 60_000,
    now: () => now,
    fetchKeys: async (server) => {
      fetches.push(server);
      await new Promise((r) => setTimeout(r, 5));
      if (opts.fail) throw new Error('unreachable');
      return keyResponse(server, published, now + 3_600_000);
    },
    onFetchFailed: (server, reason) => failures.push(`${server}: ${reason}`),
  });
  return {
    ring, store, fetches, failures,
    advance: (ms: number) => void (now += ms),
    publish: (keys: Record<string, Uint8Array>) => void (published = keys),
  };
}

describe('KeyRing', () => {
  it('fetches an unknown server once for concurrent lookups, stores and then serves from the cache', async () => {
    const t = setup();
    const keys = await Promise.all([1, 2, 3].map(() => t.ring.verifyKey('a.test', 'ed25519:a')));
    for (const k of keys) expect(encodeBase64(k!)).toBe(pub(seedA));
    expect(t.fetches).toEqual(['a.test']);
    expect([...t.store.rows.keys()]).toEqual(['a.test ed25519:a']);
    await t.ring.verifyKey('a.test', 'ed25519:a');
    expect(t.fetches).toHaveLength(1);
  });

  it('refetches for an unknown key id at most once per interval', async () => {
    const t = setup();
    await t.ring.verifyKey('a.test', 'ed25519:a');
    expect(await t.ring.verifyKey('a.test', 'ed25519:new')).toBeUndefined();
    expect(t.fetches).toHaveLength(1);
    t.advance(60_000);
    t.publish({ 'ed25519:a': seedA, 'ed25519:new': seedB });
    expect(encodeBase64((await t.ring.verifyKey('a.test', 'ed25519:new'))!)).toBe(pub(seedB));
    expect(t.fetches).toHaveLength(2);
  });

  it('refetches a key whose validity ended, and refuses it when the server does not answer', async () => {
    const t = setup();
    await t.ring.verifyKey('a.test', 'ed25519:a');
    t.advance(3_600_001);
    expect(await t.ring.verifyKey('a.test', 'ed25519:a')).toBeDefined();
    expect(t.fetches).toHaveLength(2);

    const down = setup({ fail: true });
    expect(await down.ring.verifyKey('down.test', 'ed25519:a')).toBeUndefined();
    expect(down.failures).toEqual(['down.test: unreachable']);
  });

  it('does not trust a response signed with the wrong key', async () => {
    const t = setup({ published: { 'ed25519:a': seedA } });
    // The fake signs with the first listed key; list one key but claim it with another's seed.
    t.publish({ 'ed25519:a': seedA });
    const ring = new KeyRing({
      store: t.store,
      own: new OwnServerKeys({ serverName: 'me.test', key: { keyId: 'ed25519:me', seed: seedB } }),
      fetchKeys: async (server) => keyResponse(server, { 'ed25519:a': seedA }, Date.now() + 1000, ['ed25519:a', seedB]),
    });
    expect(await ring.verifyKey('evil.test', 'ed25519:a')).toBeUndefined();
    expect(t.store.rows.size).toBe(0);
  });

  it('uses pinned keys without fetching, and its own key', async () => {
    const t = setup();
    expect(encodeBase64((await t.ring.verifyKey('pinned.test', 'ed25519:p'))!)).toBe(pub(seedB));
    expect(await t.ring.verifyKey('pinned.test', 'ed25519:other')).toBeUndefined();
    expect(encodeBase64((await t.ring.verifyKey('me.test', 'ed25519:me'))!)).toBe(pub(seedB));
    expect(t.fetches).toEqual([]);
  });

  it('reads keys another process stored before fetching', async () => {
    const t = setup();
    const first = setup();
    await first.ring.verifyKey('a.test', 'ed25519:a');
    for (const row of first.store.rows.values()) await t.store.save([row]);
    expect(await t.ring.verifyKey('a.test', 'ed25519:a')).toBeDefined();
    expect(t.fetches).toEqual([]);
  });
});
