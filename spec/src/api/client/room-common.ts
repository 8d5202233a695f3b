// Schemas shared by the room endpoints: client-format events and common parameters.
// https://spec.matrix.org/v1.19/client-server-api/#room-event-format
import { z } from 'zod';
import { lazy } from '../endpoint.js';

export const SPEC = 'https://spec.matrix.org/v1.19/client-server-api/';

/** A room event in the client format (`ClientEvent`). */
export const clientEvent = lazy(() => z.looseObject({
  content: z.record(z.string(), z.unknown()),
  event_id: z.string(),
  origin_server_ts: z.number().int(),
  room_id: z.string(),
  sender: z.string(),
  state_key: z.string().optional(),
  type: z.string(),
  unsigned: z.looseObject({}).optional(),
}));

/** `ClientEventWithoutRoomID` plus room_id tolerated: a state or stripped event. */
export const strippedStateEvent = lazy(() => z.looseObject({
  content: z.record(z.string(), z.unknown()),
  sender: z.string(),
  state_key: z.string(),
  type: z.string(),
}));

export const roomIdParams = lazy(() => z.object({ roomId: z.string() }));
export const roomEventParams = lazy(() => z.object({ roomId: z.string(), eventId: z.string() }));
export const empty = lazy(() => z.object({}));
/** A body whose only field is an optional `reason` (leave, knock, redact, ...). */
export const reasonBody = lazy(() => z.looseObject({ reason: z.string().optional() }));
export const userIdReason = lazy(() => z.looseObject({ user_id: z.string(), reason: z.string().optional() }));
