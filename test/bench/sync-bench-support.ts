// Helpers for the sync benchmarks: many users with tokens written straight into the database
// (argon2 for a thousand accounts would dominate the set-up), and rooms joined through the service.
import { createHash, randomBytes } from 'node:crypto';
import type { Homeserver } from '../../homeserver/dist/main.js';

export interface BenchClientUser {
  userId: string;
  deviceId: string;
  token: string;
}

/** Creates `count` users `${prefix}N` with one device and access token each. */
export async function quickUsers(hs: Homeserver, prefix: string, count: number): Promise<BenchClientUser[]> {
  const db = hs.context.db;
  const server = hs.context.config.server_name;
  const now = Date.now();
  const users = Array.from({ length: count }, (_, i) => ({
    userId: `@${prefix}${i}:${server}`,
    localpart: `${prefix}${i}`,
    deviceId: `DEV${i}`,
    token: `bench_${randomBytes(18).toString('base64url')}`,
  }));
  for (let i = 0; i < users.length; i += 500) {
    const batch = users.slice(i, i + 500);
    await db('users').insert(batch.map((u) => ({ user_id: u.userId, localpart: u.localpart, created_ts: now })));
    await db('devices').insert(batch.map((u) => ({ user_id: u.userId, device_id: u.deviceId, created_ts: now })));
    await db('access_tokens').insert(
      batch.map((u) => ({ token_hash: createHash('sha256').update(u.token).digest(), user_id: u.userId, device_id: u.deviceId, created_ts: now })),
    );
  }
  return users.map(({ userId, deviceId, token }) => ({ userId, deviceId, token }));
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function line(label: string, value: string, target = '', ok?: boolean): void {
  console.log(`${label.padEnd(58)} ${value.padStart(12)}  ${target}${ok === undefined ? '' : ok ? '  ok' : '  MISSED'}`);
}
