// Pushers: https://spec.matrix.org/v1.19/client-server-api/#pushers
import type { Knex } from 'knex';
import { Errors } from '@parley/spec';

export interface PusherRow {
  user_id: string;
  app_id: string;
  pushkey: string;
  kind: string;
  app_display_name: string;
  device_display_name: string;
  profile_tag: string | null;
  lang: string;
  data: { url?: string; format?: string; [k: string]: unknown };
  device_id: string | null;
}

export interface SetPusherBody {
  pushkey: string;
  kind: string | null;
  app_id: string;
  app_display_name?: string;
  device_display_name?: string;
  profile_tag?: string;
  lang?: string;
  data?: { url?: string; format?: string; [k: string]: unknown };
  append?: boolean;
}

export class PusherStore {
  constructor(private readonly db: Knex) {}

  async list(userId: string): Promise<PusherRow[]> {
    return this.db('pushers').where({ user_id: userId }).orderBy('created_ts').select();
  }

  async forUsers(userIds: readonly string[]): Promise<PusherRow[]> {
    if (userIds.length === 0) return [];
    return this.db('pushers').whereIn('user_id', userIds).select();
  }

  async set(userId: string, deviceId: string, body: SetPusherBody): Promise<void> {
    if (body.kind === null) {
      await this.db('pushers').where({ user_id: userId, app_id: body.app_id, pushkey: body.pushkey }).delete();
      return;
    }
    for (const field of ['app_display_name', 'device_display_name', 'lang', 'data'] as const) {
      if (body[field] === undefined) throw Errors.missingParam(`Missing field '${field}'`);
    }
    if (body.kind === 'http') {
      const url = body.data?.url;
      if (typeof url !== 'string') throw Errors.missingParam("HTTP pushers need data.url");
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw Errors.invalidParam('data.url is not a URL');
      }
      if (!parsed.pathname.endsWith('/_matrix/push/v1/notify')) throw Errors.invalidParam('data.url must end with /_matrix/push/v1/notify');
    }
    await this.db.transaction(async (trx) => {
      // Without append, this pusher replaces the same app_id + pushkey held by any user.
      if (!body.append) await trx('pushers').where({ app_id: body.app_id, pushkey: body.pushkey }).whereNot({ user_id: userId }).delete();
      await trx('pushers')
        .insert({
          user_id: userId,
          app_id: body.app_id,
          pushkey: body.pushkey,
          kind: body.kind,
          app_display_name: body.app_display_name,
          device_display_name: body.device_display_name,
          profile_tag: body.profile_tag ?? null,
          lang: body.lang,
          data: body.data,
          device_id: deviceId,
          created_ts: Date.now(),
        })
        .onConflict(['user_id', 'app_id', 'pushkey'])
        .merge(['kind', 'app_display_name', 'device_display_name', 'profile_tag', 'lang', 'data', 'device_id']);
    });
  }
}
