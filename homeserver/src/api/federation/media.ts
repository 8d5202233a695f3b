// https://spec.matrix.org/v1.19/server-server-api/#content-repository
import { Readable } from 'node:stream';
import type Koa from 'koa';
import { federationMedia } from '@parley/spec';
import { RESPONDED, type ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import type { MediaServices } from '../../media/index.js';
import { contentDisposition } from '../../media/content-disposition.js';
import { OCTET_STREAM } from '../../media/content-type.js';
import { setMediaSecurityHeaders } from '../../media/serve.js';
import { newBoundary, writeMediaMultipart } from '../../media/remote/multipart.js';
import type { ContentStore } from '../../media/content-store.js';

const DEFAULT_TIMEOUT_MS = 20_000;

function sendMultipart(ctx: Koa.Context, store: ContentStore, part: { sha256: string; contentType: string; disposition: string }): void {
  const boundary = newBoundary();
  ctx.status = 200;
  ctx.body = Readable.from(
    writeMediaMultipart(boundary, { contentType: part.contentType, contentDisposition: part.disposition, body: store.open(part.sha256) }),
  );
  ctx.set('Content-Type', `multipart/mixed; boundary=${boundary}`);
}

export function registerFederationMedia(router: ApiRouter, s: ServerContext, services: MediaServices): void {
  // X-Matrix is verified by the router (auth: 'server') before these handlers run.
  const { repository: repo, thumbnails } = services;

  router.bind(federationMedia.download, async ({ ctx, params, query }) => {
    setMediaSecurityHeaders(ctx);
    const row = await repo.find(s.config.server_name, params.mediaId, { timeoutMs: query.timeout_ms ?? DEFAULT_TIMEOUT_MS, allowRemote: false });
    const contentType = row.content_type ?? OCTET_STREAM;
    sendMultipart(ctx, repo.store, { sha256: row.sha256, contentType, disposition: contentDisposition(contentType, row.upload_name) });
    return RESPONDED;
  });

  router.bind(federationMedia.thumbnail, async ({ ctx, params, query }) => {
    setMediaSecurityHeaders(ctx);
    const row = await repo.find(s.config.server_name, params.mediaId, { timeoutMs: query.timeout_ms ?? DEFAULT_TIMEOUT_MS, allowRemote: false });
    const thumb = await thumbnails.get(row, { width: query.width, height: query.height, method: query.method ?? 'scale', animated: query.animated === 'true' });
    sendMultipart(ctx, repo.store, { sha256: thumb.sha256, contentType: thumb.content_type, disposition: 'inline; filename="thumbnail"' });
    return RESPONDED;
  });
}
