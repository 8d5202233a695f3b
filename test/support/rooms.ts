// Helpers for the room tests: users as matrix-js-sdk clients.
import { logger } from 'matrix-js-sdk/lib/logger.js';
import { createClient, type MatrixClient } from 'matrix-js-sdk';
import { registerUser, type TestUser } from './users.js';
import type { TestServer } from './server.js';

// The SDK's logger is a loglevel logger; its declared type leaves setLevel out.
(logger as unknown as { setLevel(level: string): void }).setLevel('warn');

export interface RoomTestUser extends TestUser {
  client: MatrixClient;
}

export async function sdkUser(hs: TestServer, localpart: string, opts: { displayname?: string } = {}): Promise<RoomTestUser> {
  const user = await registerUser(hs, localpart, opts);
  const client = createClient({ baseUrl: hs.url, accessToken: user.accessToken, userId: user.userId, deviceId: user.deviceId });
  return { ...user, client };
}

/** The Matrix error code a js-sdk call failed with. */
export async function errcodeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { errcode?: string }).errcode ?? String(err);
  }
}
