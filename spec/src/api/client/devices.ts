// https://spec.matrix.org/v1.19/client-server-api/#device-management
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';
import { authenticationData } from './uia.js';

const section = 'Device management';

export const device = lazy(() => z.object({
  device_id: z.string(),
  display_name: z.string().optional(),
  last_seen_ip: z.string().optional(),
  last_seen_ts: z.number().int().optional(),
}));

const deviceParams = lazy(() => z.object({ deviceId: z.string().min(1) }));

export const getDevices = defineEndpoint({
  operationId: 'getDevices',
  method: 'GET',
  path: '/_matrix/client/v3/devices',
  auth: 'user',
  rateLimited: false,
  summary: 'List registered devices for the current user.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3devices',
  schemas: () => ({ response: z.object({ devices: z.array(device()) }) }),
});

export const getDevice = defineEndpoint({
  operationId: 'getDevice',
  method: 'GET',
  path: '/_matrix/client/v3/devices/{deviceId}',
  auth: 'user',
  rateLimited: false,
  summary: 'Get a single device.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3devicesdeviceid',
  schemas: () => ({ params: deviceParams(), response: device() }),
});

export const updateDevice = defineEndpoint({
  operationId: 'updateDevice',
  method: 'PUT',
  path: '/_matrix/client/v3/devices/{deviceId}',
  auth: 'user',
  rateLimited: false,
  summary: 'Update a device.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#put_matrixclientv3devicesdeviceid',
  schemas: () => ({ params: deviceParams(), body: z.looseObject({ display_name: z.string().optional() }), response: z.object({}) }),
});

export const deleteDevice = defineEndpoint({
  operationId: 'deleteDevice',
  method: 'DELETE',
  path: '/_matrix/client/v3/devices/{deviceId}',
  auth: 'user',
  rateLimited: false,
  summary: 'Delete a device (user-interactive authentication).',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#delete_matrixclientv3devicesdeviceid',
  schemas: () => ({ params: deviceParams(), body: z.looseObject({ auth: authenticationData().optional() }), response: z.object({}) }),
});

export const deleteDevices = defineEndpoint({
  operationId: 'deleteDevices',
  method: 'POST',
  path: '/_matrix/client/v3/delete_devices',
  auth: 'user',
  rateLimited: false,
  summary: 'Bulk deletion of devices (user-interactive authentication).',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3delete_devices',
  schemas: () => ({ body: z.looseObject({ devices: z.array(z.string()), auth: authenticationData().optional() }), response: z.object({}) }),
});
