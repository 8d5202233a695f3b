// https://spec.matrix.org/v1.19/client-server-api/#push-notifications
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';

const section = 'Push Notifications';
const spec = (anchor: string) => `https://spec.matrix.org/v1.19/client-server-api/#${anchor}`;

export const pushRuleKinds = ['override', 'underride', 'sender', 'room', 'content'] as const;

const action = lazy(() => z.union([z.string(), z.looseObject({ set_tweak: z.string() })]));
export const pushCondition = lazy(() => z.looseObject({ kind: z.string() }));
export const pushRuleSchema = lazy(() => z.object({
  actions: z.array(action()),
  default: z.boolean(),
  enabled: z.boolean(),
  rule_id: z.string(),
  conditions: z.array(pushCondition()).optional(),
  pattern: z.string().optional(),
}));
export const pushRulesetSchema = lazy(() => z.object(
  Object.fromEntries(pushRuleKinds.map((k) => [k, z.array(pushRuleSchema()).optional()])) as Record<
    (typeof pushRuleKinds)[number],
    z.ZodOptional<z.ZodArray<ReturnType<typeof pushRuleSchema>>>
  >,
));

const ruleParams = lazy(() => z.object({ scope: z.literal('global').optional(), kind: z.enum(pushRuleKinds), ruleId: z.string().min(1) }));

export const getPushRules = defineEndpoint({
  operationId: 'getPushRules',
  method: 'GET',
  path: '/_matrix/client/v3/pushrules/',
  auth: 'user',
  rateLimited: false,
  summary: 'Retrieve all push rulesets.',
  section,
  specUrl: spec('get_matrixclientv3pushrules'),
  schemas: () => ({ response: z.object({ global: pushRulesetSchema() }) }),
});

export const getPushRulesGlobal = defineEndpoint({
  operationId: 'getPushRulesGlobal',
  method: 'GET',
  path: '/_matrix/client/v3/pushrules/global/',
  auth: 'user',
  rateLimited: false,
  summary: 'Retrieve all push rules for this user.',
  section,
  specUrl: spec('get_matrixclientv3pushrulesglobal'),
  schemas: () => ({ response: pushRulesetSchema() }),
});

export const getPushRule = defineEndpoint({
  operationId: 'getPushRule',
  method: 'GET',
  path: '/_matrix/client/v3/pushrules/global/{kind}/{ruleId}',
  auth: 'user',
  rateLimited: false,
  summary: 'Retrieve a push rule.',
  section,
  specUrl: spec('get_matrixclientv3pushrulesglobalkindruleid'),
  schemas: () => ({ params: ruleParams(), response: pushRuleSchema() }),
});

export const deletePushRule = defineEndpoint({
  operationId: 'deletePushRule',
  method: 'DELETE',
  path: '/_matrix/client/v3/pushrules/global/{kind}/{ruleId}',
  auth: 'user',
  rateLimited: false,
  summary: 'Delete a push rule.',
  section,
  specUrl: spec('delete_matrixclientv3pushrulesglobalkindruleid'),
  schemas: () => ({ params: ruleParams(), response: z.object({}) }),
});

export const setPushRule = defineEndpoint({
  operationId: 'setPushRule',
  method: 'PUT',
  path: '/_matrix/client/v3/pushrules/global/{kind}/{ruleId}',
  auth: 'user',
  rateLimited: true,
  summary: 'Add or change a push rule.',
  section,
  specUrl: spec('put_matrixclientv3pushrulesglobalkindruleid'),
  schemas: () => ({
    params: ruleParams(),
    query: z.object({ before: z.string().optional(), after: z.string().optional() }),
    body: z.object({
      actions: z.array(action()),
      conditions: z.array(pushCondition()).optional(),
      pattern: z.string().optional(),
    }),
    response: z.object({}),
  }),
});

export const isPushRuleEnabled = defineEndpoint({
  operationId: 'isPushRuleEnabled',
  method: 'GET',
  path: '/_matrix/client/v3/pushrules/global/{kind}/{ruleId}/enabled',
  auth: 'user',
  rateLimited: false,
  summary: 'Get whether a push rule is enabled.',
  section,
  specUrl: spec('get_matrixclientv3pushrulesglobalkindruleidenabled'),
  schemas: () => ({ params: ruleParams(), response: z.object({ enabled: z.boolean() }) }),
});

