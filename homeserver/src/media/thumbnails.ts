// Thumbnails served from a cache (rows in media_thumbnails, bytes in the content store), made
// on first request or right after an image upload for the configured sizes.
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Errors, MatrixError } from '@parley/spec';
import type { MediaRepository, StoredMedia } from './media-repository.js';
import type { ThumbnailRow } from './media-records.js';
import { canThumbnail, chooseThumbnailSize, renderThumbnail, ThumbnailError, ThumbnailTooLargeError, type ThumbnailMethod } from './thumbnailer.js';

export interface ThumbnailRequest {
  width: number;
  height: number;
  method: ThumbnailMethod;
  animated: boolean;
}

const cannotThumbnail = (why: string) => new MatrixError(400, 'M_UNKNOWN', `Cannot generate thumbnails for the requested content: ${why}`);

export class Thumbnails {
  private readonly inflight = new Map<string, Promise<ThumbnailRow>>();
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly media: MediaRepository) {}

  /** The thumbnail for a request if it was made before (without looking at the media first). */
  async cached(serverName: string, mediaId: string, want: ThumbnailRequest) {
    const cfg = this.media.config.thumbnails;
    const spec = { ...chooseThumbnailSize(cfg.sizes, want, cfg.max_dynamic_side), animated: want.animated };
    const key = { server_name: serverName, media_id: mediaId };
    const hit = await this.media.records.getThumbnailWithMedia(key, spec);
    // Cached remote media stays in the cache while its thumbnails are in use.
    if (hit && !this.media.isLocal(serverName)) void this.media.records.touch(key, Date.now()).catch(() => {});
    return hit;
  }

  async get(source: StoredMedia, want: ThumbnailRequest): Promise<ThumbnailRow> {
    const cfg = this.media.config.thumbnails;
    if (!canThumbnail(source.content_type)) throw cannotThumbnail(`${source.content_type ?? 'unknown type'} is not an image`);
    if (source.size > cfg.max_source_bytes) {
      const err = Errors.tooLarge('Content is too large to thumbnail');
      throw this.media.isLocal(source.server_name) ? err : new MatrixError(502, err.errcode, err.message);
    }
    const size = chooseThumbnailSize(cfg.sizes, want, cfg.max_dynamic_side);
    const spec = { ...size, animated: want.animated };
    const key = { server_name: source.server_name, media_id: source.media_id };
    const cached = await this.media.records.getThumbnail(key, spec);
    if (cached) return cached;
    const id = JSON.stringify([key.server_name, key.media_id, spec.width, spec.height, spec.method, spec.animated]);
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = this.generate(source, spec).finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    return pending;
  }

  private async generate(source: StoredMedia, spec: ThumbnailRequest): Promise<ThumbnailRow> {
    const { store, records, config } = this.media;
    const input = store.localPath(source.sha256) ?? (await readAll(store.open(source.sha256)));
    let rendered;
    try {
      rendered = await renderThumbnail(input, source.content_type!, spec, { maxPixels: config.thumbnails.max_source_pixels });
    } catch (err) {
      if (err instanceof ThumbnailTooLargeError) throw Errors.tooLarge(`Content is too large to thumbnail: ${err.message}`);
      if (err instanceof ThumbnailError) throw cannotThumbnail(err.message);
      throw err;
    }
    const key = { server_name: source.server_name, media_id: source.media_id };
    return this.media.ingest(Readable.from([rendered.data]), undefined, async (staged, trx) => {
      const row: ThumbnailRow = {
        ...key, ...spec, content_type: rendered.contentType, size: staged.size, sha256: staged.sha256, created_ts: Date.now(),
      };
      // The media row may have been deleted meanwhile: then the thumbnail has nothing to belong to.
      if (!(await records.get(key.server_name, key.media_id, trx))) throw Errors.notFound('Media not found');
      await records.insertThumbnail(row, trx);
      return row;
    });
  }

  /** Makes the configured sizes in the background (after an upload); failures are only logged. */
  precompute(source: StoredMedia): void {
    if (!this.media.config.thumbnails.precompute || !canThumbnail(source.content_type)) return;
    const job = (async () => {
      for (const size of this.media.config.thumbnails.sizes) {
        try {
          await this.get(source, { ...size, animated: false });
        } catch (err) {
          this.media.log.debug({ err, media: source.media_id }, 'thumbnail precompute failed');
          return;
        }
      }
    })();
    this.background.add(job);
    void job.finally(() => this.background.delete(job));
  }

  /** Waits for background work (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
