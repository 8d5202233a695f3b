// Content repository: https://spec.matrix.org/v1.19/client-server-api/#content-repository
// Downloads and thumbnails answer with bytes, not JSON: their `response` schemas are omitted.
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';

const section = 'Content repository';
const specUrl = (anchor: string) => `https://spec.matrix.org/v1.19/client-server-api/#${anchor}`;

const mediaParams = lazy(() => z.object({ serverName: z.string().min(1), mediaId: z.string().min(1) }));
const mediaParamsWithName = lazy(() => mediaParams().extend({ fileName: z.string() }));
const bool = lazy(() => z.enum(['true', 'false']));
/** timeout_ms: how long to wait for an asynchronous upload to arrive (default 20 s). */
const timeoutMs = lazy(() => z.coerce.number().int().min(0).optional());

const downloadQuery = lazy(() => z.object({ timeout_ms: timeoutMs() }));
const legacyDownloadQuery = lazy(() => z.object({ timeout_ms: timeoutMs(), allow_remote: bool().optional(), allow_redirect: bool().optional() }));

const thumbnailQueryShape = lazy(() => ({
  width: z.coerce.number().int().positive(),
  height: z.coerce.number().int().positive(),
  method: z.enum(['crop', 'scale']).optional(),
  timeout_ms: timeoutMs(),
  animated: bool().optional(),
}));
const thumbnailQuery = lazy(() => z.object(thumbnailQueryShape()));
const legacyThumbnailQuery = lazy(() => z.object({ ...thumbnailQueryShape(), allow_remote: bool().optional(), allow_redirect: bool().optional() }));

