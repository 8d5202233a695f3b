// https://spec.matrix.org/v1.19/client-server-api/#syncing
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';

const event = lazy(() => z.looseObject({ type: z.string(), content: z.looseObject({}) }));
const events = lazy(() => z.object({ events: z.array(event()) }));
const timeline = lazy(() => z.object({
  events: z.array(event()),
  limited: z.boolean().optional(),
  prev_batch: z.string().optional(),
}));
const counts = lazy(() => z.object({ highlight_count: z.number().int().optional(), notification_count: z.number().int().optional() }));

const joinedRoom = lazy(() => z.object({
  summary: z
    .object({
      'm.heroes': z.array(z.string()).optional(),
      'm.joined_member_count': z.number().int().optional(),
      'm.invited_member_count': z.number().int().optional(),
    })
    .optional(),
  state: events().optional(),
  timeline: timeline().optional(),
  ephemeral: events().optional(),
  account_data: events().optional(),
  unread_notifications: counts().optional(),
  unread_thread_notifications: z.record(z.string(), counts()).optional(),
}));
const strippedState = lazy(() => z.object({ events: z.array(z.looseObject({ type: z.string(), state_key: z.string(), sender: z.string() })) }));
const leftRoom = lazy(() => z.object({ state: events().optional(), timeline: timeline().optional(), account_data: events().optional() }));

export const syncResponseSchema = lazy(() => z.object({
  next_batch: z.string(),
  rooms: z
    .object({
      join: z.record(z.string(), joinedRoom()).optional(),
      invite: z.record(z.string(), z.object({ invite_state: strippedState().optional() })).optional(),
      knock: z.record(z.string(), z.object({ knock_state: strippedState().optional() })).optional(),
      leave: z.record(z.string(), leftRoom()).optional(),
    })
    .optional(),
  presence: events().optional(),
  account_data: events().optional(),
  to_device: events().optional(),
  device_lists: z.object({ changed: z.array(z.string()).optional(), left: z.array(z.string()).optional() }).optional(),
  device_one_time_keys_count: z.record(z.string(), z.number().int()).optional(),
  device_unused_fallback_key_types: z.array(z.string()).optional(),
}));
export type SyncResponse = z.output<ReturnType<typeof syncResponseSchema>>;

export const syncQuerySchema = lazy(() => z.object({
  filter: z.string().optional(),
  since: z.string().optional(),
  full_state: z.enum(['true', 'false']).optional(),
  set_presence: z.enum(['offline', 'online', 'unavailable']).optional(),
  timeout: z.coerce.number().int().min(0).optional(),
  use_state_after: z.enum(['true', 'false']).optional(),
}));

export const sync = defineEndpoint({
  operationId: 'sync',
  method: 'GET',
  path: '/_matrix/client/v3/sync',
  auth: 'user',
  rateLimited: false,
  summary: "Synchronise the client's state and receive new messages.",
  section: 'Syncing',
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3sync',
  schemas: () => ({ query: syncQuerySchema(), response: syncResponseSchema() }),
});

/**
 * Parley's WebSocket stream (docs/websocket.md): the handshake is an HTTP upgrade; this
 * definition documents it in the OpenAPI document. Without an upgrade the server answers 400.
 */
export const websocketStream = defineEndpoint({
  operationId: 'parleyWebSocketStream',
  method: 'GET',
  path: '/_matrix/client/unstable/org.parley.ws',
  auth: 'optional',
  rateLimited: false,
  summary:
    'Upgrades to a WebSocket that pushes incremental-sync payloads ({"type":"sync",...}) and accepts send, typing and receipt frames. Authenticate with the Authorization header or an {"type":"auth","access_token"} first frame; resume with ?since=<next_batch>. See docs/websocket.md.',
  section: 'Syncing',
  extension: true,
  schemas: () => ({
    query: z.object({ since: z.string().optional(), filter: z.string().optional(), set_presence: z.enum(['offline', 'online', 'unavailable']).optional() }),
  }),
});
