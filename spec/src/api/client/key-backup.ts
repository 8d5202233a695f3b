// https://spec.matrix.org/v1.19/client-server-api/#server-side-key-backups
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';

const section = 'End-to-End Encryption: key backup';
const spec = (anchor: string) => `https://spec.matrix.org/v1.19/client-server-api/#${anchor}`;

export const keyBackupData = lazy(() => z.looseObject({
  first_message_index: z.number().int(),
  forwarded_count: z.number().int(),
  is_verified: z.boolean(),
  session_data: z.looseObject({}),
}));
const roomKeyBackup = lazy(() => z.object({ sessions: z.record(z.string(), keyBackupData()) }));
const allKeys = lazy(() => z.object({ rooms: z.record(z.string(), roomKeyBackup()) }));
const versionInfo = lazy(() => z.object({
  algorithm: z.string(),
  auth_data: z.looseObject({}),
  count: z.number().int(),
  etag: z.string(),
  version: z.string(),
}));
const versionQuery = lazy(() => z.object({ version: z.string() }));
const updated = lazy(() => z.object({ etag: z.string(), count: z.number().int() }));
const roomParams = lazy(() => z.object({ roomId: z.string() }));
const sessionParams = lazy(() => z.object({ roomId: z.string(), sessionId: z.string() }));
const common = { auth: 'user', rateLimited: true, section } as const;

export const postRoomKeysVersion = defineEndpoint({
  ...common,
  operationId: 'postRoomKeysVersion',
  method: 'POST',
  path: '/_matrix/client/v3/room_keys/version',
  summary: 'Create a new backup.',
  specUrl: spec('post_matrixclientv3room_keysversion'),
  schemas: () => ({ body: z.object({ algorithm: z.string(), auth_data: z.looseObject({}) }), response: z.object({ version: z.string() }) }),
});

export const getRoomKeysVersionCurrent = defineEndpoint({
  ...common,
  operationId: 'getRoomKeysVersionCurrent',
  method: 'GET',
  path: '/_matrix/client/v3/room_keys/version',
  summary: 'Get information about the latest backup version.',
  specUrl: spec('get_matrixclientv3room_keysversion'),
  schemas: () => ({ response: versionInfo() }),
});

export const getRoomKeysVersion = defineEndpoint({
  ...common,
  operationId: 'getRoomKeysVersion',
  method: 'GET',
  path: '/_matrix/client/v3/room_keys/version/{version}',
  summary: 'Get information about an existing backup.',
  specUrl: spec('get_matrixclientv3room_keysversionversion'),
  schemas: () => ({ params: z.object({ version: z.string() }), response: versionInfo() }),
});

export const putRoomKeysVersion = defineEndpoint({
  ...common,
  operationId: 'putRoomKeysVersion',
  method: 'PUT',
  path: '/_matrix/client/v3/room_keys/version/{version}',
  summary: 'Update information about an existing backup.',
  specUrl: spec('put_matrixclientv3room_keysversionversion'),
  schemas: () => ({
    params: z.object({ version: z.string() }),
    body: z.object({ algorithm: z.string(), auth_data: z.looseObject({}), version: z.string().optional() }),
    response: z.object({}),
  }),
});

export const deleteRoomKeysVersion = defineEndpoint({
  ...common,
  operationId: 'deleteRoomKeysVersion',
  method: 'DELETE',
  path: '/_matrix/client/v3/room_keys/version/{version}',
  summary: 'Delete an existing key backup.',
  specUrl: spec('delete_matrixclientv3room_keysversionversion'),
  schemas: () => ({ params: z.object({ version: z.string() }), response: z.object({}) }),
});

export const putRoomKeys = defineEndpoint({
  ...common,
  operationId: 'putRoomKeys',
  method: 'PUT',
  path: '/_matrix/client/v3/room_keys/keys',
  summary: 'Store several keys in the backup.',
  specUrl: spec('put_matrixclientv3room_keyskeys'),
  schemas: () => ({ query: versionQuery(), body: allKeys(), response: updated() }),
});
export const getRoomKeys = defineEndpoint({
  ...common,
  operationId: 'getRoomKeys',
  method: 'GET',
  path: '/_matrix/client/v3/room_keys/keys',
  summary: 'Retrieve the keys from the backup.',
  specUrl: spec('get_matrixclientv3room_keyskeys'),
  schemas: () => ({ query: versionQuery(), response: allKeys() }),
});
export const deleteRoomKeys = defineEndpoint({
  ...common,
  operationId: 'deleteRoomKeys',
  method: 'DELETE',
  path: '/_matrix/client/v3/room_keys/keys',
  summary: 'Delete the keys from the backup.',
  specUrl: spec('delete_matrixclientv3room_keyskeys'),
  schemas: () => ({ query: versionQuery(), response: updated() }),
});

export const putRoomKeysByRoomId = defineEndpoint({
  ...common,
  operationId: 'putRoomKeysByRoomId',
  method: 'PUT',
  path: '/_matrix/client/v3/room_keys/keys/{roomId}',
  summary: 'Store several keys of a room in the backup.',
  specUrl: spec('put_matrixclientv3room_keyskeysroomid'),
  schemas: () => ({ params: roomParams(), query: versionQuery(), body: roomKeyBackup(), response: updated() }),
});
export const getRoomKeysByRoomId = defineEndpoint({
  ...common,
  operationId: 'getRoomKeysByRoomId',
  method: 'GET',
  path: '/_matrix/client/v3/room_keys/keys/{roomId}',
  summary: 'Retrieve the keys of a room from the backup.',
  specUrl: spec('get_matrixclientv3room_keyskeysroomid'),
  schemas: () => ({ params: roomParams(), query: versionQuery(), response: roomKeyBackup() }),
});
export const deleteRoomKeysByRoomId = defineEndpoint({
  ...common,
  operationId: 'deleteRoomKeysByRoomId',
  method: 'DELETE',
  path: '/_matrix/client/v3/room_keys/keys/{roomId}',
  summary: 'Delete the keys of a room from the backup.',
  specUrl: spec('delete_matrixclientv3room_keyskeysroomid'),
  schemas: () => ({ params: roomParams(), query: versionQuery(), response: updated() }),
});

export const putRoomKeyBySessionId = defineEndpoint({
  ...common,
  operationId: 'putRoomKeyBySessionId',
  method: 'PUT',
  path: '/_matrix/client/v3/room_keys/keys/{roomId}/{sessionId}',
  summary: 'Store a key in the backup.',
  specUrl: spec('put_matrixclientv3room_keyskeysroomidsessionid'),
  schemas: () => ({ params: sessionParams(), query: versionQuery(), body: keyBackupData(), response: updated() }),
});
export const getRoomKeyBySessionId = defineEndpoint({
  ...common,
  operationId: 'getRoomKeyBySessionId',
  method: 'GET',
  path: '/_matrix/client/v3/room_keys/keys/{roomId}/{sessionId}',
  summary: 'Retrieve a key from the backup.',
  specUrl: spec('get_matrixclientv3room_keyskeysroomidsessionid'),
  schemas: () => ({ params: sessionParams(), query: versionQuery(), response: keyBackupData() }),
});
export const deleteRoomKeyBySessionId = defineEndpoint({
  ...common,
  operationId: 'deleteRoomKeyBySessionId',
  method: 'DELETE',
  path: '/_matrix/client/v3/room_keys/keys/{roomId}/{sessionId}',
  summary: 'Delete a key from the backup.',
  specUrl: spec('delete_matrixclientv3room_keyskeysroomidsessionid'),
  schemas: () => ({ params: sessionParams(), query: versionQuery(), response: updated() }),
});
