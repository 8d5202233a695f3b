// https://spec.matrix.org/v1.19/client-server-api/#content-repository
import type Koa from 'koa';
import { Errors, MatrixError, media } from '@parley/spec';
import { RESPONDED, type ApiRouter, type Requester } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { createMediaServices, type MediaServices } from '../../media/index.js';
import { contentDisposition } from '../../media/content-disposition.js';
import { OCTET_STREAM } from '../../media/content-type.js';
import { mxcUri } from '../../media/mxc.js';
import { serveContent, setMediaSecurityHeaders } from '../../media/serve.js';
import type { UploadInput } from '../../media/media-repository.js';
import type { ThumbnailRow } from '../../media/media-records.js';
import { registerFederationMedia } from '../federation/media.js';

const DEFAULT_TIMEOUT_MS = 20_000;

/** The raw request body as a stream that an aborted upload leaves intact (Node then drains it). */
function uploadInput(ctx: Koa.Context, userId: string, fileName: string | undefined): UploadInput {
  const length = ctx.get('content-length');
  return {
    userId,
    source: ctx.req.iterator({ destroyOnReturn: false }),
    contentLength: length === '' ? undefined : Number(length),
    contentType: ctx.get('content-type') || undefined,
    fileName,
  };
}

/**
 * Runs an upload; when it is refused before the body has been read to the end, the answer closes
 * the connection, so the unread rest of the body cannot be taken for the next request.
 */
async function receiving<T>(ctx: Koa.Context, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (err) {
    if (err instanceof MatrixError && !ctx.req.complete) err.headers.Connection = 'close';
    throw err;
  }
}

const thumbnailExtension: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif' };

export function serveThumbnail(ctx: Koa.Context, services: MediaServices, thumb: ThumbnailRow): void {
  serveContent(ctx, services.repository.store, {
    sha256: thumb.sha256,
    size: thumb.size,
    contentType: thumb.content_type,
    disposition: `inline; filename="thumbnail.${thumbnailExtension[thumb.content_type] ?? 'png'}"`,
  });
}

function requireAdmin(requester: Requester): void {
  if (!requester.isAdmin) throw Errors.forbidden('You are not a server admin');
}

