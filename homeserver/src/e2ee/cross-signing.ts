// Cross-signing keys and signatures: https://spec.matrix.org/v1.19/client-server-api/#cross-signing
import type { Knex } from 'knex';
import { Errors, MatrixError, encodeCanonicalJson, decodeBase64, signablePart, verifyJsonSignature, type JsonObject } from '@parley/spec';
import type { DeviceLists } from './device-lists.js';

export type Usage = 'master' | 'self_signing' | 'user_signing';
type Json = Record<string, any>;
type Signatures = Record<string, Record<string, string>>;

export interface UploadCrossSigningBody {
  master_key?: Json;
  self_signing_key?: Json;
  user_signing_key?: Json;
}

function publicKeyOf(key: Json): string {
  const entries = Object.entries((key.keys ?? {}) as Record<string, string>);
  if (entries.length !== 1 || !entries[0][0].startsWith('ed25519:')) throw Errors.invalidParam('A cross-signing key must hold exactly one ed25519 key');
  const [keyId, value] = entries[0];
  if (keyId !== `ed25519:${value}`) throw Errors.invalidParam('The key id of a cross-signing key is its public key');
  return value;
}

function verifies(object: Json, signer: string, keyId: string, publicKey: string): boolean {
  let key: Uint8Array;
  try {
    key = decodeBase64(publicKey);
  } catch {
    return false;
  }
  return verifyJsonSignature(object as JsonObject, signer, keyId, key).ok;
}

function sameSignedContent(a: Json, b: Json): boolean {
  return encodeCanonicalJson(signablePart(a as JsonObject)) === encodeCanonicalJson(signablePart(b as JsonObject));
}

export class CrossSigning {
  constructor(
    private readonly db: Knex,
    private readonly deviceLists: DeviceLists,
  ) {}

  async current(userId: string, db: Knex = this.db): Promise<Map<Usage, { publicKey: string; key: Json }>> {
    const rows = await db('e2e_cross_signing_keys').where({ user_id: userId }).select('usage', 'public_key', 'key');
    return new Map(rows.map((r) => [r.usage as Usage, { publicKey: r.public_key, key: r.key }]));
  }

  /** True when the upload would replace an existing master key (then UIA is required). */
  async needsAuth(userId: string, body: UploadCrossSigningBody): Promise<boolean> {
    const existing = (await this.current(userId)).get('master');
    if (!existing) return false;
    if (!body.master_key) return false;
    return !sameSignedContent(existing.key, body.master_key);
  }

  async upload(userId: string, body: UploadCrossSigningBody): Promise<void> {
    await this.db.transaction(async (trx) => {
      const existing = await this.current(userId, trx);
      let master = existing.get('master');
      const store = async (usage: Usage, key: Json) => {
        if (key.user_id !== userId) throw Errors.invalidParam(`${usage} key belongs to another user`);
        if (!Array.isArray(key.usage) || !key.usage.includes(usage)) throw Errors.invalidParam(`${usage} key lacks its usage`);
        const publicKey = publicKeyOf(key);
        const { signatures, ...rest } = key;
        await trx('e2e_cross_signing_keys')
          .insert({ user_id: userId, usage, public_key: publicKey, key: rest, updated_ts: Date.now() })
          .onConflict(['user_id', 'usage'])
          .merge();
        for (const [signer, byKey] of Object.entries((signatures ?? {}) as Signatures)) {
          for (const [signerKeyId, signature] of Object.entries(byKey)) {
            await trx('e2e_signatures')
              .insert({ target_user_id: userId, target_key_id: publicKey, signer_user_id: signer, signer_key_id: signerKeyId, signature })
              .onConflict(['target_user_id', 'target_key_id', 'signer_user_id', 'signer_key_id'])
              .merge();
          }
        }
        return { publicKey, key: rest };
      };
      if (body.master_key) master = await store('master', body.master_key);
      for (const usage of ['self_signing', 'user_signing'] as const) {
        const key = body[`${usage}_key`];
        if (!key) continue;
        if (!master) throw new MatrixError(400, 'M_MISSING_PARAM', 'Upload a master key first');
        if (!verifies(key, userId, `ed25519:${master.publicKey}`, master.publicKey))
          throw new MatrixError(400, 'M_INVALID_SIGNATURE', `The ${usage} key is not signed by the master key`);
        await store(usage, key);
      }
      await this.deviceLists.recordChange(trx, userId);
    });
    await this.deviceLists.announce(userId);
  }

