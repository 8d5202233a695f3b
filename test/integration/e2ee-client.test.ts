// Real end-to-end encryption between matrix-js-sdk clients with the Rust crypto (WASM):
// encrypted messages decrypt on both sides, cross-signing bootstraps, a key backup is created
// and filled, and a new device of a user shows up for the user's other devices and contacts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, MatrixEventEvent, Preset, type MatrixClient, type MatrixEvent } from 'matrix-js-sdk';
import { startTestServer, type TestServer } from '../support/server.js';
import { sdkUser, type RoomTestUser } from '../support/rooms.js';
import { client as raw } from '../support/http.js';
import { startSyncing, waitFor } from '../support/sync.js';

let hs: TestServer;
let alice: RoomTestUser;
let bob: RoomTestUser;
let roomId: string;
const extraClients: MatrixClient[] = [];

async function withCrypto(user: RoomTestUser): Promise<void> {
  await user.client.initRustCrypto({ useIndexedDB: false });
  await startSyncing(user.client);
}

/** The decrypted body of the message `eventId` once the client has it. */
async function decryptedBody(client: MatrixClient, eventId: string): Promise<string> {
  const event = await waitFor(client, () => client.getRoom(roomId)?.findEventById(eventId), 15_000, `event ${eventId}`);
  if (event.isBeingDecrypted() || event.getType() === 'm.room.encrypted') {
    await new Promise<void>((resolve) => {
      const done = (e: MatrixEvent) => e.getType() !== 'm.room.encrypted' && resolve();
      event.on(MatrixEventEvent.Decrypted, done);
      if (event.getType() !== 'm.room.encrypted') resolve();
    });
  }
  expect(event.isDecryptionFailure()).toBe(false);
  return event.getContent().body as string;
}

beforeAll(async () => {
  hs = await startTestServer();
  alice = await sdkUser(hs, 'alice');
  bob = await sdkUser(hs, 'bob');
  await withCrypto(alice);
  await withCrypto(bob);
  ({ room_id: roomId } = await alice.client.createRoom({
    preset: Preset.PrivateChat,
    invite: [bob.userId],
    initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
  }));
  await waitFor(bob.client, () => bob.client.getRoom(roomId)?.getMyMembership() === 'invite', 10_000, 'invite');
  await bob.client.joinRoom(roomId);
  await waitFor(alice.client, () => alice.client.getRoom(roomId)?.getMember(bob.userId)?.membership === 'join', 10_000, 'join');
}, 120_000);
afterAll(async () => {
  for (const c of [alice?.client, bob?.client, ...extraClients]) c?.stopClient();
  await hs?.destroy();
});

