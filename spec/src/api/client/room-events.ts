// Sending and getting room events.
// https://spec.matrix.org/v1.19/client-server-api/#sending-events-to-a-room
// https://spec.matrix.org/v1.19/client-server-api/#getting-events-for-a-room
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';
import { SPEC, clientEvent, roomEventParams, roomIdParams, reasonBody } from './room-common.js';

const sending = 'Sending events to a room';
const getting = 'Getting events for a room';
const content = lazy(() => z.record(z.string(), z.unknown()));
const eventIdResponse = lazy(() => z.object({ event_id: z.string() }));

export const sendMessage = defineEndpoint({
  operationId: 'sendMessage', method: 'PUT', path: '/_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}', auth: 'user', rateLimited: false,
  summary: 'Send a message event to the given room.', section: sending, specUrl: `${SPEC}#put_matrixclientv3roomsroomidsendeventtypetxnid`,
  schemas: () => ({ params: z.object({ roomId: z.string(), eventType: z.string(), txnId: z.string() }), body: content(), response: eventIdResponse() }),
});

const setState = {
  method: 'PUT', auth: 'user', rateLimited: false,
  summary: 'Send a state event to the given room.', section: sending, specUrl: `${SPEC}#put_matrixclientv3roomsroomidstateeventtypestatekey`,
} as const;

export const setRoomStateWithKey = defineEndpoint({
  ...setState, operationId: 'setRoomStateWithKey', path: '/_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}',
  schemas: () => ({
    params: z.object({ roomId: z.string(), eventType: z.string(), stateKey: z.string() }),
    body: content(),
    response: eventIdResponse(),
  }),
});

/** The same endpoint with an empty state key (`.../state/{eventType}` or `.../state/{eventType}/`). */
export const setRoomState = defineEndpoint({
  ...setState, operationId: 'parleySetRoomStateEmptyKey', path: '/_matrix/client/v3/rooms/{roomId}/state/{eventType}',
  schemas: () => ({ params: z.object({ roomId: z.string(), eventType: z.string() }), body: content(), response: eventIdResponse() }),
});

const getState = {
  method: 'GET', auth: 'user', rateLimited: false,
  summary: 'Get the state identified by the type and key.', section: getting, specUrl: `${SPEC}#get_matrixclientv3roomsroomidstateeventtypestatekey`,
} as const;
const stateQuery = lazy(() => z.object({ format: z.enum(['content', 'event']).optional() }));
const stateResponse = lazy(() => z.record(z.string(), z.unknown()));

export const getRoomStateWithKey = defineEndpoint({
  ...getState, operationId: 'getRoomStateWithKey', path: '/_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}',
  schemas: () => ({
    params: z.object({ roomId: z.string(), eventType: z.string(), stateKey: z.string() }),
    query: stateQuery(),
    response: stateResponse(),
  }),
});

export const getRoomStateEmptyKey = defineEndpoint({
  ...getState, operationId: 'parleyGetRoomStateEmptyKey', path: '/_matrix/client/v3/rooms/{roomId}/state/{eventType}',
  schemas: () => ({ params: z.object({ roomId: z.string(), eventType: z.string() }), query: stateQuery(), response: stateResponse() }),
});

export const getRoomState = defineEndpoint({
  operationId: 'getRoomState', method: 'GET', path: '/_matrix/client/v3/rooms/{roomId}/state', auth: 'user', rateLimited: false,
  summary: 'Get all state events in the current state of a room.', section: getting, specUrl: `${SPEC}#get_matrixclientv3roomsroomidstate`,
  schemas: () => ({ params: roomIdParams(), response: z.array(clientEvent()) }),
});

export const getOneRoomEvent = defineEndpoint({
  operationId: 'getOneRoomEvent', method: 'GET', path: '/_matrix/client/v3/rooms/{roomId}/event/{eventId}', auth: 'user', rateLimited: false,
  summary: 'Get a single event by event ID.', section: getting, specUrl: `${SPEC}#get_matrixclientv3roomsroomideventeventid`,
  schemas: () => ({ params: roomEventParams(), response: clientEvent() }),
});

