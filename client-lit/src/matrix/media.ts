// mxc:// content: uploads with progress (XHR, since fetch reports none) and downloads through
// authenticated media, falling back to the legacy unauthenticated path on older servers.
import { buildPath } from '@parley/spec/api/endpoint';
import type { MatrixHttp } from './http.js';
import { routes } from './routes.js';

export function parseMxc(mxc: string): { serverName: string; mediaId: string } | undefined {
  const m = /^mxc:\/\/([^/]+)\/([^/?#]+)$/.exec(mxc);
  return m ? { serverName: m[1], mediaId: m[2] } : undefined;
}

export class MediaCache {
  private readonly urls = new Map<string, Promise<string | undefined>>();

  constructor(private readonly http: MatrixHttp) {}

  /** A blob: URL for an mxc URI (cached), or undefined if it cannot be fetched. */
  objectUrl(mxc: string | undefined, thumbnail?: { width: number; height: number }): Promise<string | undefined> {
    if (!mxc) return Promise.resolve(undefined);
    const key = thumbnail ? `${mxc}#${thumbnail.width}x${thumbnail.height}` : mxc;
    let p = this.urls.get(key);
    if (!p) {
      p = this.fetchBlob(mxc, thumbnail).then((b) => (b ? URL.createObjectURL(b) : undefined));
      this.urls.set(key, p);
    }
    return p;
  }

  private async fetchBlob(mxc: string, thumbnail?: { width: number; height: number }): Promise<Blob | undefined> {
    const parts = parseMxc(mxc);
    if (!parts) return undefined;
    const headers = { Authorization: `Bearer ${this.http.accessToken}` };
    const route = thumbnail ? routes.thumbnail : routes.download;
    const query = thumbnail ? { width: thumbnail.width, height: thumbnail.height, method: 'scale' } : undefined;
    try {
      const res = await fetch(this.http.url(buildPath(route.path, parts), query), { headers });
      if (res.ok) return await res.blob();
      if (thumbnail && res.status !== 404) return this.fetchBlob(mxc);
      const legacy = await fetch(this.http.url(buildPath(routes.legacyDownload.path, parts)));
      return legacy.ok ? await legacy.blob() : thumbnail ? this.fetchBlob(mxc) : undefined;
    } catch {
      return undefined;
    }
  }
}

export interface UploadHandle {
  promise: Promise<string>;
  abort(): void;
}

export function upload(http: MatrixHttp, file: Blob, filename: string, onProgress?: (fraction: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<string>((resolve, reject) => {
    xhr.open('POST', http.url(routes.upload.path, { filename }));
    xhr.setRequestHeader('Authorization', `Bearer ${http.accessToken}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total);
    xhr.onload = () => {
      try {
        const body = JSON.parse(xhr.responseText);
        if (xhr.status < 300 && body.content_uri) resolve(body.content_uri);
        else reject(new Error(body.error ?? `upload failed (${xhr.status})`));
      } catch {
        reject(new Error(`upload failed (${xhr.status})`));
      }
    };
    xhr.onerror = () => reject(new Error('upload failed: network error'));
    xhr.onabort = () => reject(new Error('upload cancelled'));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}
