// Device keys, one-time keys and fallback keys: https://spec.matrix.org/v1.19/client-server-api/#key-management-api
import type { Knex } from 'knex';
import { Errors, type keys as keysApi } from '@parley/spec';
import type { z } from 'zod';
import type { EventBus } from '../bus/bus.js';
import { CHANNEL, type UserMessage } from '../sync/channels.js';
import type { DeviceLists } from './device-lists.js';
import { CrossSigning } from './cross-signing.js';
import { settling, type Settling } from '../settling.js';

type DeviceKeys = z.output<typeof keysApi.deviceKeysSchema>;
type OneTimeKey = string | { key: string; [k: string]: unknown };
type Json = Record<string, unknown>;

interface KeyCounts {
  oneTimeKeyCounts: Record<string, number>;
  unusedFallbackKeyTypes: string[];
}

export class KeyService {
  /** Key counts per device for sync, dropped when any process announces a change (CHANNEL.keys). */
  private readonly counts = new Map<string, Settling<KeyCounts>>();

  constructor(
    private readonly db: Knex,
    private readonly bus: EventBus,
    private readonly deviceLists: DeviceLists,
    private readonly crossSigning: CrossSigning,
    private readonly serverName: string,
  ) {
    bus.subscribe(CHANNEL.keys, (m) => this.counts.delete(`${(m as UserMessage).userId}|${(m as UserMessage).deviceId}`));
  }

  /** The device's key counts if cached here, without a promise (the hot path of every sync). */
  peekCounts(userId: string, deviceId: string): KeyCounts | undefined {
    return this.counts.get(`${userId}|${deviceId}`)?.value;
  }

  /** device_one_time_keys_count and device_unused_fallback_key_types of a sync. */
  countsFor(userId: string, deviceId: string): Promise<KeyCounts> {
    const key = `${userId}|${deviceId}`;
    let hit = this.counts.get(key);
    if (!hit) {
      if (this.counts.size > 50_000) this.counts.clear();
      const promise = Promise.all([this.oneTimeKeyCounts(userId, deviceId), this.unusedFallbackKeyTypes(userId, deviceId)]).then(([oneTimeKeyCounts, unusedFallbackKeyTypes]) => ({
        oneTimeKeyCounts,
        unusedFallbackKeyTypes,
      }));
      const entry = settling(promise, () => this.counts.get(key) === entry && this.counts.delete(key));
      this.counts.set(key, (hit = entry));
    }
    return hit.promise;
  }

  private async keysChanged(userId: string, deviceId: string): Promise<void> {
    this.counts.delete(`${userId}|${deviceId}`);
    await this.bus.publish(CHANNEL.keys, { userId, deviceId });
  }

  async upload(
    userId: string,
    deviceId: string,
    body: { device_keys?: DeviceKeys; one_time_keys?: Record<string, OneTimeKey>; fallback_keys?: Record<string, OneTimeKey> },
  ): Promise<Record<string, number>> {
    let announce = false;
    await this.db.transaction(async (trx) => {
      if (body.device_keys) {
        const dk = body.device_keys;
        if (dk.user_id !== userId || dk.device_id !== deviceId) throw Errors.invalidParam('device_keys do not belong to this device');
        const existing = await trx('e2e_device_keys').where({ user_id: userId, device_id: deviceId }).first('keys');
        const { signatures, ...rest } = dk;
        // Signatures are stored apart, so that others' signatures merge in on query.
        if (!existing || JSON.stringify(existing.keys) !== JSON.stringify(rest)) {
          await trx('e2e_device_keys')
            .insert({ user_id: userId, device_id: deviceId, keys: rest, updated_ts: Date.now() })
            .onConflict(['user_id', 'device_id'])
            .merge();
          announce = true;
        }
        if (await this.storeSignatures(trx, userId, deviceId, signatures)) announce = true;
        if (announce) await this.deviceLists.recordChange(trx, userId);
      }
      const otks = Object.entries(body.one_time_keys ?? {});
      if (otks.length) {
        await trx('e2e_one_time_keys')
          .insert(otks.map(([id, key]) => ({ user_id: userId, device_id: deviceId, ...splitKeyId(id), key: JSON.stringify(key) })))
          .onConflict(['user_id', 'device_id', 'algorithm', 'key_id'])
          .ignore();
      }
      for (const [id, key] of Object.entries(body.fallback_keys ?? {})) {
        const { algorithm, key_id } = splitKeyId(id);
        await trx('e2e_fallback_keys')
          .insert({ user_id: userId, device_id: deviceId, algorithm, key_id, key: JSON.stringify(key), used: false })
          .onConflict(['user_id', 'device_id', 'algorithm'])
          .merge();
      }
    });
    if (announce) await this.deviceLists.announce(userId);
    if (body.one_time_keys || body.fallback_keys) await this.keysChanged(userId, deviceId);
    return this.oneTimeKeyCounts(userId, deviceId);
  }

  private async storeSignatures(trx: Knex.Transaction, userId: string, deviceId: string, signatures: unknown): Promise<boolean> {
    const own = (signatures as Record<string, Record<string, string>> | undefined)?.[userId] ?? {};
    let changed = false;
    for (const [keyId, signature] of Object.entries(own)) {
      const res = await trx('e2e_signatures')
        .insert({ target_user_id: userId, target_key_id: deviceId, signer_user_id: userId, signer_key_id: keyId, signature })
        .onConflict(['target_user_id', 'target_key_id', 'signer_user_id', 'signer_key_id'])
        .merge()
        .returning('signature');
      changed ||= res.length > 0;
    }
    return changed;
  }