const membershipEnum = lazy(() => z.enum(['join', 'invite', 'knock', 'leave', 'ban']));

export const getMembersByRoom = defineEndpoint({
  operationId: 'getMembersByRoom', method: 'GET', path: '/_matrix/client/v3/rooms/{roomId}/members', auth: 'user', rateLimited: false,
  summary: 'Get the m.room.member events for the room.', section: getting, specUrl: `${SPEC}#get_matrixclientv3roomsroomidmembers`,
  schemas: () => ({
    params: roomIdParams(),
    query: z.object({ at: z.string().optional(), membership: membershipEnum().optional(), not_membership: membershipEnum().optional() }),
    response: z.object({ chunk: z.array(clientEvent()) }),
  }),
});

export const getJoinedMembersByRoom = defineEndpoint({
  operationId: 'getJoinedMembersByRoom', method: 'GET', path: '/_matrix/client/v3/rooms/{roomId}/joined_members', auth: 'user', rateLimited: false,
  summary: "Gets the list of currently joined users and their profile data.", section: getting, specUrl: `${SPEC}#get_matrixclientv3roomsroomidjoined_members`,
  schemas: () => ({
    params: roomIdParams(),
    response: z.object({ joined: z.record(z.string(), z.looseObject({ display_name: z.string().nullish(), avatar_url: z.string().nullish() })) }),
  }),
});

export const getRoomEvents = defineEndpoint({
  operationId: 'getRoomEvents', method: 'GET', path: '/_matrix/client/v3/rooms/{roomId}/messages', auth: 'user', rateLimited: false,
  summary: 'Get a list of events for this room.', section: getting, specUrl: `${SPEC}#get_matrixclientv3roomsroomidmessages`,
  schemas: () => ({
    params: roomIdParams(),
    query: z.object({
      from: z.string().optional(),
      to: z.string().optional(),
      dir: z.enum(['b', 'f']),
      limit: z.coerce.number().int().min(0).optional(),
      filter: z.string().optional(),
    }),
    response: z.object({ chunk: z.array(clientEvent()), start: z.string(), end: z.string().optional(), state: z.array(clientEvent()).optional() }),
  }),
});

export const getEventContext = defineEndpoint({
  operationId: 'getEventContext', method: 'GET', path: '/_matrix/client/v3/rooms/{roomId}/context/{eventId}', auth: 'user', rateLimited: false,
  summary: 'Get events and state around the specified event.', section: 'Event context', specUrl: `${SPEC}#get_matrixclientv3roomsroomidcontexteventid`,
  schemas: () => ({
    params: roomEventParams(),
    query: z.object({ limit: z.coerce.number().int().min(0).optional(), filter: z.string().optional() }),
    response: z.object({
      start: z.string().optional(), end: z.string().optional(), event: clientEvent().optional(),
      events_before: z.array(clientEvent()).optional(), events_after: z.array(clientEvent()).optional(), state: z.array(clientEvent()).optional(),
    }),
  }),
});

export const getEventByTimestamp = defineEndpoint({
  operationId: 'getEventByTimestamp', method: 'GET', path: '/_matrix/client/v1/rooms/{roomId}/timestamp_to_event', auth: 'user', rateLimited: true,
  summary: 'Get the closest event ID to the given timestamp.', section: getting, specUrl: `${SPEC}#get_matrixclientv1roomsroomidtimestamp_to_event`,
  schemas: () => ({
    params: roomIdParams(),
    query: z.object({ ts: z.coerce.number().int(), dir: z.enum(['f', 'b']) }),
    response: z.object({ event_id: z.string(), origin_server_ts: z.number().int() }),
  }),
});

export const redactEvent = defineEndpoint({
  operationId: 'redactEvent', method: 'PUT', path: '/_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}', auth: 'user', rateLimited: false,
  summary: 'Strips all non-integrity-critical information out of an event.', section: 'Redactions', specUrl: `${SPEC}#put_matrixclientv3roomsroomidredacteventidtxnid`,
  schemas: () => ({ params: z.object({ roomId: z.string(), eventId: z.string(), txnId: z.string() }), body: reasonBody(), response: eventIdResponse() }),
});