describe('end-to-end encryption', () => {
  it('uploads device keys and one-time keys', async () => {
    const res = await raw(hs.url, alice.accessToken).post('/_matrix/client/v3/keys/query', { device_keys: { [bob.userId]: [] } });
    expect(Object.keys(res.body.device_keys[bob.userId])).toContain(bob.deviceId);
    const counts = await raw(hs.url, bob.accessToken).post('/_matrix/client/v3/keys/upload', {});
    expect(counts.body.one_time_key_counts.signed_curve25519).toBeGreaterThan(0);
  });

  it('exchanges encrypted messages that decrypt on both sides', async () => {
    const { event_id: first } = await alice.client.sendTextMessage(roomId, 'secret from alice');
    const stored = await raw(hs.url, bob.accessToken).get(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(first)}`);
    expect(stored.body.type).toBe('m.room.encrypted');
    expect(await decryptedBody(bob.client, first)).toBe('secret from alice');
    const { event_id: reply } = await bob.client.sendTextMessage(roomId, 'secret from bob');
    expect(await decryptedBody(alice.client, reply)).toBe('secret from bob');
  });

  it('bootstraps cross-signing', async () => {
    const crypto = alice.client.getCrypto()!;
    await crypto.bootstrapCrossSigning({
      setupNewCrossSigning: true,
      authUploadDeviceSigningKeys: async (makeRequest) => {
        await makeRequest({ type: 'm.login.password', identifier: { type: 'm.id.user', user: alice.userId }, password: alice.password } as never);
      },
    });
    expect(await crypto.isCrossSigningReady()).toBe(true);
    const keys = await raw(hs.url, bob.accessToken).post('/_matrix/client/v3/keys/query', { device_keys: { [alice.userId]: [] } });
    expect(keys.body.master_keys[alice.userId].usage).toEqual(['master']);
    expect(keys.body.self_signing_keys[alice.userId]).toBeDefined();
    expect(keys.body.user_signing_keys?.[alice.userId]).toBeUndefined();
    // Alice's device is signed by her self-signing key.
    const device = keys.body.device_keys[alice.userId][alice.deviceId];
    expect(Object.keys(device.signatures[alice.userId]).length).toBeGreaterThanOrEqual(2);
  });

  it('creates a key backup and backs up room keys', async () => {
    const crypto = alice.client.getCrypto()!;
    await crypto.resetKeyBackup();
    const version = await raw(hs.url, alice.accessToken).get('/_matrix/client/v3/room_keys/version');
    expect(version.status).toBe(200);
    expect(version.body.algorithm).toBe('m.megolm_backup.v1.curve25519-aes-sha2');
    await alice.client.sendTextMessage(roomId, 'backed up');
    let count = 0;
    for (let i = 0; i < 100 && count === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      count = (await raw(hs.url, alice.accessToken).get('/_matrix/client/v3/room_keys/version')).body.count;
    }
    expect(count).toBeGreaterThan(0);
    expect(await crypto.getActiveSessionBackupVersion()).toBe(version.body.version);
  });

  it("tells a user's other devices and contacts about a new device", async () => {
    const login = await raw(hs.url).post('/_matrix/client/v3/login', {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: 'alice' },
      password: alice.password,
      initial_device_display_name: 'second',
    });
    expect(login.status).toBe(200);
    const second = createClient({ baseUrl: hs.url, accessToken: login.body.access_token, userId: alice.userId, deviceId: login.body.device_id });
    extraClients.push(second);
    await second.initRustCrypto({ useIndexedDB: false });
    await startSyncing(second);
    const hasNewDevice = async (c: MatrixClient) => (await c.getCrypto()!.getUserDeviceInfo([alice.userId])).get(alice.userId)?.has(login.body.device_id);
    for (const c of [alice.client, bob.client]) {
      let seen = false;
      for (let i = 0; i < 100 && !seen; i++) {
        seen = !!(await hasNewDevice(c));
        if (!seen) await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toBe(true);
    }
    // And the new device reads new messages in the room.
    const { event_id } = await bob.client.sendTextMessage(roomId, 'hello both devices');
    const event = await waitFor(second, () => second.getRoom(roomId)?.findEventById(event_id), 15_000, 'event on second device');
    await waitFor(second, () => event.getType() === 'm.room.message' && !event.isDecryptionFailure(), 15_000, 'decrypted on second device').catch(() => undefined);
    expect(event.getContent().body).toBe('hello both devices');
  });

  it('asks for the password (UIA) to replace cross-signing keys, not to upload the first ones', async () => {
    const carol = await sdkUser(hs, 'carol');
    const api = raw(hs.url, carol.accessToken);
    const master = (k: string) => ({ master_key: { user_id: carol.userId, usage: ['master'], keys: { [`ed25519:${k}`]: k } } });
    expect((await api.post('/_matrix/client/v3/keys/device_signing/upload', master('A'.repeat(43)))).status).toBe(200);
    expect((await api.post('/_matrix/client/v3/keys/device_signing/upload', master('A'.repeat(43)))).status).toBe(200);
    const challenge = await api.post('/_matrix/client/v3/keys/device_signing/upload', master('B'.repeat(43)));
    expect(challenge.status).toBe(401);
    expect(challenge.body.flows).toEqual([{ stages: ['m.login.password'] }]);
    const auth = { type: 'm.login.password', identifier: { type: 'm.id.user', user: carol.userId }, password: carol.password, session: challenge.body.session };
    expect((await api.post('/_matrix/client/v3/keys/device_signing/upload', { ...master('B'.repeat(43)), auth })).status).toBe(200);
    const keys = await api.post('/_matrix/client/v3/keys/query', { device_keys: { [carol.userId]: [] } });
    expect(Object.keys(keys.body.master_keys[carol.userId].keys)).toEqual([`ed25519:${'B'.repeat(43)}`]);
  });
});
