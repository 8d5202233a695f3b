// Creating users in tests without going through registration's UIA dance.
import type { Homeserver } from '../../homeserver/src/main.js';

export interface TestUser {
  userId: string;
  accessToken: string;
  deviceId: string;
  password: string;
}

/**
 * Creates `@localpart:<server_name>` directly through the account service of an in-process
 * test server (works whatever the registration config) and logs it in on a new device.
 * Unlike real registration, the first user is not made an admin unless `admin: true`.
 */
export async function registerUser(
  server: Homeserver,
  localpart: string,
  opts: { password?: string; admin?: boolean; displayname?: string } = {},
): Promise<TestUser> {
  const password = opts.password ?? `${localpart}-password`;
  const { accounts, db } = server.context;
  const created = await accounts.registration.createAccount(
    { localpart, password, admin: opts.admin, displayname: opts.displayname, allowReserved: true },
    { deviceDisplayName: 'test' },
  );
  if (created.admin !== (opts.admin ?? false)) await db('users').where({ user_id: created.userId }).update({ admin: opts.admin ?? false });
  return { userId: created.userId, accessToken: created.tokens!.access_token, deviceId: created.tokens!.device_id, password };
}
