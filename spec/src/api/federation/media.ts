// Federation content repository: https://spec.matrix.org/v1.19/server-server-api/#content-repository
// Both answer multipart/mixed: a JSON part (metadata, currently `{}`) then the bytes or a Location.
import { z } from 'zod';
import { defineEndpoint, lazy } from '../endpoint.js';

const section = 'Content repository (federation)';
const timeoutMs = lazy(() => z.coerce.number().int().min(0).optional());

export const download = defineEndpoint({
  operationId: 'getContentFederation',
  method: 'GET',
  path: '/_matrix/federation/v1/media/download/{mediaId}',
  auth: 'server',
  rateLimited: true,
  summary: 'Download content from the content repository.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/server-server-api/#get_matrixfederationv1mediadownloadmediaid',
  schemas: () => ({ params: z.object({ mediaId: z.string().min(1) }), query: z.object({ timeout_ms: timeoutMs() }) }),
});

export const thumbnail = defineEndpoint({
  operationId: 'getContentThumbnailFederation',
  method: 'GET',
  path: '/_matrix/federation/v1/media/thumbnail/{mediaId}',
  auth: 'server',
  rateLimited: true,
  summary: 'Download a thumbnail of content from the content repository.',
  section,
  specUrl: 'https://spec.matrix.org/v1.19/server-server-api/#get_matrixfederationv1mediathumbnailmediaid',
  schemas: () => ({
    params: z.object({ mediaId: z.string().min(1) }),
    query: z.object({
      width: z.coerce.number().int().positive(),
      height: z.coerce.number().int().positive(),
      method: z.enum(['crop', 'scale']).optional(),
      timeout_ms: timeoutMs(),
      animated: z.enum(['true', 'false']).optional(),
    }),
  }),
});
