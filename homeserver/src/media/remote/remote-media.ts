// Remote media fetched on demand over federation and cached as rows of the remote server name.
// https://spec.matrix.org/v1.19/server-server-api/#get_matrixfederationv1mediadownloadmediaid
import { Readable } from 'node:stream';
import type { FederationClient, HttpResponse } from '@parley/federation';
import { Errors, MatrixError } from '@parley/spec';
import { fileNameFromDisposition } from '../content-disposition.js';
import { decideContentType, sniffContentType } from '../content-type.js';
import { Errs, type MediaRepository, type RemoteMediaSource, type StoredMedia } from '../media-repository.js';
import type { MediaRow } from '../media-records.js';
import { guardedFetch } from '../url-preview/guarded-fetch.js';
import type { AddressPolicy } from '../url-preview/address-policy.js';
import { boundaryOf, readMediaMultipart } from './multipart.js';

const tooLarge = () => new MatrixError(502, 'M_TOO_LARGE', 'Remote content is too large to serve');

export class RemoteMedia implements RemoteMediaSource {
  private readonly inflight = new Map<string, Promise<StoredMedia>>();

  constructor(
    private readonly media: MediaRepository,
    private readonly client: FederationClient,
    /** Applied to Location redirects, which point wherever the remote server says. */
    private readonly policy: AddressPolicy,
  ) {}

  fetch(serverName: string, mediaId: string): Promise<StoredMedia> {
    const id = `${serverName}/${mediaId}`;
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = this.download(serverName, mediaId).finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    return pending;
  }

  private async download(serverName: string, mediaId: string): Promise<StoredMedia> {
    const cfg = this.media.config.remote;
    let res: HttpResponse;
    try {
      const uri = `/_matrix/federation/v1/media/download/${encodeURIComponent(mediaId)}`;
      res = await this.client.request(serverName, 'GET', uri, { timeoutMs: cfg.timeout_ms });
    } catch (err) {
      throw Errs.remoteFailed((err as Error).message);
    }
    const refuse = (err: MatrixError) => {
      res.cancel();
      return err;
    };
    if (res.status === 404) throw refuse(Errors.notFound('Remote media not found'));
    if (res.status === 504) throw refuse(Errs.notYetUploaded());
    if (res.status === 502 || res.status === 413) throw refuse(tooLarge());
    if (res.status !== 200) throw refuse(Errs.remoteFailed(`status ${res.status}`));
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (declared > cfg.max_bytes + 64 * 1024) throw refuse(tooLarge());
    const boundary = boundaryOf(res.headers['content-type']);
    if (!boundary) throw refuse(Errs.remoteFailed('response is not multipart/mixed'));

    let parts;
    try {
      parts = await readMediaMultipart(res.body, boundary);
    } catch (err) {
      throw refuse(Errs.remoteFailed((err as Error).message));
    }
    let headers = parts.headers;
    let body: AsyncIterable<Buffer> = parts.body;
    if (headers.location) {
      await parts.cancel();
      const fetched = await guardedFetch(headers.location, { policy: this.policy, maxBytes: cfg.max_bytes + 1, timeoutMs: cfg.timeout_ms }).catch(
        (err: Error) => {
          throw Errs.remoteFailed(err.message);
        },
      );
      headers = { 'content-type': fetched.contentType ?? '', 'content-disposition': '' };
      body = Readable.from([fetched.body]);
    }
    const now = Date.now();
    const row = await this.media
      .ingest(
      body,
      (received) => {
        if (received > cfg.max_bytes) throw tooLarge();
      },
      async (staged, trx) => {
        const r: MediaRow = {
          server_name: serverName,
          media_id: mediaId,
          user_id: null,
          content_type: decideContentType(headers['content-type'] || undefined, await sniffContentType(staged.head)),
          upload_name: fileNameFromDisposition(headers['content-disposition']) ?? null,
          size: staged.size,
          sha256: staged.sha256,
          created_ts: now,
          unused_expires_ts: null,
          last_access_ts: now,
        };
        await trx('media').insert(r).onConflict(['server_name', 'media_id']).merge();
        return r;
      },
      )
      .finally(() => res.cancel());
    return row as StoredMedia;
  }
}