export const setPushRuleEnabled = defineEndpoint({
  operationId: 'setPushRuleEnabled',
  method: 'PUT',
  path: '/_matrix/client/v3/pushrules/global/{kind}/{ruleId}/enabled',
  auth: 'user',
  rateLimited: false,
  summary: 'Enable or disable a push rule.',
  section,
  specUrl: spec('put_matrixclientv3pushrulesglobalkindruleidenabled'),
  schemas: () => ({ params: ruleParams(), body: z.object({ enabled: z.boolean() }), response: z.object({}) }),
});

export const getPushRuleActions = defineEndpoint({
  operationId: 'getPushRuleActions',
  method: 'GET',
  path: '/_matrix/client/v3/pushrules/global/{kind}/{ruleId}/actions',
  auth: 'user',
  rateLimited: false,
  summary: 'The actions for a push rule.',
  section,
  specUrl: spec('get_matrixclientv3pushrulesglobalkindruleidactions'),
  schemas: () => ({ params: ruleParams(), response: z.object({ actions: z.array(action()) }) }),
});

export const setPushRuleActions = defineEndpoint({
  operationId: 'setPushRuleActions',
  method: 'PUT',
  path: '/_matrix/client/v3/pushrules/global/{kind}/{ruleId}/actions',
  auth: 'user',
  rateLimited: false,
  summary: 'Set the actions for a push rule.',
  section,
  specUrl: spec('put_matrixclientv3pushrulesglobalkindruleidactions'),
  schemas: () => ({ params: ruleParams(), body: z.object({ actions: z.array(action()) }), response: z.object({}) }),
});

const pusherData = lazy(() => z.looseObject({ url: z.string().optional(), format: z.string().optional() }));
export const pusherSchema = lazy(() => z.object({
  pushkey: z.string(),
  kind: z.string(),
  app_id: z.string(),
  app_display_name: z.string(),
  device_display_name: z.string(),
  profile_tag: z.string().optional(),
  lang: z.string(),
  data: pusherData(),
}));

export const getPushers = defineEndpoint({
  operationId: 'getPushers',
  method: 'GET',
  path: '/_matrix/client/v3/pushers',
  auth: 'user',
  rateLimited: false,
  summary: 'Gets the current pushers for the authenticated user.',
  section,
  specUrl: spec('get_matrixclientv3pushers'),
  schemas: () => ({ response: z.object({ pushers: z.array(pusherSchema()) }) }),
});

export const postPusher = defineEndpoint({
  operationId: 'postPusher',
  method: 'POST',
  path: '/_matrix/client/v3/pushers/set',
  auth: 'user',
  rateLimited: true,
  summary: 'Modify a pusher for this user on the homeserver.',
  section,
  specUrl: spec('post_matrixclientv3pushersset'),
  schemas: () => ({
    body: z.object({
      pushkey: z.string().max(512),
      kind: z.string().nullable(),
      app_id: z.string().max(64),
      app_display_name: z.string().optional(),
      device_display_name: z.string().optional(),
      profile_tag: z.string().optional(),
      lang: z.string().optional(),
      data: pusherData().optional(),
      append: z.boolean().optional(),
    }),
    response: z.object({}),
  }),
});

export const getNotifications = defineEndpoint({
  operationId: 'getNotifications',
  method: 'GET',
  path: '/_matrix/client/v3/notifications',
  auth: 'user',
  rateLimited: false,
  summary: 'Gets a list of events that the user has been notified about.',
  section,
  specUrl: spec('get_matrixclientv3notifications'),
  schemas: () => ({
    query: z.object({
      from: z.string().regex(/^\d+$/).optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
      only: z.string().optional(),
    }),
    response: z.object({
      next_token: z.string().optional(),
      notifications: z.array(
        z.object({
          actions: z.array(action()),
          event: z.looseObject({ event_id: z.string() }),
          profile_tag: z.string().optional(),
          read: z.boolean(),
          room_id: z.string(),
          ts: z.number().int(),
        }),
      ),
    }),
  }),
});
