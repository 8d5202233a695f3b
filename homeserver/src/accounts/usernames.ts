// Username rules for registration: https://spec.matrix.org/v1.19/appendices/#user-identifiers
import { randomBytes } from 'node:crypto';
import { Errors, MAX_ID_BYTES, isValidUserLocalpart } from '@parley/spec';

/** Localparts no one may register: `_`-prefixed names are left to application services. */
const RESERVED = new Set(['parley', 'admin', 'administrator', 'root', 'server', 'system', 'server-notices', 'notices']);

export function isReservedLocalpart(localpart: string): boolean {
  return localpart.startsWith('_') || RESERVED.has(localpart);
}

export function userIdFor(localpart: string, serverName: string): string {
  return `@${localpart}:${serverName}`;
}

/**
 * Normalises a requested username (clients may send mixed case) and checks it.
 * Throws M_INVALID_USERNAME or M_EXCLUSIVE; returns the localpart.
 */
export function checkNewLocalpart(username: string, serverName: string, { allowReserved = false } = {}): string {
  const localpart = username.toLowerCase();
  if (localpart.length === 0) throw Errors.invalidUsername('User ID cannot be empty');
  if (!isValidUserLocalpart(localpart))
    throw Errors.invalidUsername('User ID can only contain characters a-z, 0-9, or "._=-/+"');
  if (Buffer.byteLength(userIdFor(localpart, serverName)) > MAX_ID_BYTES) throw Errors.invalidUsername('User ID is too long');
  if (!allowReserved && isReservedLocalpart(localpart)) throw Errors.exclusive('This user ID is reserved');
  return localpart;
}

export function randomLocalpart(): string {
  return `u${randomBytes(6).toString('hex')}`;
}

/** Accepts a localpart or a full user ID on this server; returns the localpart or undefined. */
export function localpartOf(user: string, serverName: string): string | undefined {
  if (!user.startsWith('@')) return user.toLowerCase();
  const colon = user.indexOf(':');
  if (colon < 0 || user.slice(colon + 1) !== serverName) return undefined;
  return user.slice(1, colon).toLowerCase();
}