  /** master/self_signing keys of `users`; user_signing only the requester's own. */
  async keysFor(requester: string, users: readonly string[]): Promise<Record<string, Record<string, Json>>> {
    const out: Record<string, Record<string, Json>> = { master_keys: {}, self_signing_keys: {}, user_signing_keys: {} };
    if (users.length === 0) return out;
    const rows = await this.db('e2e_cross_signing_keys').whereIn('user_id', users).select('user_id', 'usage', 'public_key', 'key');
    const sigRows = await this.db('e2e_signatures')
      .whereIn(['target_user_id', 'target_key_id'], rows.map((r) => [r.user_id, r.public_key]))
      .select();
    for (const r of rows) {
      if (r.usage === 'user_signing' && r.user_id !== requester) continue;
      const signatures: Signatures = {};
      for (const s of sigRows) {
        if (s.target_user_id !== r.user_id || s.target_key_id !== r.public_key) continue;
        // Users see others' signatures of a master key only if made by themselves (spec).
        if (s.signer_user_id !== r.user_id && s.signer_user_id !== requester) continue;
        (signatures[s.signer_user_id] ??= {})[s.signer_key_id] = s.signature;
      }
      out[`${r.usage}_keys`][r.user_id] = { ...r.key, signatures };
    }
    return out;
  }

  /** POST /keys/signatures/upload: stores each signature that verifies; reports the rest as failures. */
  async uploadSignatures(signer: string, body: Record<string, Record<string, Json>>): Promise<Record<string, Record<string, Json>>> {
    const failures: Record<string, Record<string, Json>> = {};
    const fail = (user: string, keyId: string, errcode: string, error: string) => ((failures[user] ??= {})[keyId] = { errcode, error });
    const mine = await this.current(signer);
    const changed = new Set<string>();
    for (const [targetUser, objects] of Object.entries(body)) {
      for (const [targetKeyId, object] of Object.entries(objects)) {
        const sigs = (object.signatures as Signatures | undefined)?.[signer] ?? {};
        let stored: Json | undefined;
        let signerKeyId: string | undefined;
        let signerPublic: string | undefined;
        if (targetUser === signer) {
          const device = await this.db('e2e_device_keys').where({ user_id: signer, device_id: targetKeyId }).first('keys');
          const ssk = mine.get('self_signing');
          if (device) {
            stored = device.keys;
            if (ssk) [signerKeyId, signerPublic] = [`ed25519:${ssk.publicKey}`, ssk.publicKey];
          } else if (mine.get('master')?.publicKey === targetKeyId) {
            stored = mine.get('master')!.key;
            // The master key is signed by one of the user's devices.
            const deviceKeyId = Object.keys(sigs).find((k) => k.startsWith('ed25519:') && k !== `ed25519:${targetKeyId}`);
            if (deviceKeyId) {
              const d = await this.db('e2e_device_keys').where({ user_id: signer, device_id: deviceKeyId.slice(8) }).first('keys');
              const pub = d?.keys?.keys?.[deviceKeyId];
              if (pub) [signerKeyId, signerPublic] = [deviceKeyId, pub];
            }
          }
        } else {
          const theirs = await this.current(targetUser);
          const usk = mine.get('user_signing');
          if (theirs.get('master')?.publicKey === targetKeyId) {
            stored = theirs.get('master')!.key;
            if (usk) [signerKeyId, signerPublic] = [`ed25519:${usk.publicKey}`, usk.publicKey];
          }
        }
        if (!stored) {
          fail(targetUser, targetKeyId, 'M_NOT_FOUND', 'Unknown key');
          continue;
        }
        if (!signerKeyId || !signerPublic || !sigs[signerKeyId]) {
          fail(targetUser, targetKeyId, 'M_MISSING_PARAM', 'No signature by a key allowed to sign this');
          continue;
        }
        if (!sameSignedContent(stored, object) || !verifies(object, signer, signerKeyId, signerPublic)) {
          fail(targetUser, targetKeyId, 'M_INVALID_SIGNATURE', 'Invalid signature');
          continue;
        }
        await this.db('e2e_signatures')
          .insert({ target_user_id: targetUser, target_key_id: targetKeyId, signer_user_id: signer, signer_key_id: signerKeyId, signature: sigs[signerKeyId] })
          .onConflict(['target_user_id', 'target_key_id', 'signer_user_id', 'signer_key_id'])
          .merge();
        // Signatures of others' master keys concern only the signer's own devices.
        changed.add(signer);
      }
    }
    for (const user of changed) await this.deviceLists.changeNow(user);
    return failures;
  }
}
