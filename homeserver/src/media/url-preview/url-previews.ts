// GET /_matrix/client/v1/media/preview_url: https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv1mediapreview_url
// Pages are fetched through the SSRF guard with byte and time limits, parsed for Open Graph,
// and cached; an image (the page itself or its og:image) is stored as local media.
import { Readable } from 'node:stream';
import { loadSharp } from '../sharp.js';
import { Errors, MatrixError } from '@parley/spec';
import type { MediaRepository } from '../media-repository.js';
import { mxcUri } from '../mxc.js';
import { essence, isImage } from '../content-type.js';
import { AddressPolicy } from './address-policy.js';
import { FetchFailedError, guardedFetch, RefusedTargetError, type FetchedResource } from './guarded-fetch.js';
import { parseOpenGraph } from './open-graph.js';

export type OpenGraph = Record<string, string | number>;

export class UrlPreviews {
  readonly policy: AddressPolicy;
  private readonly inflight = new Map<string, Promise<OpenGraph>>();

  constructor(private readonly media: MediaRepository) {
    const cfg = media.config.url_preview;
    this.policy = new AddressPolicy({ allow: cfg.ip_range_allowlist, deny: cfg.ip_range_denylist, hostDenylist: cfg.host_denylist });
  }

  async preview(rawUrl: string): Promise<OpenGraph> {
    const cfg = this.media.config.url_preview;
    if (!cfg.enabled) throw Errors.unrecognized('URL previews are disabled', 404);
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw Errors.invalidParam('url is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw Errors.invalidParam('Only http and https URLs can be previewed');
    url.hash = '';
    const key = url.toString();
    const cached = await this.media.db('url_previews').where({ url: key }).where('expires_ts', '>', Date.now()).first();
    if (cached) return cached.og as OpenGraph;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.build(key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private fetch(url: string): Promise<FetchedResource> {
    const cfg = this.media.config.url_preview;
    return guardedFetch(url, { policy: this.policy, maxBytes: cfg.max_bytes, timeoutMs: cfg.timeout_ms }).catch((err: Error) => {
      if (err instanceof RefusedTargetError) throw Errors.forbidden(`Refusing to preview this URL: ${err.message}`);
      if (err instanceof FetchFailedError) throw new MatrixError(502, 'M_UNKNOWN', `Could not fetch the URL: ${err.message}`);
      throw err;
    });
  }

  private async build(url: string): Promise<OpenGraph> {
    const page = await this.fetch(url);
    if (page.status < 200 || page.status >= 300) throw new MatrixError(502, 'M_UNKNOWN', `The URL answered ${page.status}`);
    let og: OpenGraph = {};
    if (isImage(page.contentType) && !page.truncated) {
      og = { 'og:url': page.url, ...(await this.storeImage(page)) };
    } else if (page.contentType && /^(text\/html|application\/xhtml\+xml)$/.test(essence(page.contentType))) {
      og = parseOpenGraph(page.body.toString('utf8'), page.url);
      if (typeof og['og:image'] === 'string') {
        const image = await this.fetch(og['og:image']).catch(() => undefined);
        delete og['og:image'];
        if (image && image.status === 200 && isImage(image.contentType) && !image.truncated) Object.assign(og, await this.storeImage(image));
      }
    }
    const now = Date.now();
    await this.media
      .db('url_previews')
      .insert({ url, og: JSON.stringify(og), fetched_ts: now, expires_ts: now + this.media.config.url_preview.cache_ms })
      .onConflict('url')
      .merge();
    return og;
  }

  private async storeImage(image: FetchedResource): Promise<OpenGraph> {
    const sharp = await loadSharp();
    const meta = await sharp(image.body).metadata().catch(() => undefined);
    if (!meta) return {};
    const key = await this.media.upload({ userId: null, source: Readable.from([image.body]), contentType: image.contentType });
    return {
      'og:image': mxcUri(key),
      'og:image:type': essence(image.contentType!),
      'matrix:image:size': image.body.length,
      ...(meta.width ? { 'og:image:width': meta.width } : {}),
      ...(meta.height ? { 'og:image:height': meta.height } : {}),
    };
  }
}