export async function registerMedia(router: ApiRouter, s: ServerContext): Promise<MediaServices> {
  const services = await createMediaServices(s);
  // Hourly, and once at start-up: mxc URIs from /create whose bytes never came (also
  // `parley media purge-expired-uploads`), files a crash left without a row, stale quota reservations.
  let running: Promise<unknown> = Promise.resolve();
  const housekeeping = () =>
    (running = Promise.all([
      services.retention.deleteExpiredPending(),
      services.repository.sweepOrphans(),
      services.repository.quota.sweepExpired(),
    ]).catch((err) => s.log.warn({ err }, 'media housekeeping failed')));
  housekeeping();
  const sweep = setInterval(housekeeping, 60 * 60 * 1000);
  sweep.unref();
  s.onShutdown(async () => {
    clearInterval(sweep);
    await running;
    return services.close();
  });
  const { repository: repo, thumbnails, previews, retention } = services;
  const cfg = s.config.media;

  const config = async () => ({ 'm.upload.size': cfg.max_upload_bytes });
  router.bind(media.getConfig, config);
  router.bind(media.getConfigLegacy, config);

  router.bind(media.upload, async ({ query, requester, ctx }) => {
    const key = await receiving(ctx, () => repo.upload(uploadInput(ctx, requester.userId, query.filename)));
    const row = await repo.records.get(key.server_name, key.media_id);
    if (row?.sha256) thumbnails.precompute(row as Parameters<typeof thumbnails.precompute>[0]);
    return { content_uri: mxcUri(key) };
  });

  router.bind(media.create, async ({ requester }) => {
    const { key, expiresAt } = await repo.createPending(requester.userId);
    return { content_uri: mxcUri(key), unused_expires_at: expiresAt };
  });

  router.bind(media.uploadToMxc, async ({ params, query, requester, ctx }) => {
    const key = { server_name: params.serverName, media_id: params.mediaId };
    await receiving(ctx, async () => {
      await repo.checkPendingTarget(requester.userId, key);
      await repo.upload(uploadInput(ctx, requester.userId, query.filename), key);
    });
    const row = await repo.records.get(key.server_name, key.media_id);
    if (row?.sha256) thumbnails.precompute(row as Parameters<typeof thumbnails.precompute>[0]);
    return {};
  });

  const download = async (
    ctx: Koa.Context,
    p: { serverName: string; mediaId: string; fileName?: string },
    q: { timeout_ms?: number; allow_remote?: 'true' | 'false' },
    legacy: boolean,
  ) => {
    setMediaSecurityHeaders(ctx);
    const allowRemote = q.allow_remote !== 'false' && (!legacy || repo.servedUnauthenticated(Date.now()));
    const row = await repo.find(p.serverName, p.mediaId, { timeoutMs: q.timeout_ms ?? DEFAULT_TIMEOUT_MS, allowRemote });
    // The freeze: https://spec.matrix.org/v1.19/client-server-api/#content-repo-client-behaviour
    if (legacy && !repo.servedUnauthenticated(row.created_ts)) throw Errors.notFound('Media not found');
    const contentType = row.content_type ?? OCTET_STREAM;
    serveContent(ctx, repo.store, {
      sha256: row.sha256,
      size: row.size,
      contentType,
      disposition: contentDisposition(contentType, p.fileName ?? row.upload_name),
    });
    return RESPONDED;
  };
  router.bind(media.download, ({ ctx, params, query }) => download(ctx, params, query, false));
  router.bind(media.downloadWithName, ({ ctx, params, query }) => download(ctx, params, query, false));
  router.bind(media.downloadLegacy, ({ ctx, params, query }) => download(ctx, params, query, true));
  router.bind(media.downloadWithNameLegacy, ({ ctx, params, query }) => download(ctx, params, query, true));

  const thumbnail = async (
    ctx: Koa.Context,
    p: { serverName: string; mediaId: string },
    q: { width: number; height: number; method?: 'crop' | 'scale'; animated?: 'true' | 'false'; timeout_ms?: number; allow_remote?: 'true' | 'false' },
    legacy: boolean,
  ) => {
    setMediaSecurityHeaders(ctx);
    const want = { width: q.width, height: q.height, method: q.method ?? 'scale', animated: q.animated === 'true' } as const;
    const hit = await thumbnails.cached(p.serverName, p.mediaId, want);
    if (hit && (!legacy || repo.servedUnauthenticated(hit.media_created_ts))) {
      serveThumbnail(ctx, services, hit);
      return RESPONDED;
    }
    const allowRemote = q.allow_remote !== 'false' && (!legacy || repo.servedUnauthenticated(Date.now()));
    const row = await repo.find(p.serverName, p.mediaId, { timeoutMs: q.timeout_ms ?? DEFAULT_TIMEOUT_MS, allowRemote });
    if (legacy && !repo.servedUnauthenticated(row.created_ts)) throw Errors.notFound('Media not found');
    serveThumbnail(ctx, services, await thumbnails.get(row, want));
    return RESPONDED;
  };
  router.bind(media.thumbnail, ({ ctx, params, query }) => thumbnail(ctx, params, query, false));
  router.bind(media.thumbnailLegacy, ({ ctx, params, query }) => thumbnail(ctx, params, query, true));

  router.bind(media.previewUrl, ({ query }) => previews.preview(query.url));
  router.bind(media.previewUrlLegacy, ({ query }) => previews.preview(query.url));

  router.bind(media.adminPurgeRemoteCache, async ({ query, requester }) => {
    requireAdmin(requester);
    return { deleted: (await retention.purgeRemoteCache(query.before_ts)).length };
  });
  const deleted = (uris: string[]) => ({ deleted_media: uris, total: uris.length });
  router.bind(media.adminDeleteMedia, async ({ params, requester }) => {
    requireAdmin(requester);
    const uris = await repo.delete([{ server_name: params.serverName, media_id: params.mediaId }]);
    if (uris.length === 0) throw Errors.notFound('Media not found');
    return deleted(uris);
  });
  router.bind(media.adminDeleteUserMedia, async ({ params, requester }) => {
    requireAdmin(requester);
    return deleted(await retention.deleteUserMedia(params.userId));
  });
  router.bind(media.adminDeleteRoomMedia, async ({ params, requester }) => {
    requireAdmin(requester);
    return deleted(await retention.deleteRoomMedia(params.roomId));
  });

  registerFederationMedia(router, s, services);
  return services;
}
