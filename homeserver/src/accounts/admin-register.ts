// Shared-secret registration as Synapse does it, so `register_new_matrix_user` works:
// GET gives a nonce; POST carries mac = hex(HMAC-SHA1(secret, nonce NUL user NUL password NUL "admin"|"notadmin")).
// https://element-hq.github.io/synapse/latest/admin_api/register_api.html
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Errors, MatrixError } from '@parley/spec';
import type { Database } from '../db/database.js';

const NONCE_LIFETIME_MS = 60_000;

export function registrationMac(secret: string, nonce: string, user: string, password: string, admin: boolean): string {
  return createHmac('sha1', secret)
    .update(nonce)
    .update('\0')
    .update(user)
    .update('\0')
    .update(password)
    .update('\0')
    .update(admin ? 'admin' : 'notadmin')
    .digest('hex');
}

export class AdminRegistrationNonces {
  constructor(private readonly db: Database) {}

  async issue(): Promise<string> {
    const nonce = randomBytes(16).toString('hex');
    await this.db('admin_register_nonces').where('created_ts', '<', Date.now() - NONCE_LIFETIME_MS).delete();
    await this.db('admin_register_nonces').insert({ nonce, created_ts: Date.now() });
    return nonce;
  }

  /** Consumes the nonce (single use) and checks the MAC; throws the error Synapse gives. */
  async verify(secret: string | undefined, req: { nonce: string; username: string; password: string; admin: boolean; mac: string }): Promise<void> {
    if (!secret) throw new MatrixError(400, 'M_UNKNOWN', 'Shared secret registration is not enabled');
    const deleted = await this.db('admin_register_nonces')
      .where({ nonce: req.nonce })
      .where('created_ts', '>=', Date.now() - NONCE_LIFETIME_MS)
      .delete();
    if (deleted === 0) throw new MatrixError(400, 'M_UNKNOWN', 'unrecognised nonce');
    const expected = Buffer.from(registrationMac(secret, req.nonce, req.username, req.password, req.admin), 'hex');
    const given = Buffer.from(req.mac, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw Errors.forbidden('HMAC incorrect');
  }
}
