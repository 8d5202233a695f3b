// Frames of the WebSocket stream (docs/websocket.md). Client frames are validated with the same
// schemas as the HTTP endpoints they mirror.
import { z } from 'zod';
import { receipts, typing } from '@parley/spec';

export const WS_PATH = '/_matrix/client/unstable/org.parley.ws';

/** Close codes (4000-4999 are the application's). */
export const CLOSE = {
  unauthenticated: 4001,
  /** The client did not read fast enough; the reason holds the token to resume from. */
  slowConsumer: 4008,
  /** The server is shutting down; the reason holds the token to resume from. */
  goingAway: 1001,
} as const;

const id = z.union([z.string().max(128), z.number()]).optional();

export const clientFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), access_token: z.string().min(1), id }),
  z.object({ type: z.literal('ping'), id }),
  z.object({
    type: z.literal('send'),
    id,
    room_id: z.string().min(1),
    event_type: z.string().min(1).max(255),
    txn_id: z.string().min(1).max(255),
    content: z.looseObject({}),
  }),
  typing.typingBody.extend({ type: z.literal('typing'), id, room_id: z.string().min(1) }),
  receipts.receiptBody.extend({
    type: z.literal('receipt'),
    id,
    room_id: z.string().min(1),
    receipt_type: z.enum(receipts.receiptTypes),
    event_id: z.string().min(1),
  }),
]);
export type ClientFrame = z.output<typeof clientFrameSchema>;

export type ServerFrame =
  | ({ type: 'sync' } & Record<string, unknown>)
  | { type: 'result'; id?: string | number; body: Record<string, unknown> }
  | { type: 'error'; id?: string | number; errcode: string; error: string; [extra: string]: unknown }
  | { type: 'pong'; id?: string | number };
