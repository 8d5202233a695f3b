// Client config (account data): https://spec.matrix.org/v1.19/client-server-api/#client-config
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';
import { SPEC, empty } from './room-common.js';

const section = 'Client config';
const content = lazy(() => z.record(z.string(), z.unknown()));
const globalParams = lazy(() => z.object({ userId: z.string(), type: z.string() }));
const roomParams = lazy(() => z.object({ userId: z.string(), roomId: z.string(), type: z.string() }));

export const setAccountData = defineEndpoint({
  operationId: 'setAccountData', method: 'PUT', path: '/_matrix/client/v3/user/{userId}/account_data/{type}', auth: 'user', rateLimited: false,
  summary: 'Set some account data for the user.', section, specUrl: `${SPEC}#put_matrixclientv3useruseridaccount_datatype`,
  schemas: () => ({ params: globalParams(), body: content(), response: empty() }),
});

export const getAccountData = defineEndpoint({
  operationId: 'getAccountData', method: 'GET', path: '/_matrix/client/v3/user/{userId}/account_data/{type}', auth: 'user', rateLimited: false,
  summary: 'Get some account data for the user.', section, specUrl: `${SPEC}#get_matrixclientv3useruseridaccount_datatype`,
  schemas: () => ({ params: globalParams(), response: content() }),
});

export const setAccountDataPerRoom = defineEndpoint({
  operationId: 'setAccountDataPerRoom', method: 'PUT', path: '/_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}', auth: 'user', rateLimited: false,
  summary: 'Set some account data for the user that is specific to a room.', section, specUrl: `${SPEC}#put_matrixclientv3useruseridroomsroomidaccount_datatype`,
  schemas: () => ({ params: roomParams(), body: content(), response: empty() }),
});

export const getAccountDataPerRoom = defineEndpoint({
  operationId: 'getAccountDataPerRoom', method: 'GET', path: '/_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}', auth: 'user', rateLimited: false,
  summary: 'Get some account data for the user that is specific to a room.', section, specUrl: `${SPEC}#get_matrixclientv3useruseridroomsroomidaccount_datatype`,
  schemas: () => ({ params: roomParams(), response: content() }),
});
