// https://spec.matrix.org/v1.19/client-server-api/#push-notifications
import { push } from '@parley/spec';
import type { Knex } from 'knex';
import type { ApiRouter } from '../../http/router.js';
import type { RealtimeServices } from '../../sync/services.js';

export function registerPush(router: ApiRouter, db: Knex, r: RealtimeServices): void {
  const rules = r.pushRules;
  router.bind(push.getPushRules, async ({ requester }) => ({ global: await rules.forClient(requester.userId) }));
  router.bind(push.getPushRulesGlobal, async ({ requester }) => rules.forClient(requester.userId));
  router.bind(push.getPushRule, async ({ requester, params }) => rules.rule(requester.userId, params.kind, params.ruleId));
  router.bind(push.deletePushRule, async ({ requester, params }) => {
    await rules.delete(requester.userId, params.kind, params.ruleId);
    return {};
  });
  router.bind(push.setPushRule, async ({ requester, params, query, body }) => {
    await rules.put(requester.userId, params.kind, params.ruleId, body as never, query);
    return {};
  });
  router.bind(push.isPushRuleEnabled, async ({ requester, params }) => ({
    enabled: (await rules.rule(requester.userId, params.kind, params.ruleId)).enabled,
  }));
  router.bind(push.setPushRuleEnabled, async ({ requester, params, body }) => {
    await rules.setEnabled(requester.userId, params.kind, params.ruleId, body.enabled);
    return {};
  });
  router.bind(push.getPushRuleActions, async ({ requester, params }) => ({
    actions: (await rules.rule(requester.userId, params.kind, params.ruleId)).actions,
  }));
  router.bind(push.setPushRuleActions, async ({ requester, params, body }) => {
    await rules.setActions(requester.userId, params.kind, params.ruleId, body.actions as never);
    return {};
  });

  router.bind(push.getPushers, async ({ requester }) => ({
    pushers: (await r.pushers.list(requester.userId)).map((p) => ({
      pushkey: p.pushkey,
      kind: p.kind,
      app_id: p.app_id,
      app_display_name: p.app_display_name,
      device_display_name: p.device_display_name,
      ...(p.profile_tag !== null ? { profile_tag: p.profile_tag } : {}),
      lang: p.lang,
      data: p.data,
    })),
  }));
  router.bind(
    push.postPusher,
    async ({ requester, body }) => {
      await r.pushers.set(requester.userId, requester.deviceId, body);
      return {};
    },
  );

  // https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3notifications
  router.bind(push.getNotifications, async ({ requester, query }) => {
    const limit = query.limit ?? 20;
    const q = db('notifications as n')
      .join('events as e', 'e.event_id', 'n.event_id')
      .where('n.user_id', requester.userId)
      .orderBy('n.id', 'desc')
      .limit(limit + 1)
      .select('n.id', 'n.room_id', 'n.actions', 'n.ts', 'n.stream_ordering', 'e.json', 'e.event_id', 'e.origin_server_ts');
    if (query.from) q.where('n.id', '<', Number(query.from));
    if (query.only === 'highlight') q.where('n.highlight', true);
    const rows = await q;
    const page = rows.slice(0, limit);
    const readUpTo = await r.receipts.readUpTo(requester.userId, [...new Set(page.map((p) => p.room_id))]);
    return {
      ...(rows.length > limit ? { next_token: String(page[page.length - 1].id) } : {}),
      notifications: page.map((p) => {
        const pdu = JSON.parse(p.json);
        return {
          actions: p.actions,
          event: { content: pdu.content ?? {}, event_id: p.event_id, origin_server_ts: Number(p.origin_server_ts), room_id: p.room_id, sender: pdu.sender, type: pdu.type, ...(pdu.state_key !== undefined ? { state_key: pdu.state_key } : {}) },
          read: Number(p.stream_ordering) <= (readUpTo.get(p.room_id) ?? 0),
          room_id: p.room_id,
          ts: Number(p.ts),
        };
      }),
    };
  });
}