  async oneTimeKeyCounts(userId: string, deviceId: string): Promise<Record<string, number>> {
    const rows = await this.db('e2e_one_time_keys')
      .where({ user_id: userId, device_id: deviceId })
      .groupBy('algorithm')
      .select('algorithm', this.db.raw('count(*)::int as n'));
    // Clients read a missing signed_curve25519 as "unknown", so report zero explicitly.
    const out: Record<string, number> = { signed_curve25519: 0 };
    for (const r of rows) out[r.algorithm] = Number(r.n);
    return out;
  }

  async unusedFallbackKeyTypes(userId: string, deviceId: string): Promise<string[]> {
    const rows = await this.db('e2e_fallback_keys').where({ user_id: userId, device_id: deviceId, used: false }).select('algorithm');
    return rows.map((r) => r.algorithm);
  }

  async query(requester: string, deviceKeys: Record<string, string[]>): Promise<Json> {
    const users = Object.keys(deviceKeys);
    const local = users.filter((u) => u.endsWith(`:${this.serverName}`));
    const failures: Record<string, Json> = {};
    for (const u of users) if (!local.includes(u)) failures[u.slice(u.indexOf(':') + 1)] = { status: 503, message: 'Federation is not available' };
    const result: Record<string, Record<string, Json>> = {};
    if (local.length) {
      const q = this.db('e2e_device_keys as k')
        .join('devices as d', function () {
          this.on('d.user_id', 'k.user_id').andOn('d.device_id', 'k.device_id');
        })
        .whereIn('k.user_id', local)
        .select('k.user_id', 'k.device_id', 'k.keys', 'd.display_name');
      const rows = await q;
      const sigs = await this.signaturesFor(rows.map((r) => [r.user_id, r.device_id] as [string, string]));
      for (const u of local) result[u] = {};
      for (const r of rows) {
        const wanted = deviceKeys[r.user_id];
        if (wanted.length && !wanted.includes(r.device_id)) continue;
        const keys: Json = { ...r.keys, signatures: sigs.get(`${r.user_id}|${r.device_id}`) ?? {} };
        if (r.display_name) keys.unsigned = { device_display_name: r.display_name };
        result[r.user_id][r.device_id] = keys;
      }
    }
    const cross = await this.crossSigning.keysFor(requester, local);
    return { device_keys: result, failures, ...cross };
  }

  async signaturesFor(targets: Array<[string, string]>): Promise<Map<string, Record<string, Record<string, string>>>> {
    const out = new Map<string, Record<string, Record<string, string>>>();
    if (targets.length === 0) return out;
    const rows = await this.db('e2e_signatures').whereIn(['target_user_id', 'target_key_id'], targets).select();
    for (const r of rows) {
      const key = `${r.target_user_id}|${r.target_key_id}`;
      const sigs = out.get(key) ?? {};
      (sigs[r.signer_user_id] ??= {})[r.signer_key_id] = r.signature;
      out.set(key, sigs);
    }
    return out;
  }

  /** Claims one key per requested device: a one-time key, else the fallback key (marked used). */
  async claim(request: Record<string, Record<string, string>>): Promise<Json> {
    const out: Record<string, Record<string, Record<string, unknown>>> = {};
    const failures: Record<string, Json> = {};
    for (const [userId, devices] of Object.entries(request)) {
      if (!userId.endsWith(`:${this.serverName}`)) {
        failures[userId.slice(userId.indexOf(':') + 1)] = { status: 503, message: 'Federation is not available' };
        continue;
      }
      for (const [deviceId, algorithm] of Object.entries(devices)) {
        const claimed = await this.claimOne(userId, deviceId, algorithm);
        if (claimed) {
          ((out[userId] ??= {})[deviceId] ??= {})[`${algorithm}:${claimed.keyId}`] = claimed.key;
          await this.keysChanged(userId, deviceId);
        }
      }
    }
    return { one_time_keys: out, failures };
  }

  private async claimOne(userId: string, deviceId: string, algorithm: string): Promise<{ keyId: string; key: unknown } | undefined> {
    const { rows } = await this.db.raw(
      `DELETE FROM e2e_one_time_keys WHERE ctid = (
         SELECT ctid FROM e2e_one_time_keys WHERE user_id = ? AND device_id = ? AND algorithm = ?
         ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING key_id, key`,
      [userId, deviceId, algorithm],
    );
    if (rows.length) return { keyId: rows[0].key_id, key: rows[0].key };
    const fallback = await this.db('e2e_fallback_keys')
      .where({ user_id: userId, device_id: deviceId, algorithm })
      .update({ used: true })
      .returning(['key_id', 'key']);
    return fallback.length ? { keyId: fallback[0].key_id, key: fallback[0].key } : undefined;
  }

  /** A device was deleted: its keys go, and watchers see the change. */
  async deviceDeleted(userId: string, deviceId: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      for (const t of ['e2e_device_keys', 'e2e_one_time_keys', 'e2e_fallback_keys']) await trx(t).where({ user_id: userId, device_id: deviceId }).delete();
      await trx('e2e_signatures').where({ target_user_id: userId, target_key_id: deviceId }).delete();
      await trx('to_device_messages').where({ user_id: userId, device_id: deviceId }).delete();
      await this.deviceLists.recordChange(trx, userId);
    });
    await this.deviceLists.announce(userId);
    await this.keysChanged(userId, deviceId);
  }
}

function splitKeyId(id: string): { algorithm: string; key_id: string } {
  const i = id.indexOf(':');
  if (i <= 0 || i === id.length - 1) throw Errors.invalidParam(`Invalid key id ${id}`);
  return { algorithm: id.slice(0, i), key_id: id.slice(i + 1) };
}
