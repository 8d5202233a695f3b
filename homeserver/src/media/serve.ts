// Writing media responses: the security headers every media response carries, the spec's
// Content-Disposition, and byte ranges.
import type Koa from 'koa';
import type { ContentStore } from './content-store.js';
import { parseRange } from './http-range.js';

// https://spec.matrix.org/v1.19/client-server-api/#content-repository (security considerations)
export const MEDIA_SECURITY_HEADERS = {
  'Content-Security-Policy':
    "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; media-src 'self'; object-src 'self';",
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

export function setMediaSecurityHeaders(ctx: Koa.Context): void {
  ctx.set(MEDIA_SECURITY_HEADERS);
}

export interface ServedContent {
  sha256: string;
  size: number;
  contentType: string;
  disposition: string;
}

export function serveContent(ctx: Koa.Context, store: ContentStore, content: ServedContent): void {
  setMediaSecurityHeaders(ctx);
  ctx.set('Content-Type', content.contentType);
  ctx.set('Content-Disposition', content.disposition);
  ctx.set('Accept-Ranges', 'bytes');
  // Media never changes under its mxc URI; authenticated responses stay out of shared caches.
  ctx.set('Cache-Control', 'private, max-age=86400, immutable');
  const range = parseRange(ctx.get('range') || undefined, content.size);
  if (range === 'unsatisfiable') {
    ctx.status = 416;
    ctx.set('Content-Range', `bytes */${content.size}`);
    ctx.body = '';
    return;
  }
  if (range) {
    ctx.status = 206;
    ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${content.size}`);
    ctx.length = range.end - range.start + 1;
    ctx.body = store.open(content.sha256, range);
  } else {
    ctx.status = 200;
    ctx.length = content.size;
    ctx.body = content.size === 0 ? '' : store.open(content.sha256);
  }
  // Koa guesses a type from the body otherwise.
  ctx.set('Content-Type', content.contentType);
}