const contentUri = lazy(() => z.string().regex(/^mxc:\/\//));
const configResponse = lazy(() => z.looseObject({ 'm.upload.size': z.number().int().optional() }));
const previewQuery = lazy(() => z.object({ url: z.string().min(1), ts: z.coerce.number().int().optional() }));
/** Open Graph properties; `og:image` is an mxc URI when present. */
const previewResponse = lazy(() => z.looseObject({
  'og:image': contentUri().optional(),
  'matrix:image:size': z.number().int().optional(),
}));

export const getConfig = defineEndpoint({
  operationId: 'getConfigAuthed',
  method: 'GET',
  path: '/_matrix/client/v1/media/config',
  auth: 'user',
  rateLimited: true,
  summary: 'Get the configuration for the content repository.',
  section,
  specUrl: specUrl('get_matrixclientv1mediaconfig'),
  schemas: () => ({ response: configResponse() }),
});

export const getConfigLegacy = defineEndpoint({
  operationId: 'getConfig',
  method: 'GET',
  path: '/_matrix/media/v3/config',
  auth: 'user',
  rateLimited: true,
  summary: 'Get the configuration for the content repository (deprecated).',
  section,
  specUrl: specUrl('get_matrixmediav3config'),
  schemas: () => ({ response: configResponse() }),
});

export const upload = defineEndpoint({
  operationId: 'uploadContent',
  method: 'POST',
  path: '/_matrix/media/v3/upload',
  auth: 'user',
  rateLimited: true,
  summary: 'Upload some content to the content repository.',
  section,
  specUrl: specUrl('post_matrixmediav3upload'),
  rawBody: true,
  schemas: () => ({ query: z.object({ filename: z.string().optional() }), response: z.object({ content_uri: contentUri() }) }),
});

export const create = defineEndpoint({
  operationId: 'createContent',
  method: 'POST',
  path: '/_matrix/media/v1/create',
  auth: 'user',
  rateLimited: true,
  summary: 'Create a new mxc:// URI without uploading the content.',
  section,
  specUrl: specUrl('post_matrixmediav1create'),
  schemas: () => ({ response: z.object({ content_uri: contentUri(), unused_expires_at: z.number().int().optional() }) }),
});

export const uploadToMxc = defineEndpoint({
  operationId: 'uploadContentToMXC',
  method: 'PUT',
  path: '/_matrix/media/v3/upload/{serverName}/{mediaId}',
  auth: 'user',
  rateLimited: true,
  summary: 'Upload content to an mxc:// URI that was created earlier.',
  section,
  specUrl: specUrl('put_matrixmediav3uploadservernamemediaid'),
  rawBody: true,
  schemas: () => ({ params: mediaParams(), query: z.object({ filename: z.string().optional() }), response: z.object({}) }),
});

export const download = defineEndpoint({
  operationId: 'getContentAuthed',
  method: 'GET',
  path: '/_matrix/client/v1/media/download/{serverName}/{mediaId}',
  auth: 'user',
  rateLimited: true,
  summary: 'Download content from the content repository.',
  section,
  specUrl: specUrl('get_matrixclientv1mediadownloadservernamemediaid'),
  schemas: () => ({ params: mediaParams(), query: downloadQuery() }),
});

export const downloadWithName = defineEndpoint({
  operationId: 'getContentOverrideNameAuthed',
  method: 'GET',
  path: '/_matrix/client/v1/media/download/{serverName}/{mediaId}/{fileName}',
  auth: 'user',
  rateLimited: true,
  summary: 'Download content from the content repository overriding the file name.',
  section,
  specUrl: specUrl('get_matrixclientv1mediadownloadservernamemediaidfilename'),
  schemas: () => ({ params: mediaParamsWithName(), query: downloadQuery() }),
});

export const thumbnail = defineEndpoint({
  operationId: 'getContentThumbnailAuthed',
  method: 'GET',
  path: '/_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}',
  auth: 'user',
  rateLimited: true,
  summary: 'Download a thumbnail of content from the content repository.',
  section,
  specUrl: specUrl('get_matrixclientv1mediathumbnailservernamemediaid'),
  schemas: () => ({ params: mediaParams(), query: thumbnailQuery() }),
});

export const previewUrl = defineEndpoint({
  operationId: 'getUrlPreviewAuthed',
  method: 'GET',
  path: '/_matrix/client/v1/media/preview_url',
  auth: 'user',
  rateLimited: true,
  summary: 'Get information about a URL for a client.',
  section,
  specUrl: specUrl('get_matrixclientv1mediapreview_url'),
  schemas: () => ({ query: previewQuery(), response: previewResponse() }),
});

export const previewUrlLegacy = defineEndpoint({
  operationId: 'getUrlPreview',
  method: 'GET',
  path: '/_matrix/media/v3/preview_url',
  auth: 'user',
  rateLimited: true,
  summary: 'Get information about a URL for a client (deprecated).',
  section,
  specUrl: specUrl('get_matrixmediav3preview_url'),
  schemas: () => ({ query: previewQuery(), response: previewResponse() }),
});

// The unauthenticated endpoints, deprecated in v1.11 and subject to the media freeze:
// https://spec.matrix.org/v1.19/client-server-api/#content-repo-client-behaviour
export const downloadLegacy = defineEndpoint({
  operationId: 'getContent',
  method: 'GET',
  path: '/_matrix/media/v3/download/{serverName}/{mediaId}',
  auth: 'none',
  rateLimited: true,
  summary: 'Download content from the content repository (deprecated, unauthenticated).',
  section,
  specUrl: specUrl('get_matrixmediav3downloadservernamemediaid'),
  schemas: () => ({ params: mediaParams(), query: legacyDownloadQuery() }),
});

export const downloadWithNameLegacy = defineEndpoint({
  operationId: 'getContentOverrideName',
  method: 'GET',
  path: '/_matrix/media/v3/download/{serverName}/{mediaId}/{fileName}',
  auth: 'none',
  rateLimited: true,
  summary: 'Download content overriding the file name (deprecated, unauthenticated).',
  section,
  specUrl: specUrl('get_matrixmediav3downloadservernamemediaidfilename'),
  schemas: () => ({ params: mediaParamsWithName(), query: legacyDownloadQuery() }),
});

export const thumbnailLegacy = defineEndpoint({
  operationId: 'getContentThumbnail',
  method: 'GET',
  path: '/_matrix/media/v3/thumbnail/{serverName}/{mediaId}',
  auth: 'none',
  rateLimited: true,
  summary: 'Download a thumbnail of content (deprecated, unauthenticated).',
  section,
  specUrl: specUrl('get_matrixmediav3thumbnailservernamemediaid'),
  schemas: () => ({ params: mediaParams(), query: legacyThumbnailQuery() }),
});

// Administration (Parley extensions; paths follow Synapse's admin API where one exists).
const adminSection = 'Media administration';

export const adminPurgeRemoteCache = defineEndpoint({
  operationId: 'parleyPurgeMediaCache',
  method: 'POST',
  path: '/_synapse/admin/v1/purge_media_cache',
  auth: 'user',
  rateLimited: false,
  summary: 'Delete cached remote media last fetched before before_ts (ms since the epoch).',
  section: adminSection,
  extension: true,
  schemas: () => ({ query: z.object({ before_ts: z.coerce.number().int().min(0) }), response: z.object({ deleted: z.number().int() }) }),
});

const deletedMedia = lazy(() => z.object({ deleted_media: z.array(z.string()), total: z.number().int() }));

export const adminDeleteMedia = defineEndpoint({
  operationId: 'parleyDeleteMedia',
  method: 'DELETE',
  path: '/_synapse/admin/v1/media/{serverName}/{mediaId}',
  auth: 'user',
  rateLimited: false,
  summary: 'Delete one media item and its thumbnails.',
  section: adminSection,
  extension: true,
  schemas: () => ({ params: mediaParams(), response: deletedMedia() }),
});

export const adminDeleteUserMedia = defineEndpoint({
  operationId: 'parleyDeleteUserMedia',
  method: 'DELETE',
  path: '/_synapse/admin/v1/users/{userId}/media',
  auth: 'user',
  rateLimited: false,
  summary: 'Delete every media item a local user uploaded.',
  section: adminSection,
  extension: true,
  schemas: () => ({ params: z.object({ userId: z.string().min(1) }), response: deletedMedia() }),
});

export const adminDeleteRoomMedia = defineEndpoint({
  operationId: 'parleyDeleteRoomMedia',
  method: 'DELETE',
  path: '/_parley/admin/v1/rooms/{roomId}/media',
  auth: 'user',
  rateLimited: false,
  summary: 'Delete the local media referenced by events of a room.',
  section: adminSection,
  extension: true,
  schemas: () => ({ params: z.object({ roomId: z.string().min(1) }), response: deletedMedia() }),
});
